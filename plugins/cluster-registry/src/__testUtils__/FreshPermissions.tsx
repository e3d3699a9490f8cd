import { ReactNode } from 'react';
import { SWRConfig } from 'swr';

/**
 * A fresh cache for `usePermission` (it keeps decisions in SWR's cache, which
 * is module-wide by default), so that a test denying a permission next to
 * tests allowing it sees its own decision.
 */
export function FreshPermissions({ children }: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>
      {children}
    </SWRConfig>
  );
}
