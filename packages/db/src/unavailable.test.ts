import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './unavailable.ts';

describe('isDatabaseUnavailable', () => {
  it('recognises the shapes a stopped or restarting Postgres produces', () => {
    // Prisma's error for a pool that cannot connect, with the adapter's cause in meta
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), {
          code: 'P1001',
          meta: {
            driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } },
          },
        }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable({ name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } })).toBe(
      true,
    );
    // raw pg-pool error that escapes the adapter when the server goes away mid-query
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    // admin_shutdown from `pg_ctl stop`, and "the database system is starting up"
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: { code: '57P03' } }))).toBe(true);
    expect(
      isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])),
    ).toBe(true);
  });

  it('does not mistake query and data errors for an outage', () => {
    expect(
      isDatabaseUnavailable(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' })),
    ).toBe(false);
    expect(
      isDatabaseUnavailable({ name: 'DriverAdapterError', cause: { kind: 'UniqueConstraintViolation' } }),
    ).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});
