import type { Run } from '@dolly/db';
import type { StepContext } from '@dolly/jobs';
import {
  admitEnvironmentRun,
  assertApproved,
  childRunKey,
  type EnvironmentChildStep,
  environmentChildren,
  environmentRunInputSchema,
  ROLLBACKABLE_STATUSES,
  runChain,
} from '@dolly/runs';
import type { ProcessorDeps } from '../deps.ts';
import { admitted } from '../lib/admission.ts';
import { type ChildSpec, childFailed, startChildRun, waitForChild } from '../lib/child-runs.ts';
import { RunInputError } from '../run-guard.ts';

/** What a child step keeps as its checkpoint: the child and how it ended. */
interface ChildOutcome {
  runId: string;
  status: Run['status'];
}

/**
 * The child of a step, started or picked up, then waited for without holding a work slot. A
 * retried parent finds the child of the attempt it retries: a succeeded one is reused, one still
 * under way is waited for, any other is retried as a run's retry is (its finished steps reused,
 * `parentRunId` = that child, so a rollback undoes both attempts).
 */
async function runChild(
  deps: ProcessorDeps,
  parent: Run,
  step: StepContext,
  signal: AbortSignal,
  name: EnvironmentChildStep,
  spec: Omit<ChildSpec, 'key' | 'parentRunId'>,
  accept: readonly Run['status'][] = ['succeeded'],
): Promise<ChildOutcome> {
  const chain = await runChain(deps.db, parent.tenantId, parent.id);
  const [latest] = (await environmentChildren(deps.db, parent.tenantId, chain)).filter(
    (c) => c.step === name,
  );
  const previous = latest?.run;
  const key = childRunKey(parent.id, name);
  // this parent's own child (a re-delivery), or an earlier one that succeeded or is under way
  const reuse = previous && (previous.idempotencyKey === key || !isRetryable(previous));
  let child: Run;
  if (previous && reuse) {
    child = previous;
    if (child.status === 'queued')
      await deps.queues.enqueue('runs', spec.kind, { runId: child.id, tenantId: parent.tenantId });
    if (child.idempotencyKey !== key)
      await deps.appendRunEvent(parent.id, 'info', `${name}: reusing ${spec.kind} run ${child.id}`, {
        stepKey: name,
        data: { childRunId: child.id, status: child.status },
      });
  } else
    child = await startChildRun(deps, parent, {
      ...spec,
      key,
      parentRunId: previous ? previous.id : parent.id,
      ...(previous ? { copyStepsFrom: previous.id } : {}),
      input: previous ? { ...spec.input, title: `Retry: ${spec.input.title}` } : spec.input,
    });
  const done = await step.idle(() => waitForChild(deps, child, signal));
  if (!accept.includes(done.status))
    throw childFailed(done, spec.kind === 'clone' ? 'The clone' : 'The migration');
  return { runId: done.id, status: done.status };
}

const isRetryable = (run: Run) => ['failed', 'cancelled', 'partially_succeeded'].includes(run.status);

/**
 * Clone with workloads: admission for both children, the clone child, then (its read-back put the
 * new cluster in the inventory) the migrate child into it. The parent ends as the migration did.
 */
export async function processEnvironment(deps: ProcessorDeps, run: Run, signal: AbortSignal) {
  const parsed = environmentRunInputSchema.safeParse(run.input);
  if (!parsed.success)
    throw new RunInputError(`the run input is not a clone with workloads: ${parsed.error.message}`);
  const input = parsed.data;
  const steps = deps.steps(run.id, signal);

  await steps.runStep(
    'policy-check',
    () =>
      admitted(deps.db, run, async (role) => {
        const a = await admitEnvironmentRun(deps.db, { tenantId: run.tenantId, role, input });
        assertApproved(a, run.approvedById);
        return { role, requireApproval: a.requireApproval };
      }),
    { everyStart: true },
  );

  const clone = await steps.runStep('clone', async (step) => {
    const outcome = await runChild(deps, run, step, signal, 'clone', {
      kind: 'clone',
      input: { ...input.clone, environmentRunId: run.id },
      planId: input.clone.planId,
      planItemIndex: input.clone.itemIndex,
    });
    const child = await deps.db.run.findUniqueOrThrow({ where: { id: outcome.runId } });
    const clusterId = (child.result as { clusterId?: unknown } | null)?.clusterId;
    if (typeof clusterId !== 'string')
      throw new RunInputError(`clone run ${child.id} did not record the cluster it created`);
    return { ...outcome, clusterId };
  });

  const migrate = await steps.runStep('migrate', async (step) => {
    // The clone's read-back stored the cluster; one gone since (deleted, vanished) cannot be a target.
    const target = await deps.db.cluster.findFirst({
      where: { id: clone.clusterId, tenantId: run.tenantId, vanishedAt: null },
    });
    if (!target) throw new RunInputError(`the cloned cluster ${clone.clusterId} is not in the inventory`);
    const source = input.clone.sourceClusterId;
    if (!source) throw new RunInputError('the plan item has no inventory source cluster');
    return runChild(
      deps,
      run,
      step,
      signal,
      'migrate',
      {
        kind: 'migrate',
        input: {
          title: `Migrate ${input.workloads.namespaces.join(', ')} from ${input.clone.item.source.name} → ${target.name} (${target.cloud})`,
          environmentRunId: run.id,
          ...input.workloads,
          sourceClusterId: source,
          targetClusterId: target.id,
        },
      },
      ['succeeded', 'partially_succeeded'],
    );
  });

  await deps.lifecycle.finish(
    run.id,
    migrate.status === 'partially_succeeded' ? 'partially_succeeded' : 'succeeded',
    { clusterId: clone.clusterId, children: { clone: clone.runId, migrate: migrate.runId } },
  );
}

/**
 * Rolls back a parent: the migration first (its objects live in the cluster), then the clone
 * (which deletes the cluster), each as a rollback run of its own with that kind's checks.
 */
export async function rollbackEnvironmentRun(
  deps: ProcessorDeps,
  rollbackRun: Run,
  chain: Run[],
  signal: AbortSignal,
): Promise<{ rolledBackChildren: string[] }> {
  const steps = deps.steps(rollbackRun.id, signal);
  const children = await environmentChildren(deps.db, rollbackRun.tenantId, chain);
  const done: string[] = [];
  for (const name of ['migrate', 'clone'] as const) {
    const child = children.find((c) => c.step === name)?.run;
    if (!child || !ROLLBACKABLE_STATUSES.includes(child.status)) continue;
    await steps.runStep(`rollback:${name}`, async (step) => {
      const undo = await startChildRun(deps, rollbackRun, {
        kind: 'rollback',
        key: childRunKey(rollbackRun.id, `rollback-${name}`),
        input: {
          title: `Roll back: ${(child.input as { title?: string }).title ?? `${name} run ${child.id}`}`,
          rollsBack: child.id,
        },
        parentRunId: child.id,
      });
      const finished = await step.idle(() => waitForChild(deps, undo, signal));
      if (finished.status !== 'succeeded') throw childFailed(finished, `The rollback of ${name}`);
      return { runId: finished.id, rolledBack: child.id };
    });
    done.push(child.id);
  }
  return { rolledBackChildren: done };
}
