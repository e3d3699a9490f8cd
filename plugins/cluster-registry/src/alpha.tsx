/**
 * The cluster registry frontend for the new frontend system.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { clusterRegistryApiRef, ClusterRegistryClient } from './api';
import { categoriesRouteRef, clusterRouteRef, rootRouteRef } from './routes';

const clusterRegistryApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: clusterRegistryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ClusterRegistryClient(deps),
    }),
});

const clusterListPage = PageBlueprint.make({
  params: {
    path: '/clusters',
    title: 'Clusters',
    icon: <StorageIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/Router').then(m => compatWrapper(<m.Router />)),
  },
});

/** Application metrics on the overview of Components. */
const entityClusterMetricsCard = EntityCardBlueprint.make({
  name: 'cluster-metrics',
  params: {
    filter: 'kind:component',
    loader: () =>
      import('./components/EntityClusterMetricsCard').then(m =>
        compatWrapper(<m.EntityClusterMetricsCard />),
      ),
  },
});

/** @alpha */
export default createFrontendPlugin({
  pluginId: 'cluster-registry',
  extensions: [clusterRegistryApi, clusterListPage, entityClusterMetricsCard],
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    cluster: convertLegacyRouteRef(clusterRouteRef),
    categories: convertLegacyRouteRef(categoriesRouteRef),
  },
});
