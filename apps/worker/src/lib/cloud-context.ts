import type { CloudAccount, Database } from '@dolly/db';
import type { StepContext } from '@dolly/jobs';
import type { CloudResourceRef, PlanContext, ProgressUpdate, ResourceOrigin } from '@dolly/providers';
import type { ProcessorDeps } from '../deps.ts';

/** The stable string of a ledger locator: one row per resource per run, however often recorded. */
export function locatorKey(ref: Pick<CloudResourceRef, 'scope' | 'location' | 'cluster' | 'name'>) {
  return [ref.scope, ref.location, ref.cluster, ref.name ?? ''].join('/');
}

/**
 * One ledger row per resource per run. `adopted` (it existed, with this plan's tag) never turns a
 * row into something rollback deletes; `created` wins once the run really created it (a failed
 * node group of ours deleted and created again).
 */
export async function recordInLedger(
  db: Database,
  runId: string,
  account: CloudAccount,
  ref: CloudResourceRef,
  origin: ResourceOrigin = 'created',
) {
  const key = locatorKey(ref);
  await db.runResource.upsert({
    where: { runId_kind_locatorKey: { runId, kind: ref.kind, locatorKey: key } },
    create: {
      runId,
      accountId: account.id,
      cloud: ref.cloud,
      kind: ref.kind,
      locator: { ...ref },
      locatorKey: key,
      origin,
    },
    update: origin === 'created' ? { origin } : {},
  });
}

/**
 * The provider context of one step: cancel signal, ledger writes before any wait, and progress
 * turned into run events (at most one per second per step unless the phase changes).
 */
export function stepCloudContext(
  deps: ProcessorDeps,
  run: { id: string; planId: string | null },
  account: CloudAccount,
  stepKey: string,
  step: StepContext,
  signal: AbortSignal,
): PlanContext {
  let last = { at: 0, phase: '' };
  return {
    planId: run.planId ?? run.id,
    signal,
    pollIntervalMs: deps.pollIntervalMs,
    timeoutMs: deps.cloudTimeoutMs,
    idle: step.idle,
    recordResource: (ref, origin) => recordInLedger(deps.db, run.id, account, ref, origin),
    onProgress: (p: ProgressUpdate) => {
      if (p.cloudRequestId) step.recordRequestId(p.cloudRequestId);
      const now = Date.now();
      if (p.phase === last.phase && now - last.at < 1000) return;
      last = { at: now, phase: p.phase };
      void deps
        .appendRunEvent(run.id, 'info', `${stepKey}: ${p.message ?? p.phase}`, {
          stepKey,
          data: { progress: p },
        })
        .catch(() => undefined);
    },
  };
}
