import type { Run, RunResource } from '@dolly/db';
import type { ClusterRef, NodePoolRef } from '@dolly/providers';
import { admitRollback } from '@dolly/runs';
import type { ProcessorDeps } from '../deps.ts';
import { stepCloudContext } from '../lib/cloud-context.ts';
import { rollbackEnvironmentRun } from './environment.ts';
import { rollbackMigrateRun } from './migrate.ts';
import { RunInputError } from '../run-guard.ts';
import { admitted } from '../lib/admission.ts';

/**
 * Deletes exactly what the ledger says the run created, newest first. A cluster's own pools and
 * add-ons go with the cluster (AKS refuses to delete a cluster's last system pool on its own); a
 * resource group goes after everything else, since it is deleted only when empty, and so do the
 * IAM roles Dolly made for EKS.
 */
export function deletionOrder(resources: RunResource[]): {
  delete: RunResource[];
  coveredBy: Map<string, RunResource>;
} {
  const live = new Map<string, RunResource>();
  for (const r of [...resources].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())) {
    const key = `${r.kind}:${r.locatorKey}`;
    if (!live.has(key)) live.set(key, r);
  }
  const list = [...live.values()];
  const clusters = list.filter((r) => r.kind === 'cluster');
  const coveredBy = new Map<string, RunResource>();
  const out: RunResource[] = [];
  for (const r of list) {
    const loc = r.locator as { scope: string; location: string; cluster: string };
    const owner = clusters.find((c) => {
      const cl = c.locator as typeof loc;
      return (
        r.kind !== 'cluster' &&
        cl.scope === loc.scope &&
        cl.location === loc.location &&
        cl.cluster === loc.cluster
      );
    });
    if (owner && (r.kind === 'nodePool' || r.kind === 'addon')) coveredBy.set(r.id, owner);
    else out.push(r);
  }
  // A resource group goes last, after the clusters in it: it is deleted only once it is empty. An
  // IAM role goes after the clusters and node groups that run as it (EKS needs it to delete them).
  const last = (r: RunResource) => r.kind === 'resourceGroup' || r.kind === 'iamRole' || r.kind === 'network';
  const groupsLast = [...out.filter((r) => !last(r)), ...out.filter(last)];
  return { delete: groupsLast, coveredBy };
}

