import { ClusterState } from '@cluster-registry/plugin-cluster-registry-common';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The list's filters, kept in the URL so a filtered view can be shared. */
export function useClusterFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(
    () => ({
      categories: params.getAll('category'),
      states: params.getAll('state') as ClusterState[],
      q: params.get('q') ?? '',
    }),
    [params],
  );
  const update = useCallback(
    (next: { categories?: string[]; states?: ClusterState[]; q?: string }) => {
      const merged = { ...filters, ...next };
      const out = new URLSearchParams();
      merged.categories.forEach(c => out.append('category', c));
      merged.states.forEach(s => out.append('state', s));
      if (merged.q) out.set('q', merged.q);
      setParams(out, { replace: true });
    },
    [filters, setParams],
  );
  return { filters, update };
}
