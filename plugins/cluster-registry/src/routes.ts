import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The cluster list, /clusters by default. */
export const rootRouteRef = createRouteRef({ id: 'cluster-registry' });

/** One cluster's page, /clusters/:name. */
export const clusterRouteRef = createSubRouteRef({
  id: 'cluster-registry/cluster',
  parent: rootRouteRef,
  path: '/:name',
});

/** The categories admin, /clusters/categories. */
export const categoriesRouteRef = createSubRouteRef({
  id: 'cluster-registry/categories',
  parent: rootRouteRef,
  path: '/categories',
});

/** The registration page, /clusters/register. */
export const registerRouteRef = createSubRouteRef({
  id: 'cluster-registry/register',
  parent: rootRouteRef,
  path: '/register',
});

/** Creating a cluster at a provider (EKS), /clusters/create. */
export const createClusterRouteRef = createSubRouteRef({
  id: 'cluster-registry/create',
  parent: rootRouteRef,
  path: '/create',
});
