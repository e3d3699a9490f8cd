import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityMetricsResponse } from '@cluster-registry/plugin-cluster-registry-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { clusterRegistryApiRef } from '../../api';
import { mockClusterRegistryApi } from '../../__testUtils__/mockApi';
import { EntityClusterMetricsCard } from './EntityClusterMetricsCard';

const entity = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'demo-shop', namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'platform' },
});

const now = 1_790_000_000;
const found: EntityMetricsResponse = {
  entityRef: 'component:default/demo-shop',
  family: 'prometheus-client',
  selector: 'backstage.io/kubernetes-id=demo-shop',
  searched: 2,
  clusters: [
    {
      cluster: 'prod-eu-1',
      title: 'Prod EU 1',
      category: 'prod',
      workloads: [
        {
          kind: 'Deployment',
          namespace: 'shop',
          name: 'demo-shop',
          desiredReplicas: 3,
          availableReplicas: 2,
        },
      ],
      results: [
        {
          id: 'app.requestRate',
          title: 'Requests',
          unit: 'perSecond',
          series: [
            {
              labels: { workload: 'shop/demo-shop' },
              points: [
                [now - 60, 1.5],
                [now, 2],
              ],
            },
          ],
        },
        {
          id: 'workload.cpu',
          title: 'CPU per pod',
          unit: 'cores',
          error: 'no container_cpu_usage_seconds_total series',
        },
        {
          id: 'workload.memory',
          title: 'Memory per pod',
          unit: 'bytes',
          series: [],
        },
      ],
    },
  ],
};

async function renderCard(
  annotations: Record<string, string>,
  response: EntityMetricsResponse = found,
) {
  const api = mockClusterRegistryApi({
    queryEntityMetrics: async () => response,
    listCategories: async () => [{ name: 'prod' }, { name: 'qa' }],
  });
  await renderInTestApp(
    <TestApiProvider apis={[[clusterRegistryApiRef, api]]}>
      <EntityProvider entity={entity(annotations)}>
        <EntityClusterMetricsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

describe('EntityClusterMetricsCard', () => {
  it('names the annotations to add when the workloads cannot be found', async () => {
    const api = await renderCard({});
    expect(
      await screen.findByText('The workloads of this entity cannot be found'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Add the annotation backstage.io\/kubernetes-id/),
    ).toBeInTheDocument();
    expect(api.queryEntityMetrics).not.toHaveBeenCalled();
  });

  it('shows workloads and charts per cluster, says what is missing, and asks again for another range or category', async () => {
    const api = await renderCard({ 'backstage.io/kubernetes-id': 'demo-shop' });
    expect(
      await screen.findByText('Deployment shop/demo-shop: 2/3 available'),
    ).toBeInTheDocument();
    expect(api.queryEntityMetrics).toHaveBeenCalledWith({
      entityRef: 'component:default/demo-shop',
      range: { last: '1h' },
      categories: undefined,
    });
    const requests = screen.getByRole('figure', { name: 'Requests chart' });
    await waitFor(() =>
      expect(requests.querySelector('path.recharts-line-curve')).not.toBeNull(),
    );
    const cpu = screen.getByRole('figure', {
      name: 'CPU per pod (cores) chart',
    });
    expect(
      within(cpu).getByText(/no container_cpu_usage_seconds_total series/),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('figure', { name: 'Memory per pod chart' }),
      ).getByText(/does not scrape cAdvisor/),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('figure', { name: 'Error ratio chart' }),
      ).getByText(/cluster-registry.io\/metrics-family/),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'last 6h' }));
    await waitFor(() =>
      expect(api.queryEntityMetrics).toHaveBeenLastCalledWith(
        expect.objectContaining({ range: { last: '6h' } }),
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'qa' }));
    await waitFor(() =>
      expect(api.queryEntityMetrics).toHaveBeenLastCalledWith(
        expect.objectContaining({ categories: ['qa'] }),
      ),
    );
  });

  it('says how many clusters were searched when none runs the workloads', async () => {
    await renderCard(
      { 'backstage.io/kubernetes-id': 'demo-shop' },
      { ...found, clusters: [] },
    );
    expect(
      await screen.findByText(
        /Searched 2 cluster\(s\) for workloads matching backstage.io\/kubernetes-id=demo-shop/,
      ),
    ).toBeInTheDocument();
  });
});
