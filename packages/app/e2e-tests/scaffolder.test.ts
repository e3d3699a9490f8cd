import { expect, test } from '@playwright/test';
import { backend, guestAuth, runTemplate, testApiServers } from './helpers';

test('templates register a cluster (token from the task secrets) and assign its category, as the user who runs them', async ({
  request,
}) => {
  const [api] = testApiServers();
  const auth = await guestAuth(request);
  // Against a portal kept from an earlier run: start clean.
  await request.delete(
    `${backend}/api/cluster-registry/clusters/e2e-scaffolded`,
    {
      headers: auth,
    },
  );

  const { task, events } = await runTemplate(
    request,
    auth,
    'template:default/register-cluster',
    {
      name: 'e2e-scaffolded',
      title: 'Scaffolded cluster',
      category: 'dev',
      owner: 'group:default/platform',
      serverUrl: api.serverUrl,
      caData: api.caData,
    },
    { token: api.adminToken },
  );
  expect(task.status, events).toBe('completed');
  expect(events).toContain('registered e2e-scaffolded: running');
  expect(events).toContain('/clusters/e2e-scaffolded');
  expect(events).not.toContain(api.adminToken);

  const cluster = await (
    await request.get(
      `${backend}/api/cluster-registry/clusters/e2e-scaffolded`,
      {
        headers: auth,
      },
    )
  ).json();
  expect(cluster).toMatchObject({
    title: 'Scaffolded cluster',
    category: 'dev',
    owner: 'group:default/platform',
    createdBy: 'user:default/guest', // the initiating user, not the scaffolder
    status: { state: 'running', kubernetesVersion: api.kubernetesVersion },
  });

  // Re-running with the same name fails cleanly (409), registering nothing twice.
  const again = await runTemplate(
    request,
    auth,
    'template:default/register-cluster',
    {
      name: 'e2e-scaffolded',
      category: 'dev',
      owner: 'group:default/platform',
      serverUrl: api.serverUrl,
      caData: api.caData,
    },
    { token: api.adminToken },
  );
  expect(again.task.status).toBe('failed');
  expect(again.events).toContain('already exists');

  const assigned = await runTemplate(
    request,
    auth,
    'template:default/assign-cluster-category',
    { clusters: ['e2e-scaffolded'], category: 'staging' },
  );
  expect(assigned.task.status, assigned.events).toBe('completed');
  const moved = await (
    await request.get(
      `${backend}/api/cluster-registry/clusters/e2e-scaffolded`,
      {
        headers: auth,
      },
    )
  ).json();
  expect(moved.category).toBe('staging');
});
