import {
  type MigrationRequest,
  type MigrationResultDto,
  migrationPlanSchema,
  migrationRequestSchema,
  type ObjectResult,
  type WorkloadResult,
} from '@dolly/contracts';
import type { Run } from '@dolly/db';
import type { AppendRunEvent } from '@dolly/jobs';
import {
  type ApplyReport,
  applyMigration,
  copyVolumes,
  type MigrationCluster,
  type MigrationEvent,
  type MigrationProgress,
  PreflightFailedError,
  planMigration,
  rollbackMigration,
  type RollbackReport,
  type StepOptions,
  summarizeMigration,
  verifyMigration,
  type VolumeReport,
} from '@dolly/kube';
import type { ProcessorDeps } from '../deps.ts';
import { admitMigration, assertApproved, clusterKubeconfig, connectCluster } from '@dolly/runs';
import { admitted } from '../lib/admission.ts';
import { RunInputError } from '../run-guard.ts';

/**
 * A workload migration run (design/migration.md): plan (the dry run again, against the clusters as
 * they are now), policy re-check, apply, volume copy, verify. The run id is the migration id, the
 * `dolly-migration` label value, so a retried job adopts what an earlier attempt created and a
 * rollback finds it. Kubeconfigs are issued per step and never stored; Secret values never leave
 * the kube package (the stored plan has them redacted).
 */

type ClusterRow = NonNullable<Awaited<ReturnType<ProcessorDeps['db']['cluster']['findFirst']>>>;

async function findCluster(deps: ProcessorDeps, tenantId: string, clusterId: string): Promise<ClusterRow> {
  const cluster = await deps.db.cluster.findFirst({ where: { id: clusterId, tenantId, vanishedAt: null } });
  if (!cluster) throw new RunInputError(`cluster ${clusterId} is not in the inventory`);
  return cluster;
}

/**
 * A client for an inventory cluster. A 401 asks the cloud again, for the cluster as the inventory
 * has it then: one that vanished meanwhile fails the step as bad input.
 */
export async function migrationCluster(
  deps: ProcessorDeps,
  tenantId: string,
  clusterId: string,
  signal: AbortSignal,
): Promise<MigrationCluster> {
  const cluster = await findCluster(deps, tenantId, clusterId);
  return connectCluster(deps.cloud, tenantId, cluster, {
    signal,
    // a volume copy can outlast the cloud's token (EKS 15 min, Entra ~1 h)
    renew: async () =>
      clusterKubeconfig(deps.cloud, tenantId, await findCluster(deps, tenantId, clusterId), signal),
  });
}

/**
 * Step reporting: events in order (appended one after the other), progress at most once a second
 * per phase. Event data never carries Secret values (the kube package guarantees it).
 */
function reporter(
  append: AppendRunEvent,
  runId: string,
  stepKey: string,
): StepOptions & { flush(): Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  let last = { at: 0, phase: '' };
  const push = (level: MigrationEvent['level'], message: string, data?: unknown) => {
    chain = chain
      .then(() =>
        append(runId, level, `${stepKey}: ${message}`, { stepKey, ...(data === undefined ? {} : { data }) }),
      )
      .catch(() => undefined);
  };
  return {
    onEvent: (e: MigrationEvent) => push(e.level, e.message, e.data),
    onProgress: (p: MigrationProgress) => {
      const now = Date.now();
      const final = p.total > 0 && p.done === p.total;
      if (!final && p.phase === last.phase && now - last.at < 1000) return;
      last = { at: now, phase: p.phase };
      const bytes = p.bytes === undefined ? '' : `, ${p.bytes} bytes`;
      push('info', `${p.phase} ${p.done}${p.total ? `/${p.total}` : ''}${bytes}`, { progress: p });
    },
    flush: () => chain.then(() => undefined),
  };
}

function parseInput(run: Run): MigrationRequest {
  const parsed = migrationRequestSchema.safeParse(run.input);
  if (!parsed.success)
    throw new RunInputError(`the run input is not a migration request: ${parsed.error.message}`);
  return parsed.data;
}

