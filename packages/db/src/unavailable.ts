/**
 * Whether an error means "Postgres is not there right now" (stopped, restarting, network cut, pool
 * exhausted) rather than a bug or a bad query: the API answers 503 with Retry-After for those, and
 * the caller may simply try again. Errors arrive in three shapes: Prisma's known request errors
 * (P1xxx with the driver adapter's cause), the adapter's own DriverAdapterError, and raw pg/pg-pool
 * errors that escape the adapter ("Connection terminated unexpectedly").
 */
const prismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const adapterKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
/** SQLSTATE class 08 (connection exception) and 57P01–57P03 (shutdown, crash, starting up). */
const sqlState = /^(08[0-9A-Z]{3}|57P0[123])$/;
const messages =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|server closed the connection/i;

interface Shape {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as Shape;
  if (
    typeof e.code === 'string' &&
    (prismaCodes.has(e.code) || socketCodes.has(e.code) || sqlState.test(e.code))
  )
    return true;
  if (typeof e.kind === 'string' && adapterKinds.has(e.kind)) return true;
  if (typeof e.originalCode === 'string' && sqlState.test(e.originalCode)) return true;
  if (typeof e.message === 'string' && messages.test(e.message)) return true;
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  )
    return true;
  return (
    isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)
  );
}
