import { useCallback, useState } from 'react';

/** `busy` while an action runs; the action's errors propagate to the caller. */
export function useBusy(): [
  boolean,
  <T>(action: () => Promise<T>) => Promise<T>,
] {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T>(action: () => Promise<T>) => {
    setBusy(true);
    try {
      return await action();
    } finally {
      setBusy(false);
    }
  }, []);
  return [busy, run];
}
