import { type EgressPolicy, egressAgents } from '@dolly/contracts/egress';
import { rootCertificates } from 'node:tls';
import { CloudError } from './errors';
import type { CloudAccountConfig, CloudId, OperationContext, ResourceOrigin } from './types';

/** Real clouds: poll every 10 s; a run step may lower this (the worker's tests do). */
export const DEFAULT_POLL_MS = 10_000;
/** Longest real create is an EKS control plane (~15 min); leave room for slow days. */
export const DEFAULT_TIMEOUT_MS = 45 * 60_000;

export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error(reason instanceof Error ? reason.message : 'The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `check` until it returns a value (not undefined), bounded by ctx.timeoutMs. Transient and
 * throttled CloudErrors from a check are waited out (with the cloud's Retry-After when given), so a
 * blip in a 15-minute wait does not fail the step.
 */
export async function pollUntil<T>(
  cloud: CloudId,
  operation: string,
  ctx: OperationContext,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const interval = ctx.pollIntervalMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + (ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    if (ctx.signal?.aborted) throw abortError(ctx.signal);
    let wait = interval;
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      // a resource that ended FAILED is an answer, not a blip
      if (!(e instanceof CloudError) || !e.retryable || e.cloudCode === 'ProvisioningFailed') throw e;
      wait = Math.max(interval, e.retryAfterMs ?? 0);
    }
    if (Date.now() + wait > deadline) {
      throw new CloudError({
        cloud,
        operation,
        class: 'transient',
        cloudCode: 'Timeout',
        message: `${operation}: still not done after ${Math.round((ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`,
      });
    }
    const pause = () => sleep(wait, ctx.signal);
    await (ctx.idle ? ctx.idle(pause) : pause());
  }
}

/**
 * The agents every SDK client of an account connects through: egress-checked at connect time
 * (no loopback, metadata or private addresses unless the operator allows them) and trusting the
 * account's CA bundle on top of the system roots.
 */
export function accountAgents(account: CloudAccountConfig, egress: EgressPolicy) {
  const cas = trustedCas(account);
  return egressAgents(egress, cas ? { ca: cas } : {});
}

/** CA list for an https.Agent / tlsOptions: the system roots plus the account's bundle. */
export function trustedCas(account: CloudAccountConfig): string[] | undefined {
  if (!account.caBundle) return undefined;
  return [...rootCertificates, account.caBundle];
}

export function credString(account: CloudAccountConfig, key: string): string | undefined {
  const v = account.credentials[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function requireCred(account: CloudAccountConfig, key: string): string {
  const v = credString(account, key);
  if (!v) {
    throw new CloudError({
      cloud: account.cloud,
      operation: 'credentials',
      class: 'auth',
      field: `credentials.${key}`,
      message: `the account's ${account.credentialKind} credentials have no ${key}`,
    });
  }
  return v;
}

/** Runs `fn` over items with at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/** A promise chain per key: GKE and AKS take one mutating operation per cluster at a time. */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.catch(() => undefined).then(fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export function progress(
  ctx: OperationContext | undefined,
  phase: string,
  message?: string,
  percent?: number,
): void {
  ctx?.onProgress?.({
    phase,
    ...(message !== undefined ? { message } : {}),
    ...(percent !== undefined ? { percent } : {}),
  });
}

export async function record(
  ctx: OperationContext | undefined,
  ref: Parameters<NonNullable<OperationContext['recordResource']>>[0],
  origin: ResourceOrigin = 'created',
): Promise<void> {
  await ctx?.recordResource?.(ref, origin);
}

export function conflict(cloud: CloudId, operation: string, what: string, planId: string): CloudError {
  return new CloudError({
    cloud,
    operation,
    class: 'conflict',
    cloudCode: 'NotOwnedByPlan',
    message: `${what} already exists and was not created by plan ${planId} (no dolly-plan=${planId} label); choose another name or delete it`,
  });
}

/** The env label Dolly reads as the cluster's environment (model.md: kept as a label too). */
export function environmentOf(labels: Record<string, string>): string | undefined {
  return labels.env ?? labels.environment ?? labels['dolly-env'];
}

/** Labels to put on a cloud resource for a target: the spec's labels, the env and the plan id. */
export function labelsFor(
  target: { labels: Record<string, string>; environment?: string },
  planId: string,
): Record<string, string> {
  const out = { ...target.labels };
  if (target.environment && environmentOf(out) === undefined) out.env = target.environment;
  out['dolly-plan'] = planId;
  return out;
}
