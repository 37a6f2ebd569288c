/**
 * The migration as steps a worker runs one by one (each resumable on its own): plan (the dry run),
 * apply, copy volumes, verify; rollback deletes what the migration created. Every step takes an
 * AbortSignal and reports through onEvent/onProgress; none of them logs a Secret value.
 */
import type {
  MigrationRequest,
  MigrationResultDto,
  ObjectResult,
  VolumeResult,
  WorkloadResult,
} from '@dolly/contracts';
import { applyObjects, type ApplyItem } from './apply.ts';
import { isNotFound } from './client.ts';
import { emit, type MigrationClusters, type MigrationCluster, type StepOptions } from './context.ts';
import { type MigrationPlan, planMigration as buildPlan, transformSettings } from './dry-run.ts';
import { runPreflight, secretRefs } from './preflight.ts';
import { restoreSource, rollbackTarget, type RollbackReport } from './rollback.ts';
import { discoverTarget } from './target-discovery.ts';
import { buildIndex, skipReason, transformObject } from './transform/index.ts';
import { isKubeObject, type KubeObject } from './types.ts';
import { verifyWorkloads, WORKLOAD_KINDS } from './verify.ts';
import { copyPlanVolumes, type VolumeCopyOptions, type VolumeReport } from './volumes.ts';

export class PreflightFailedError extends Error {
  constructor(readonly checks: MigrationPlan['preflight']['checks']) {
    super(
      `preflight failed: ${checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.message)
        .join('; ')}`,
    );
    this.name = 'PreflightFailedError';
  }
}

/** The dry run: see dry-run.ts. Writes nothing. */
export async function planMigration(
  request: MigrationRequest,
  clusters: MigrationClusters & { migrationId: string },
  opts: StepOptions & { now?: () => Date; concurrency?: number } = {},
): Promise<MigrationPlan> {
  return buildPlan(request, clusters, { ...opts, migrationId: clusters.migrationId });
}

export interface ApplyReport {
  objects: ObjectResult[];
}

/**
 * Secrets are redacted in the plan: read them from the source again and run the same rules.
 * Values stay in memory for the one write.
 */
async function secretForApply(
  plan: MigrationPlan,
  clusters: MigrationClusters,
  item: MigrationPlan['objects'][number],
  signal?: AbortSignal,
): Promise<KubeObject | string> {
  if (!plan.request.includeSecrets) return 'Secrets are not part of this migration';
  const live = await clusters.source.client.get(item.source, signal);
  if (!live) return 'the Secret no longer exists in the source';
  const namespaces = plan.namespaces.map((n) => n.source);
  const ctx = {
    ...transformSettings(plan.request, clusters, plan.id, namespaces),
    index: buildIndex([live]),
  };
  const skip = skipReason(live, ctx);
  if (skip) return `skipped: ${skip.reason}`;
  return transformObject(live, ctx).object;
}

/** Apply the reviewed plan; preflight runs again against the target as it is now. */
export async function applyMigration(
  plan: MigrationPlan,
  clusters: MigrationClusters,
  opts: StepOptions & { concurrency?: number } = {},
): Promise<ApplyReport> {
  await recheckPreflight(plan, clusters.target, opts);
  const items: ApplyItem[] = [];
  const failed: ObjectResult[] = [];
  for (const o of plan.objects) {
    if (!isKubeObject(o.object)) continue;
    if (o.object.kind === 'Secret') {
      const secret = await secretForApply(plan, clusters, o, opts.signal);
      if (typeof secret === 'string') {
        failed.push({ source: o.source, target: o.target, tier: o.tier, result: 'failed', reason: secret });
        continue;
      }
      items.push({ source: o.source, tier: o.tier, object: secret });
      continue;
    }
    items.push({ source: o.source, tier: o.tier, object: o.object });
  }
  emit(opts, 'info', `Applying ${items.length} objects to ${clusters.target.info.name}`);
  const objects = await applyObjects(clusters.target.client, items, {
    ...opts,
    migrationId: plan.id,
    existing: plan.request.existing,
  });
  const all = [...failed, ...objects];
  const count = (r: ObjectResult['result']) => all.filter((x) => x.result === r).length;
  emit(
    opts,
    'info',
    `Applied: ${count('created')} created, ${count('updated')} updated, ${count('skipped')} skipped, ${count('failed')} failed`,
  );
  return { objects: all };
}

