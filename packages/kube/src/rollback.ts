/**
 * Rollback: delete what the migration created, found by its label (so it works after a crash, with
 * no ledger), in reverse tier order, namespaces last; objects it only updated are left alone. With
 * the source at hand, workloads a cutover scaled down are scaled back up.
 */
import pLimit from 'p-limit';
import { type KubeClient, KubeApiError } from './client.ts';
import { emit, type StepOptions } from './context.ts';
import { CUTOVER_ANNOTATION, MIGRATION_LABEL } from './labels.ts';
import { realClock } from './rate-limit.ts';
import { groupByTier, tierOf } from './tiers.ts';
import { describeRef, type KubeObject, type ObjectRef, toRef } from './types.ts';

export interface RollbackReport {
  deleted: ObjectRef[];
  failed: { ref: ObjectRef; reason: string }[];
  /** source workloads scaled back after a cutover */
  restored: ObjectRef[];
}

/** Everything in a cluster carrying the migration's label. */
export async function findMigrationObjects(
  client: KubeClient,
  migrationId: string,
  signal?: AbortSignal,
): Promise<KubeObject[]> {
  const catalog = await client.discover({ refresh: true, ...(signal ? { signal } : {}) });
  const resources = catalog.all.filter(
    (r) => r.preferred && r.verbs.includes('list') && r.verbs.includes('delete') && r.kind !== 'Event',
  );
  const limit = pLimit(8);
  const lists = await Promise.all(
    resources.map((r) =>
      limit(() =>
        client
          .list(r, { labelSelector: `${MIGRATION_LABEL}=${migrationId}`, ...(signal ? { signal } : {}) })
          .catch((e) => {
            // a kind we may not list (RBAC) or an aggregated API that is down: nothing of ours there
            if (e instanceof KubeApiError) return [];
            throw e;
          }),
      ),
    ),
  );
  return lists.flat();
}

export async function rollbackTarget(
  client: KubeClient,
  migrationId: string,
  opts: StepOptions = {},
): Promise<RollbackReport> {
  const report: RollbackReport = { deleted: [], failed: [], restored: [] };
  const labelled = await findMigrationObjects(client, migrationId, opts.signal);
  const found = labelled.filter((o) => !derived(o, labelled));
  emit(opts, 'info', `Rollback: ${found.length} objects created by migration ${migrationId}`);
  const tiers = groupByTier(found, (o) => tierOf(o)).reverse();
  const limit = pLimit(16);
  let done = 0;
  for (const [, group] of tiers) {
    // Namespaces go last and take their contents with them; deleting those one by one first lets
    // the report list every object and keeps the order right where the namespace pre-existed.
    await Promise.all(
      group.map((o) =>
        limit(async () => {
          const ref = toRef(o);
          try {
            await client.delete(ref, {
              propagationPolicy: 'Background',
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
            report.deleted.push(ref);
          } catch (e) {
            report.failed.push({ ref, reason: e instanceof Error ? e.message : String(e) });
          }
          opts.onProgress?.({ phase: 'rollback', done: ++done, total: found.length, item: describeRef(ref) });
        }),
      ),
    );
  }
  await waitGone(
    client,
    report.deleted.filter((r) => r.kind === 'Namespace'),
    opts.signal,
  );
  return report;
}

/**
 * Objects the target's controllers made from ours and labelled alike (EndpointSlices and Endpoints
 * mirror their Service's labels): their owner's deletion takes them along.
 */
function derived(o: KubeObject, all: KubeObject[]): boolean {
  if (o.metadata.ownerReferences?.length) return true;
  return (
    o.kind === 'Endpoints' &&
    all.some(
      (s) =>
        s.kind === 'Service' &&
        s.metadata.namespace === o.metadata.namespace &&
        s.metadata.name === o.metadata.name,
    )
  );
}

/** Namespaces terminate asynchronously on real clusters: wait (bounded) until they are gone. */
async function waitGone(client: KubeClient, refs: ObjectRef[], signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 120_000;
  let pending = refs;
  while (pending.length && Date.now() < deadline) {
    const still = await Promise.all(
      pending.map(async (r) => ((await client.get(r, signal)) ? r : undefined)),
    );
    pending = still.filter((r): r is ObjectRef => !!r);
    if (pending.length) await realClock.sleep(500, signal);
  }
}

/** Scale back the source workloads a cutover of this migration scaled down. */
export async function restoreSource(
  client: KubeClient,
  migrationId: string,
  opts: StepOptions = {},
): Promise<ObjectRef[]> {
  const catalog = await client.discover(opts.signal ? { signal: opts.signal } : {});
  const restored: ObjectRef[] = [];
  for (const kind of ['Deployment', 'StatefulSet']) {
    const r = catalog.preferred('apps', kind);
    if (!r) continue;
    for (const o of await client.list(r, opts.signal ? { signal: opts.signal } : {})) {
      const mark = o.metadata.annotations?.[CUTOVER_ANNOTATION];
      if (!mark?.startsWith(`${migrationId}:`)) continue;
      const replicas = Number(mark.slice(migrationId.length + 1));
      await client.mergePatch(
        toRef(o),
        {
          metadata: { annotations: { [CUTOVER_ANNOTATION]: null } },
          spec: { replicas: Number.isFinite(replicas) ? replicas : 1 },
        },
        opts.signal,
      );
      emit(opts, 'info', `Scaled ${describeRef(toRef(o))} in the source back to ${replicas}`);
      restored.push(toRef(o));
    }
  }
  return restored;
}
