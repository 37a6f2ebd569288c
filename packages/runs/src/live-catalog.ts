/**
 * The catalog a clone is planned and validated with: the target account's live lists over the
 * bundled snapshot. Shared by the API (planning, editing, applying) and the worker (the validate
 * step), so both judge a plan against the same lists.
 */
import { DollyError } from '@dolly/contracts';
import {
  type Catalog,
  type CatalogOverlay,
  type CloudId,
  type LiveListResult,
  type PlanCatalog,
  bundledCatalog,
  catalogForPlan,
} from '@dolly/model';
import { CloudError } from '@dolly/providers';
import { z } from 'zod';

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * How long planning waits for the target account's lists. Read per request so an operator's change
 * (and a test's) needs no restart; 0 turns the live lists off (an installation without egress).
 */
export function liveCatalogTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = z.coerce.number().int().min(0).safeParse(env.DOLLY_PLAN_CATALOG_TIMEOUT_MS);
  return env.DOLLY_PLAN_CATALOG_TIMEOUT_MS !== undefined && parsed.success ? parsed.data : DEFAULT_TIMEOUT_MS;
}

class ListTimeout extends Error {}

/**
 * Why a list call failed, in Dolly's words only: the account's endpoint is a host the tenant chose,
 * so neither its answer nor its error text is repeated (docs/security.md).
 */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof ListTimeout) return `the account did not answer within ${timeoutMs / 1000} s`;
  if (error instanceof CloudError) {
    const what = {
      throttled: 'throttled',
      quota: 'refused (quota)',
      rejected: 'rejected',
      not_found: 'not found',
      conflict: 'refused (conflict)',
      auth: 'refused the credentials',
      transient: 'unreachable or failing',
    }[error.class];
    return `${error.operation}: ${what}`;
  }
  // Dolly's own refusals (no stored credentials, host identity not allowed, endpoint policy).
  if (error instanceof DollyError) return error.message;
  return 'the list call failed';
}

/** What planning needs from a provider: its live lists for one region. */
export interface LiveListSource {
  regionCatalog(region: string, ctx: { signal: AbortSignal; timeoutMs: number }): Promise<CatalogOverlay>;
}

/**
 * One read-only call to the target account, bounded by `timeoutMs`, that never throws: the answer,
 * or a reason in Dolly's words. Not every provider honours the signal on every call (GKE's
 * getServerConfig): the race bounds it.
 */
export async function askAccount<T>(
  fn: (ctx: { signal: AbortSignal; timeoutMs: number }) => Promise<T>,
  timeoutMs: number,
): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new ListTimeout();
      controller.abort(e);
      reject(e);
    }, timeoutMs);
  });
  try {
    // the provider is opened inside: opening it can itself be refused (policy, credentials)
    const value = await Promise.race([fn({ signal: controller.signal, timeoutMs }), timeout]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: reasonOf(error, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The target's lists as read moments ago, shared by the runs of one plan applied together: twenty
 * clone runs validating into one account and region ask it once, not twenty times, and judge their
 * items against the same reading. Keys name the plan, so a later plan (or a retry after the TTL)
 * reads the lists again; a failed read is not kept.
 */
export class RecentLists {
  readonly #entries = new Map<string, { at: number; value: Promise<LiveListResult> }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, fetch: () => Promise<LiveListResult>): Promise<LiveListResult> {
    const t = this.now();
    for (const [k, e] of this.#entries) if (t - e.at > this.ttlMs) this.#entries.delete(k);
    const hit = this.#entries.get(key);
    if (hit) return hit.value;
    const entry = {
      at: t,
      value: fetch().then((r) => {
        if (!r.ok && this.#entries.get(key) === entry) this.#entries.delete(key);
        return r;
      }),
    };
    this.#entries.set(key, entry);
    return entry.value;
  }
}

async function fetchRegion(
  provider: () => LiveListSource,
  region: string,
  timeoutMs: number,
): Promise<LiveListResult> {
  const r = await askAccount((ctx) => provider().regionCatalog(region, ctx), timeoutMs);
  return r.ok
    ? { region, ok: true, overlay: r.value, fetchedAt: new Date().toISOString() }
    : { region, ok: false, reason: r.reason };
}

/**
 * The catalog to plan (or validate) into `account` with: its live lists for `regions` over the
 * bundled snapshot, or the snapshot alone when they cannot be had. Never throws: planning does not
 * depend on the account answering.
 */
export async function planningCatalog(
  /** Called inside the fallback: opening the provider can itself be refused (policy, credentials). */
  provider: () => LiveListSource,
  account: { cloud: string; name: string },
  regions: string[],
  /** reuse a reading of the same lists under `key` (per region) */
  recent?: { lists: RecentLists; key: string },
): Promise<{ catalog: Catalog; info: PlanCatalog }> {
  const timeoutMs = liveCatalogTimeoutMs();
  const cloud = account.cloud as CloudId;
  if (timeoutMs === 0) {
    const { catalog, info } = catalogForPlan(bundledCatalog, cloud, [], account.name);
    return {
      catalog,
      info: {
        ...info,
        region: regions.join(', '),
        reason: 'live lists are turned off (DOLLY_PLAN_CATALOG_TIMEOUT_MS=0)',
      },
    };
  }
  const results = await Promise.all(
    regions.map((r) =>
      recent
        ? recent.lists.get(`${recent.key}:${r}`, () => fetchRegion(provider, r, timeoutMs))
        : fetchRegion(provider, r, timeoutMs),
    ),
  );
  return catalogForPlan(bundledCatalog, cloud, results, account.name);
}
