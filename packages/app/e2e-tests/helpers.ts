import fs from 'node:fs';
import { APIRequestContext, expect, Page } from '@playwright/test';

export const backend =
  process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7107';

/**
 * Signs in as the guest (the registry admin of the dev config) and waits for
 * the portal, so that a following page.goto does not race the sign-in.
 */
export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Clusters' })
    .waitFor();
}

/** Signs in as the guest and opens the cluster list. */
export async function openClusters(page: Page) {
  await signIn(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Clusters' })
    .click();
}

/** Authorization headers of the guest, for calls to the backend API. */
export async function guestAuth(request: APIRequestContext) {
  const refresh = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return {
    authorization: `Bearer ${(await refresh.json()).backstageIdentity.token}`,
  };
}

/** One real kube-apiserver of the test environment (see test-env/). */
export interface TestApiServer {
  name: string;
  serverUrl: string;
  caData: string;
  adminToken: string;
  readOnlyToken: string;
  adminCertData: string;
  adminKeyData: string;
  kubernetesVersion: string;
}

/** The API servers scripts/test.sh started for this run. */
export function testApiServers(): TestApiServer[] {
  const file = process.env.CLUSTER_REGISTRY_TEST_ENV;
  if (!file) {
    throw new Error(
      'CLUSTER_REGISTRY_TEST_ENV is not set: run the e2e stage through scripts/test.sh (or start `yarn test-env up --kube 2 --out env.json` and point it there)',
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')).kubeApiServers;
}

/** The private cluster behind a bastion that scripts/test.sh started (test-env's bastion service). */
export interface TestBastion {
  address: string;
  apiHost: string;
  kubeApiServer: TestApiServer;
  ssh: {
    host: string;
    port: number;
    username: string;
    password: string;
    privateKey: string;
    hostKey: string;
    logFile: string;
  };
  /** tinyproxy inside the namespace, without credentials. */
  proxy: { url: string; logFile: string };
}

export function testBastion(): TestBastion {
  const file = process.env.CLUSTER_REGISTRY_TEST_ENV;
  const bastion = file && JSON.parse(fs.readFileSync(file, 'utf8')).bastion;
  if (!bastion) {
    throw new Error(
      'no bastion in CLUSTER_REGISTRY_TEST_ENV: run the e2e stage through scripts/test.sh (it starts `test-env up --kube 2 --bastion`)',
    );
  }
  return bastion;
}

/** One monitored test cluster (test-env's monitoring service). */
export interface TestMonitoredCluster {
  /** The TestApiServer.name of its API server. */
  name: string;
  clusterLabelValue: string;
  nodes: string[];
  nodeRoles: string[];
  warningEventReasons: string[];
  workload?: {
    namespace: string;
    deployment: string;
    kubernetesId: string;
    runningPod: string;
  };
}

/** Prometheus with exporters for the first two API servers (`--monitoring`). */
export function testMonitoring(): {
  prometheusUrl: string;
  clusterLabel: string;
  clusters: TestMonitoredCluster[];
} {
  const file = process.env.CLUSTER_REGISTRY_TEST_ENV;
  const monitoring =
    file && JSON.parse(fs.readFileSync(file, 'utf8')).monitoring;
  if (!monitoring) {
    throw new Error(
      'no monitoring in CLUSTER_REGISTRY_TEST_ENV: run the e2e stage through scripts/test.sh (it starts `test-env up --kube 2 --bastion --monitoring`)',
    );
  }
  return monitoring;
}

/** Runs a template through the scaffolder backend; returns the finished task's log and state. */
export async function runTemplate(
  request: APIRequestContext,
  auth: Record<string, string>,
  templateRef: string,
  values: object,
  secrets: Record<string, string> = {},
) {
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/${templateRef
              .replace(':', '/default/')
              .replace('/default/default/', '/default/')}`,
            { headers: auth },
          )
        ).status(),
      { timeout: 60_000 },
    )
    .toBe(200);
  const created = await request.post(`${backend}/api/scaffolder/v2/tasks`, {
    headers: auth,
    data: { templateRef, values, secrets },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  let task: any;
  await expect
    .poll(
      async () => {
        task = await (
          await request.get(`${backend}/api/scaffolder/v2/tasks/${id}`, {
            headers: auth,
          })
        ).json();
        return task.status;
      },
      { timeout: 60_000 },
    )
    .toMatch(/completed|failed/);
  const events = await (
    await request.get(`${backend}/api/scaffolder/v2/tasks/${id}/eventstream`, {
      headers: { ...auth, accept: 'text/event-stream' },
    })
  ).text();
  return { task, events };
}

/** The proxy that signs a browser in as a second user (test-env's identity proxy). */
export function testIdentityProxy(): { url: string; user: string } {
  const file = process.env.CLUSTER_REGISTRY_TEST_ENV;
  const proxy = file && JSON.parse(fs.readFileSync(file, 'utf8')).identityProxy;
  if (!proxy) {
    throw new Error(
      'no identityProxy in CLUSTER_REGISTRY_TEST_ENV: run the e2e stage through scripts/test.sh (it starts `test-env up ... --identity-proxy`)',
    );
  }
  return proxy;
}