export async function processRollback(deps: ProcessorDeps, run: Run, signal: AbortSignal) {
  if (!run.parentRunId) throw new RunInputError('a rollback needs the run it rolls back');
  const rolledBack = await deps.db.run.findFirst({ where: { id: run.parentRunId, tenantId: run.tenantId } });
  if (!rolledBack) throw new RunInputError('the run to roll back no longer exists');
  // Deleting is a write into the target: role and policy are checked again, now. Only what the
  // chain created (never what it adopted) is deleted.
  const { chain, resources } = await admitted(deps.db, run, (role) =>
    admitRollback(deps.db, { tenantId: run.tenantId, role, userId: run.requestedById, run: rolledBack }),
  );
  const target = chain[0] ?? rolledBack;
  const previousStatus = target.status === 'rolling_back' ? 'failed' : target.status;
  await deps.lifecycle.setStatus(target.id, 'rolling_back');
  await deps.appendRunEvent(target.id, 'info', `Rolling back (run ${run.id})`, {
    data: { status: 'rolling_back' },
  });
  const steps = deps.steps(run.id, signal);
  try {
    if (target.kind === 'environment') {
      // Each child is undone by a rollback run of its own (its checks, its ledger), migration first.
      const report = await rollbackEnvironmentRun(deps, run, chain, signal);
      await finishRollback(deps, run, target, report);
      return;
    }
    if (target.kind === 'migrate') {
      // Objects a migration created carry its label; rollback deletes exactly those.
      const report = await rollbackMigrateRun(deps, run, target, signal, chain);
      await finishRollback(deps, run, target, {
        deleted: report.deleted.length,
        restored: report.restored.length,
      });
      return;
    }
    const { delete: order, coveredBy } = deletionOrder(resources);
    await deps.appendRunEvent(
      run.id,
      'info',
      order.length
        ? `Deleting ${order.length} resource(s) in reverse order of creation`
        : 'The run created nothing',
    );
    const accounts = new Map<string, Awaited<ReturnType<typeof deps.cloud.account>>>();
    for (const resource of order) {
      const loc = resource.locator as unknown as NodePoolRef & { kind: string };
      const key = `delete:${resource.kind}:${loc.cluster}${loc.name ? `/${loc.name}` : ''}`;
      await steps.runStep(key, async (step) => {
        let account = accounts.get(resource.accountId);
        if (!account) {
          account = await deps.cloud.account(run.tenantId, resource.accountId);
          accounts.set(resource.accountId, account);
        }
        const provider = deps.cloud.provider(account, loc.scope);
        const ctx = stepCloudContext(deps, run, account, key, step, signal);
        const ref: ClusterRef = { scope: loc.scope, location: loc.location, cluster: loc.cluster };
        if (resource.kind === 'cluster') await provider.deleteCluster(ref, ctx);
        else if (resource.kind === 'nodePool' && loc.name)
          await provider.deleteNodePool({ ...ref, name: loc.name }, ctx);
        else if (resource.kind === 'iamRole' && loc.name && provider.deleteRole)
          // Only a role the chain created reaches here (the ledger's `created`, never `adopted`).
          await provider.deleteRole({ scope: loc.scope, name: loc.name }, ctx);
        else if (
          (resource.kind === 'resourceGroup' && loc.name && provider.deleteResourceGroup) ||
          (resource.kind === 'network' && loc.name && provider.deleteNetwork)
        ) {
          // Only what the chain created reaches here (the ledger's `created`, never `adopted`).
          const outcome =
            resource.kind === 'network'
              ? await provider.deleteNetwork?.(
                  { scope: loc.scope, location: loc.location, name: loc.name ?? '' },
                  ctx,
                )
              : await provider.deleteResourceGroup?.({ scope: loc.scope, name: loc.name ?? '' }, ctx);
          if (!outcome) throw new Error(`${key}: the provider cannot delete a ${resource.kind}`);
          if (!outcome.deleted) {
            await deps.appendRunEvent(run.id, 'warn', `${key}: ${outcome.reason}`, {
              stepKey: key,
              data: { resources: outcome.resources },
            });
            return { kept: true, resources: outcome.resources };
          }
        } else {
          await deps.appendRunEvent(
            run.id,
            'warn',
            `${key}: Dolly cannot delete a ${resource.kind}; it is left in place`,
            {
              stepKey: key,
            },
          );
          return { kept: true };
        }
        const covered = [...coveredBy.entries()]
          .filter(([, owner]) => owner.id === resource.id)
          .map(([id]) => id);
        await deps.db.runResource.updateMany({
          where: {
            OR: [
              { runId: { in: chain.map((r) => r.id) }, kind: resource.kind, locatorKey: resource.locatorKey },
              { id: { in: covered } },
            ],
          },
          data: { deletedAt: new Date() },
        });
        if (resource.kind === 'cluster')
          await deps.db.cluster.updateMany({
            where: {
              tenantId: run.tenantId,
              accountId: resource.accountId,
              location: loc.location,
              name: loc.cluster,
            },
            data: { vanishedAt: new Date() },
          });
        return { deleted: true };
      });
    }
  } catch (error) {
    await deps.lifecycle.setStatus(target.id, previousStatus, {}, { restored: true });
    await deps.appendRunEvent(target.id, 'error', `Rollback ${run.id} failed; nothing more was deleted`, {
      data: { status: previousStatus },
    });
    throw error;
  }
  await finishRollback(deps, run, target, {});
}

async function finishRollback(deps: ProcessorDeps, run: Run, target: Run, result: Record<string, unknown>) {
  await deps.appendRunEvent(target.id, 'info', 'Run rolled back', { data: { status: 'rolled_back' } });
  await deps.lifecycle.setStatus(target.id, 'rolled_back');
  await deps.lifecycle.finish(run.id, 'succeeded', { rolledBack: target.id, ...result });
}