export async function processMigrate(deps: ProcessorDeps, run: Run, signal: AbortSignal): Promise<void> {
  const request = parseInput(run);
  const steps = deps.steps(run.id, signal);
  const clusters = async () => ({
    source: await migrationCluster(deps, run.tenantId, request.sourceClusterId, signal),
    target: await migrationCluster(deps, run.tenantId, request.targetClusterId, signal),
  });
  const admit = (namespaces?: { source: string; target: string }[]) =>
    admitted(deps.db, run, async (role) => {
      const a = await admitMigration(deps.db, {
        tenantId: run.tenantId,
        role,
        request,
        ...(namespaces ? { namespaces } : {}),
      });
      assertApproved(a, run.approvedById);
      return { role, decisions: a.decisions };
    });

  // Admission again as the job starts: policy, environments, role or approval may have changed.
  await steps.runStep('policy-check', () => admit(), { everyStart: true });

  const plan = migrationPlanSchema.parse(
    await steps.runStep('plan', async () => {
      const r = reporter(deps.appendRunEvent, run.id, 'plan');
      const c = await clusters();
      try {
        const p = await planMigration(request, { ...c, migrationId: run.id }, { ...r, signal });
        for (const w of p.warnings) r.onEvent?.({ level: 'warn', message: w.message, data: { warning: w } });
        if (!p.preflight.ok) throw new RunInputError(new PreflightFailedError(p.preflight.checks).message);
        // globs resolved to real namespaces: each of them is admitted too
        await admit(p.namespaces);
        return p;
      } finally {
        await r.flush();
        c.source.client.close();
        c.target.client.close();
      }
    }),
  );

  const applied = await steps.runStep('apply', async (): Promise<ApplyReport> => {
    const r = reporter(deps.appendRunEvent, run.id, 'apply');
    const c = await clusters();
    try {
      return await applyMigration(plan, c, { ...r, signal });
    } finally {
      await r.flush();
      c.source.client.close();
      c.target.client.close();
    }
  });

  const volumes: VolumeReport = request.copyVolumes
    ? await steps.runStep('copy-volumes', async ({ idle }) => {
        const r = reporter(deps.appendRunEvent, run.id, 'copy-volumes');
        const c = await clusters();
        try {
          return await copyVolumes(plan, c, { ...r, signal, idle });
        } finally {
          await r.flush();
          c.source.client.close();
          c.target.client.close();
        }
      })
    : { volumes: [], started: [], scaledDown: [] };

  const workloads = await steps.runStep('verify', async ({ idle }): Promise<WorkloadResult[]> => {
    const r = reporter(deps.appendRunEvent, run.id, 'verify');
    const target = await migrationCluster(deps, run.tenantId, request.targetClusterId, signal);
    try {
      return await verifyMigration(plan, { target }, { ...r, signal, idle });
    } finally {
      await r.flush();
      target.client.close();
    }
  });

  await finishMigration(
    deps,
    run,
    summarizeMigration({ objects: applied.objects, volumes: volumes.volumes, workloads }),
  );
}

async function finishMigration(deps: ProcessorDeps, run: Run, result: MigrationResultDto): Promise<void> {
  const counts = Object.entries(result.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  for (const f of result.failed.slice(0, 50))
    await deps.appendRunEvent(
      run.id,
      'warn',
      `${f.ref.kind} ${f.ref.namespace ? `${f.ref.namespace}/` : ''}${f.ref.name}: ${f.reason}`,
      {
        data: { ref: f.ref },
      },
    );
  await deps.appendRunEvent(run.id, 'info', `Migration ${result.status.replace('_', ' ')}: ${counts}`, {
    data: { counts: result.counts },
  });
  if (result.status === 'failed') {
    const written: ObjectResult[] = result.objects.filter((o) => o.result !== 'failed');
    await deps.lifecycle.fail(run.id, 'system', 'no object could be written to the target cluster', {
      failed: result.failed.slice(0, 50),
      written: written.length,
    });
    return;
  }
  await deps.lifecycle.finish(run.id, result.status, result);
}

/**
 * Rolls back a migration run: deletes what it created in the target (found by its label) and, after
 * a cutover, scales the source workloads back up. For the rollback processor to call when the run
 * it rolls back is a `migrate` run. `chain` is that run and the runs it retried (each attempt that
 * ran as its own run labelled what it created with its own id); default: the run alone.
 */
export async function rollbackMigrateRun(
  deps: ProcessorDeps,
  rollbackRun: Run,
  migrateRun: Run,
  signal: AbortSignal,
  chain: Run[] = [migrateRun],
): Promise<RollbackReport> {
  const request = parseInput(migrateRun);
  const steps = deps.steps(rollbackRun.id, signal);
  const total: RollbackReport = { deleted: [], failed: [], restored: [] };
  for (const attempt of chain) {
    const report = await steps.runStep(`delete-migrated-objects:${attempt.id}`, async () => {
      const r = reporter(deps.appendRunEvent, rollbackRun.id, 'delete-migrated-objects');
      const target = await migrationCluster(deps, migrateRun.tenantId, request.targetClusterId, signal);
      const source = request.cutover
        ? await migrationCluster(deps, migrateRun.tenantId, request.sourceClusterId, signal)
        : undefined;
      try {
        const report = await rollbackMigration(
          attempt.id,
          { target, ...(source ? { source } : {}) },
          { ...r, signal },
        );
        if (report.failed.length)
          throw new Error(
            `${report.failed.length} object(s) could not be deleted: ${report.failed[0]?.reason ?? ''}`,
          );
        return report;
      } finally {
        await r.flush();
        target.client.close();
        source?.client.close();
      }
    });
    total.deleted.push(...report.deleted);
    total.restored.push(...report.restored);
  }
  return total;
}
