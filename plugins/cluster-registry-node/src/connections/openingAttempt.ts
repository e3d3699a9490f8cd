import { TunnelError } from './TunnelError';

/** How an attempt to open a proxy tunnel or an SSH connection ends, once. */
export interface OpeningAttempt<T> {
  /** Whether it has ended (later errors are the open connection's). */
  readonly settled: boolean;
  /** Ends it with `error`, after aborting what it had dialled. */
  fail(error: TunnelError): void;
  /** Ends it with `value`, unless it has ended already. */
  succeed(value: T): void;
}

/**
 * Settles a promise once, whichever of success, failure or the deadline
 * comes first; the deadline fails it with `timeout()`.
 */
export function openingAttempt<T>(options: {
  resolve: (value: T) => void;
  reject: (error: TunnelError) => void;
  timeoutMs: number;
  timeout: () => TunnelError;
  abort: () => void;
}): OpeningAttempt<T> {
  let settled = false;
  const deadline: { timer?: NodeJS.Timeout } = {};
  const end = () => {
    if (settled) return false;
    settled = true;
    clearTimeout(deadline.timer);
    return true;
  };
  const attempt: OpeningAttempt<T> = {
    get settled() {
      return settled;
    },
    fail(error) {
      if (!end()) return;
      options.abort();
      options.reject(error);
    },
    succeed(value) {
      if (end()) options.resolve(value);
    },
  };
  deadline.timer = setTimeout(
    () => attempt.fail(options.timeout()),
    Math.max(1, options.timeoutMs),
  );
  return attempt;
}
