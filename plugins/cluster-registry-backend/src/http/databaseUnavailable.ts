import { ServiceUnavailableError } from '@backstage/errors';

/** PostgreSQL's SQLSTATEs for a server that is going away or not there yet. */
const UNAVAILABLE_STATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
]);

/** Errors of Backstage's own kinds, which the error handler maps itself. */
const KNOWN = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'NotImplementedError',
  'ServiceUnavailableError',
  'ForwardedError',
  'ResponseError',
]);

const UNAVAILABLE_TEXT =
  /Connection terminated|Timeout acquiring a connection|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|connect ECONNREFUSED|read ECONNRESET/i;

/**
 * A request that failed because the database could not be reached (it
 * restarts, a failover) is a 503, to be retried, not a 500: the registry is
 * unavailable for a moment, nothing is wrong with the request. Other
 * errors pass as they are.
 */
export function databaseUnavailable(error: Error): Error {
  // An error that already says what went wrong (InputError, NotFoundError,
  // a ForwardedError of another service, ...) keeps its meaning.
  if (KNOWN.has(error.name)) return error;
  const code = (error as { code?: unknown }).code;
  if (
    (typeof code === 'string' && UNAVAILABLE_STATES.has(code)) ||
    UNAVAILABLE_TEXT.test(error.message ?? '')
  )
    return new ServiceUnavailableError(
      'the registry cannot reach its database just now; try again in a moment',
      error,
    );
  return error;
}
