import type { CloudAccount, Database } from '@dolly/db';
import type { StepContext } from '@dolly/jobs';
import type { CloudResourceRef, PlanContext, ProgressUpdate } from '@dolly/providers';
import type { ProcessorDeps } from '../deps.ts';

/** The stable string of a ledger locator: one row per resource per run, however often recorded. */
export function locatorKey(ref: Pick<CloudResourceRef, 'scope' | 'location' | 'cluster' | 'name'>) {
  return [ref.scope, ref.location, ref.cluster, ref.name ?? ''].join('/');
}

export async function recordInLedger(
  db: Database,
  runId: string,
  account: CloudAccount,
  ref: CloudResourceRef,
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
    },
    update: {},
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
    recordResource: (ref) => recordInLedger(deps.db, run.id, account, ref),
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
