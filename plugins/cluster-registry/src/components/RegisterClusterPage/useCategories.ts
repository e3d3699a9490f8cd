import { useApi } from '@backstage/core-plugin-api';
import { Category } from '@cluster-registry/plugin-cluster-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';

/** The categories to pick from; empty while loading or when they cannot be read. */
export function useCategories(): Category[] {
  const api = useApi(clusterRegistryApiRef);
  return useAsync(() => api.listCategories(), [api]).value ?? [];
}
