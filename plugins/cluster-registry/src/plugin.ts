import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import type { JSX } from 'react';
import { clusterRegistryApiRef, ClusterRegistryClient } from './api';
import { categoriesRouteRef, clusterRouteRef, rootRouteRef } from './routes';

/** The cluster registry frontend plugin for the legacy frontend system. @public */
export const clusterRegistryPlugin = createPlugin({
  id: 'cluster-registry',
  apis: [
    createApiFactory({
      api: clusterRegistryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ClusterRegistryClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
    cluster: clusterRouteRef,
    categories: categoriesRouteRef,
  },
});

/** The cluster pages (list and /:name); mount them at /clusters. @public */
export const ClusterRegistryPage: () => JSX.Element =
  clusterRegistryPlugin.provide(
    createRoutableExtension({
      name: 'ClusterRegistryPage',
      component: () => import('./components/Router').then(m => m.Router),
      mountPoint: rootRouteRef,
    }),
  );

/**
 * An entity's application metrics in the registered clusters that run its
 * workloads; put it on a Component's entity page (overview or its own tab).
 * @public
 */
export const EntityClusterMetricsCard: () => JSX.Element =
  clusterRegistryPlugin.provide(
    createComponentExtension({
      name: 'EntityClusterMetricsCard',
      component: {
        lazy: () =>
          import('./components/EntityClusterMetricsCard').then(
            m => m.EntityClusterMetricsCard,
          ),
      },
    }),
  );
