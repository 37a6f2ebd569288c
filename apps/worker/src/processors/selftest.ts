import type { Run } from '@dolly/db';
import type { ProcessorDeps } from '../deps.ts';

/** Exercises every moving part a real run uses: steps, checkpoints, events, Postgres, Redis. */
export async function processSelftest(deps: ProcessorDeps, run: Run) {
  const runId = run.id;
  const steps = deps.steps(runId);
  const database = await steps.runStep('check-database', async () => {
    const tenants = await deps.db.tenant.count();
    return { tenants };
  });
  const redis = await steps.runStep('check-redis', async () => {
    const key = `dolly:selftest:${runId}`;
    await deps.redis.set(key, 'ok', 'EX', 60);
    return { roundTrip: (await deps.redis.get(key)) === 'ok' };
  });
  const note = (run.input as { note?: string | null }).note ?? null;
  await deps.appendRunEvent(runId, 'info', 'All checks passed', { data: { database, redis } });
  await deps.lifecycle.finish(runId, 'succeeded', { database, redis, note, worker: deps.workerId });
}
