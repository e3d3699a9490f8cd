import { createRouteRef } from '@backstage/core-plugin-api';

/** The cluster list, /clusters by default. */
export const rootRouteRef = createRouteRef({ id: 'cluster-registry' });
