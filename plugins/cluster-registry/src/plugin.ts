import {
  createApiFactory,
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
