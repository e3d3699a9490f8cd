import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/** The way back to the cluster list, for page headers. */
export function AllClustersLink() {
  return (
    <Link
      to={useRouteRef(rootRouteRef)()}
      style={{ color: 'inherit', textDecoration: 'underline' }}
    >
      All clusters
    </Link>
  );
}
