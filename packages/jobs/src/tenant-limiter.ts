import type { Redis } from 'ioredis';

/**
 * Admits a run when its tenant holds fewer than `limit` slots. KEYS[1] the tenant's slot set
 * (member run id, score lease expiry in ms), KEYS[2] its waiting set (member run id, score first
 * wait). Expired leases (a crashed worker's) are dropped first; a run already holding a slot (a job
 * re-delivered after its worker died) gets it back. Returns {1, held} or {0, held}. The clock is
 * Redis's own, so workers with skewed clocks still agree on what expired.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or held < limit then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {1, redis.call('ZCARD', KEYS[1])}
end
redis.call('ZADD', KEYS[2], 'NX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return {0, held}
`;

/** Extends a lease still held; 0 when it was lost (expired and dropped meanwhile). */
const REFRESH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1
`;

/** Frees a slot and hands back the longest-waiting run of the tenant (removed from the waiting set). */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local next = redis.call('ZRANGE', KEYS[2], 0, 0)
if next[1] then
  redis.call('ZREM', KEYS[2], next[1])
  return next[1]
end
return false
`;

export interface TenantSlot {
  /** Gives the slot back (idempotent) and returns the run of the tenant that waited longest, if any. */
  release(): Promise<string | null>;
}

export type TenantAdmission =
  | { admitted: true; slot: TenantSlot; held: number }
  | { admitted: false; held: number };

export interface TenantLimiter {
  /** 0 = unlimited. */
  readonly limit: number;
  /**
   * Takes one of the tenant's slots for this run, or says no (and notes the run as waiting). A held
   * slot is kept alive by a heartbeat until released; if the process dies it expires after `leaseMs`.
   */
  acquire(tenantId: string, runId: string): Promise<TenantAdmission>;
  /** Run ids holding a live slot of the tenant. */
  holders(tenantId: string): Promise<string[]>;
  /** Pops the longest-waiting run of the tenant (for a caller that could not wake the one before). */
  nextWaiting(tenantId: string): Promise<string | null>;
}

export interface TenantLimiterOptions {
  /** Runs of one tenant running at once across every worker; 0 = unlimited. */
  limit: number;
  /** How long a slot outlives the last heartbeat of its holder (a crashed worker's slot). */
  leaseMs?: number;
  keyPrefix?: string;
  /** How long a tenant's waiting list is kept without activity. */
  waitingTtlMs?: number;
  onLeaseLost?: (tenantId: string, runId: string) => void;
}

/**
 * Per-tenant concurrency limit shared by every worker through Redis: one sorted set of leases per
 * tenant, so one tenant (or one slow migration fanning out) cannot hold every worker slot.
 */
export function createTenantLimiter(redis: Redis, opts: TenantLimiterOptions): TenantLimiter {
  const prefix = opts.keyPrefix ?? 'dolly:tenant-slots';
  const leaseMs = Math.max(opts.leaseMs ?? 30_000, 100);
  const waitingTtlMs = opts.waitingTtlMs ?? 24 * 3600_000;
  const slots = (tenantId: string) => `${prefix}:{${tenantId}}:running`;
  const waiting = (tenantId: string) => `${prefix}:{${tenantId}}:waiting`;
  const unlimited: TenantSlot = { release: async () => null };

  return {
    limit: opts.limit,
    async acquire(tenantId, runId) {
      if (opts.limit <= 0) return { admitted: true, slot: unlimited, held: 0 };
      const [ok, held] = (await redis.eval(
        ACQUIRE,
        2,
        slots(tenantId),
        waiting(tenantId),
        runId,
        opts.limit,
        leaseMs,
        waitingTtlMs,
      )) as [number, number];
      if (ok !== 1) return { admitted: false, held };
      let released: Promise<string | null> | undefined;
      const heartbeat = setInterval(
        () => {
          redis
            .eval(REFRESH, 1, slots(tenantId), runId, leaseMs)
            .then((kept) => {
              if (kept !== 1 && !released) opts.onLeaseLost?.(tenantId, runId);
            })
            .catch(() => undefined);
        },
        Math.max(Math.floor(leaseMs / 3), 30),
      );
      heartbeat.unref();
      return {
        admitted: true,
        held,
        slot: {
          release() {
            clearInterval(heartbeat);
            released ??= (
              redis.eval(RELEASE, 2, slots(tenantId), waiting(tenantId), runId) as Promise<string | null>
            ).then((next) => next ?? null);
            return released;
          },
        },
      };
    },
    async holders(tenantId) {
      const now = Date.now();
      return redis.zrangebyscore(slots(tenantId), now, '+inf');
    },
    async nextWaiting(tenantId) {
      const [next] = await redis.zpopmin(waiting(tenantId));
      return next ?? null;
    },
  };
}
