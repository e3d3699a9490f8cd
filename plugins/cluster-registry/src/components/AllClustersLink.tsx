import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';
import { HeaderLink } from './HeaderLink';

/** The way back to the cluster list, for page headers. */
export function AllClustersLink() {
  return <HeaderLink to={useRouteRef(rootRouteRef)()}>All clusters</HeaderLink>;
}
