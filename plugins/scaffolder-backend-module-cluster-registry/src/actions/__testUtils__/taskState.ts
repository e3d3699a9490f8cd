import { ActionContext } from '@backstage/plugin-scaffolder-node';

/**
 * A task's checkpoint state as the scaffolder keeps it: a key that succeeded
 * returns its stored (JSON) value on a retry; a failed one runs again.
 */
export function taskState() {
  const done = new Map<string, string>();
  const checkpoint: ActionContext<any>['checkpoint'] = async ({ key, fn }) => {
    const stored = done.get(key);
    if (stored !== undefined) return JSON.parse(stored);
    const value = await fn();
    done.set(key, JSON.stringify(value ?? {}));
    return value;
  };
  return { checkpoint, keys: () => [...done.keys()] };
}
