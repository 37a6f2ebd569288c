import {
  admitCloneRun,
  assertApproved,
  cloneRunInputSchema,
  createdByChain,
  planningCatalog,
  RecentLists,
  runChain,
} from '@dolly/runs';
import { type TargetClusterSpec, bundledCatalog, resolveLocation, validatePlan } from '@dolly/model';
import type { Run } from '@dolly/db';
import type { ProcessorDeps } from '../deps.ts';
import { upsertDiscovered } from '../inventory.ts';
import { stepCloudContext } from '../lib/cloud-context.ts';
import { compareClusters } from '@dolly/model';
import { admitted } from '../lib/admission.ts';
import { RunInputError } from '../run-guard.ts';

/** The runs of one plan applied together validate against one reading of the target's lists. */
const validationLists = new RecentLists();

/**
 * One plan item becomes one cluster: policy re-check, validation, control plane, node pools in
 * parallel, add-ons, ready, then the result read back into the inventory and compared with the
 * plan. Every cloud step is idempotent and memoized, so a re-delivered job resumes.
 */
export async function processClone(deps: ProcessorDeps, run: Run, signal: AbortSignal) {
  const parsed = cloneRunInputSchema.safeParse(run.input);
  if (!parsed.success)
    throw new RunInputError(`the run input is not a clone request: ${parsed.error.message}`);
  const input = parsed.data;
  const steps = deps.steps(run.id, signal);
  const account = await deps.db.cloudAccount.findFirst({
    where: { id: input.targetAccountId, tenantId: run.tenantId },
  });
  if (!account) throw new RunInputError('the target cloud account no longer exists');
  const target: TargetClusterSpec & { scope: string } = {
    ...input.item.target,
    scope: input.item.target.scope ?? account.scope ?? '',
  };
  const provider = deps.cloud.provider(account, target.scope || undefined);

  // Admission again as the job starts: the policy, the clusters' environments, the requester's
  // role or the plan may have changed since the API said yes (or since an operator approved).
  const admission = await steps.runStep(
    'policy-check',
    () =>
      admitted(deps.db, run, async (role) => {
        const a = await admitCloneRun(deps.db, { tenantId: run.tenantId, role, input });
        assertApproved(a, run.approvedById);
        return { role, decisions: a.decisions, environment: a.targets[0]?.environment.environment ?? null };
      }),
    { everyStart: true },
  );

  await steps.runStep('validate', async () => {
    // The same lists the API planned with: a version or type the account offers today but the
    // bundled snapshot does not know must not fail here after the plan was accepted.
    const region = resolveLocation(bundledCatalog, target.cloud, target.location)?.region.id;
    const { catalog, info } = await planningCatalog(
      () => provider,
      account,
      region ? [region] : [],
      run.planId ? { lists: validationLists, key: `${run.planId}:${account.id}` } : undefined,
    );
    const validation = validatePlan(
      { apiVersion: 'dolly/v1', kind: 'ClonePlan', items: [{ ...input.item, target }] },
      catalog,
    );
    if (!validation.ok)
      throw new RunInputError(
        `the plan item does not pass validation against the ${info.source === 'live' ? 'live lists' : 'bundled snapshot'}: ${validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    return {
      target: `${target.cloud}/${target.scope}/${target.location}/${target.name}`,
      catalog: info.source,
      ...(info.reason ? { catalogReason: info.reason } : {}),
    };
  });

  await steps.runStep('control-plane', async (step) => {
    const ctx = stepCloudContext(deps, run, account, 'control-plane', step, signal);
    const res = await provider.ensureControlPlane(target, ctx);
    if (res.cloudRequestId) step.recordRequestId(res.cloudRequestId);
    return { status: res.status };
  });

  await Promise.all(
    target.nodePools.map((pool) =>
      steps.runStep(`node-pool:${pool.name}`, async (step) => {
        const ctx = stepCloudContext(deps, run, account, `node-pool:${pool.name}`, step, signal);
        return provider.ensureNodePool(target, pool.name, ctx);
      }),
    ),
  );

  if (target.addons?.length) {
    await steps.runStep('addons', async (step) => {
      const ctx = stepCloudContext(deps, run, account, 'addons', step, signal);
      return provider.ensureAddons(target, ctx);
    });
  }

  await steps.runStep('wait-ready', async (step) => {
    const ctx = stepCloudContext(deps, run, account, 'wait-ready', step, signal);
    const ready = await provider.waitClusterReady(target, ctx);
    return { status: ready.status };
  });

  const readBack = await steps.runStep('read-back', async (step) => {
    const ctx = stepCloudContext(deps, run, account, 'read-back', step, signal);
    // wait-ready keeps a small checkpoint; asking a ready cluster again is one describe call
    const created = await provider.waitClusterReady(target, ctx);
    // A cluster this run (or a run it retried) did not create was adopted: it keeps the
    // environment and provenance the inventory already has.
    const chain = await runChain(deps.db, run.tenantId, run.id);
    const ours = (await createdByChain(deps.db, chain)).some(
      (r) =>
        r.kind === 'cluster' &&
        r.accountId === account.id &&
        (r.locator as { cluster?: string }).cluster === target.name,
    );
    if (!ours)
      await deps.appendRunEvent(
        run.id,
        'warn',
        `read-back: ${target.name} existed before this run and was adopted; the inventory keeps its environment`,
        { stepKey: 'read-back' },
      );
    const [row] = await upsertDiscovered(
      deps.db,
      account,
      [created],
      new Date(),
      ours
        ? {
            createdByRunId: run.id,
            environment: { environment: admission.environment ?? input.targetEnvironment, source: 'plan' },
          }
        : {},
    );
    if (!row) throw new Error('the created cluster could not be stored in the inventory');
    // Lineage for drift checks: only a cluster this run created is a clone of the source; an
    // adopted one keeps whatever lineage it had. updateMany: the tenant is part of the match.
    if (ours && input.sourceClusterId)
      await deps.db.cluster.updateMany({
        where: { id: row.id, tenantId: run.tenantId },
        data: { clonedFromId: input.sourceClusterId },
      });
    const comparison = compareClusters(target, created.spec);
    if (comparison.mismatches > 0)
      await deps.appendRunEvent(
        run.id,
        'warn',
        `read-back: ${comparison.mismatches} field(s) differ from the plan: ${comparison.rows
          .filter((r) => !r.match)
          .map((r) => r.path)
          .join(', ')}`,
        { stepKey: 'read-back' },
      );
    return { clusterId: row.id, comparison };
  });

  await deps.lifecycle.finish(run.id, 'succeeded', {
    clusterId: readBack.clusterId,
    cluster: { cloud: target.cloud, scope: target.scope, location: target.location, name: target.name },
    comparison: readBack.comparison,
  });
}
