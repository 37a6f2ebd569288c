/**
 * Apply in dependency tiers, in parallel within a tier (p-limit), under the client's rate limit.
 * Existing objects are skipped or updated (server-side apply) as the request says; what this
 * migration creates carries its label, what it only updates does not, so rollback deletes exactly
 * what it created.
 */
import type { MigrationTier, ObjectResult } from '@dolly/contracts';
import pLimit from 'p-limit';
import { isAlreadyExists, type KubeClient, KubeApiError } from './client.ts';
import { emit, type StepOptions } from './context.ts';
import { FIELD_MANAGER, MIGRATION_LABEL, UPDATED_ANNOTATION } from './labels.ts';
import { groupByTier } from './tiers.ts';
import { clone, describeRef, type KubeObject, type ObjectRef, toRef } from './types.ts';

export interface ApplyItem {
  source: ObjectRef;
  tier: MigrationTier;
  object: KubeObject;
}

export interface ApplyOptions extends StepOptions {
  migrationId: string;
  existing: 'skip' | 'update';
  /** objects written at once within a tier */
  concurrency?: number;
}

/** The object for updating one that existed before this migration: no ownership label. */
function asUpdate(obj: KubeObject, migrationId: string): KubeObject {
  const out = clone(obj);
  if (out.metadata.labels) {
    delete out.metadata.labels[MIGRATION_LABEL];
    if (!Object.keys(out.metadata.labels).length) delete out.metadata.labels;
  }
  out.metadata.annotations = { ...out.metadata.annotations, [UPDATED_ANNOTATION]: migrationId };
  return out;
}

function reasonOf(e: unknown): string {
  if (e instanceof KubeApiError) return `${e.reason}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export async function applyOne(
  client: KubeClient,
  item: ApplyItem,
  opts: Pick<ApplyOptions, 'migrationId' | 'existing' | 'signal'>,
): Promise<ObjectResult> {
  const target = toRef(item.object);
  const base = { source: item.source, target, tier: item.tier };
  const signal = opts.signal;
  try {
    // Create first: one request for the common case (a new object); AlreadyExists tells us to look.
    let live: KubeObject | undefined;
    try {
      await client.create(item.object, { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) });
      return { ...base, result: 'created' };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      live = await client.get(target, signal);
      // deleted again between the two calls: nothing to skip or update, report the conflict
      if (!live) throw e;
    }
    const ours = live.metadata.labels?.[MIGRATION_LABEL] === opts.migrationId;
    if (opts.existing === 'skip')
      return {
        ...base,
        result: 'skipped',
        reason: ours ? 'already created by this migration' : 'exists in the target',
      };
    await client.apply(ours ? item.object : asUpdate(item.object, opts.migrationId), {
      fieldManager: FIELD_MANAGER,
      ...(signal ? { signal } : {}),
    });
    return { ...base, result: 'updated', ...(ours ? { reason: 'created by this migration' } : {}) };
  } catch (e) {
    signal?.throwIfAborted();
    return { ...base, result: 'failed', reason: reasonOf(e) };
  }
}

/** CRDs become servable a moment after they are created: wait until discovery lists their kinds. */
async function waitForDefinitions(
  client: KubeClient,
  crds: KubeObject[],
  signal?: AbortSignal,
): Promise<void> {
  if (!crds.length) return;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const catalog = await client.discover({ refresh: true, ...(signal ? { signal } : {}) });
    const pending = crds.filter((crd) => {
      const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
      return !catalog.preferred(spec?.group ?? '', spec?.names?.kind ?? '');
    });
    if (!pending.length || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function applyObjects(
  client: KubeClient,
  items: ApplyItem[],
  opts: ApplyOptions,
): Promise<ObjectResult[]> {
  const results: ObjectResult[] = [];
  const limit = pLimit(opts.concurrency ?? 16);
  let done = 0;
  for (const [tier, group] of groupByTier(items, (i) => i.tier)) {
    opts.signal?.throwIfAborted();
    emit(opts, 'info', `Applying ${group.length} ${tier} object${group.length === 1 ? '' : 's'}`, { tier });
    const tierResults = await Promise.all(
      group.map((item) =>
        limit(async () => {
          const r = await applyOne(client, item, opts);
          opts.onProgress?.({
            phase: 'apply',
            done: ++done,
            total: items.length,
            item: describeRef(r.target),
          });
          if (r.result === 'failed')
            emit(opts, 'warn', `${describeRef(r.target)}: ${r.reason}`, { ref: r.target, result: r.result });
          return r;
        }),
      ),
    );
    results.push(...tierResults);
    if (tier === 'definitions')
      await waitForDefinitions(
        client,
        group
          .filter(
            (i, k) => i.object.kind === 'CustomResourceDefinition' && tierResults[k]?.result !== 'failed',
          )
          .map((i) => i.object),
        opts.signal,
      );
  }
  return results;
}