export async function recheckPreflight(
  plan: MigrationPlan,
  target: MigrationCluster,
  opts: StepOptions = {},
): Promise<void> {
  if (!plan.preflight.ok) throw new PreflightFailedError(plan.preflight.checks);
  const discovery = await discoverTarget(target.client, opts.signal);
  const objects = plan.objects.map((o) => o.object).filter(isKubeObject);
  const targetSecrets = new Set<string>();
  for (const o of objects)
    for (const name of secretRefs(o)) {
      const ref = { apiVersion: 'v1', kind: 'Secret', namespace: o.metadata.namespace ?? 'default', name };
      try {
        if (await target.client.get(ref, opts.signal)) targetSecrets.add(`${ref.namespace}/${name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  const result = runPreflight({
    objects,
    facts: discovery.facts,
    catalog: discovery.catalog,
    targetCloud: target.info.cloud,
    sameCluster: plan.source.clusterId !== undefined && plan.source.clusterId === plan.target.clusterId,
    namespaces: plan.namespaces,
    targetSecrets,
    includeSecrets: plan.request.includeSecrets,
  });
  if (!result.ok) throw new PreflightFailedError(result.checks);
}

export async function copyVolumes(
  plan: MigrationPlan,
  clusters: MigrationClusters,
  opts: StepOptions & Omit<VolumeCopyOptions, 'migrationId'> = {},
): Promise<VolumeReport> {
  return copyPlanVolumes(plan, clusters, { ...opts, migrationId: plan.id });
}

/** Workloads of the plan Ready on the target within the request's deadline. */
export async function verifyMigration(
  plan: MigrationPlan,
  clusters: Pick<MigrationClusters, 'target'>,
  opts: StepOptions & { timeoutMs?: number; pollMs?: number } = {},
): Promise<WorkloadResult[]> {
  const refs = plan.objects.filter((o) => WORKLOAD_KINDS.has(o.target.kind)).map((o) => o.target);
  emit(
    opts,
    'info',
    `Waiting up to ${plan.request.readyTimeoutSec}s for ${refs.length} workloads to be Ready`,
  );
  return verifyWorkloads(clusters.target.client, refs, {
    ...opts,
    timeoutMs: opts.timeoutMs ?? plan.request.readyTimeoutSec * 1000,
  });
}

/** Deletes what the migration created in the target; with the source, undoes a cutover. */
export async function rollbackMigration(
  migrationId: string,
  clusters: { target: MigrationCluster; source?: MigrationCluster },
  opts: StepOptions = {},
): Promise<RollbackReport> {
  const report = await rollbackTarget(clusters.target.client, migrationId, opts);
  if (clusters.source) report.restored = await restoreSource(clusters.source.client, migrationId, opts);
  emit(
    opts,
    'info',
    `Rollback: ${report.deleted.length} deleted, ${report.failed.length} failed, ${report.restored.length} source workloads restored`,
  );
  return report;
}

/**
 * The run's outcome: succeeded when every object applied, every volume arrived and every workload is
 * Ready; failed when nothing was written or every write failed; partially succeeded otherwise.
 */
export function summarizeMigration(parts: {
  objects: ObjectResult[];
  volumes?: VolumeResult[];
  workloads?: WorkloadResult[];
}): MigrationResultDto {
  const volumes = parts.volumes ?? [];
  const workloads = parts.workloads ?? [];
  const failed = [
    ...parts.objects
      .filter((o) => o.result === 'failed')
      .map((o) => ({ ref: o.target, reason: o.reason ?? 'failed' })),
    ...volumes
      .filter((v) => v.result === 'failed')
      .map((v) => ({ ref: v.target, reason: v.reason ?? 'copy failed' })),
    ...workloads.filter((w) => !w.ready).map((w) => ({ ref: w.ref, reason: w.reason ?? 'not Ready' })),
  ];
  const counts: Record<string, number> = {};
  for (const o of parts.objects) counts[o.result] = (counts[o.result] ?? 0) + 1;
  counts.volumesCopied = volumes.filter((v) => v.result !== 'failed').length;
  counts.workloadsReady = workloads.filter((w) => w.ready).length;
  const anyWritten = parts.objects.some((o) => o.result !== 'failed');
  const status = failed.length === 0 ? 'succeeded' : anyWritten ? 'partially_succeeded' : 'failed';
  return { status, objects: parts.objects, volumes, workloads, failed, counts };
}
