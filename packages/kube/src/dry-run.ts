/**
 * The dry run: export, transform, compare with the target, preflight; nothing is written anywhere.
 * The result is the migration plan (contracts' MigrationPlan), with Secret values redacted so it
 * can be stored, shown and downloaded as YAML.
 */
import type { MigrationPlanDto, MigrationRequest, PlannedObject, PlannedVolume } from '@dolly/contracts';
import pLimit from 'p-limit';
import { Document } from 'yaml';
import { isNotFound } from './client.ts';
import { emit, type MigrationClusters, type StepOptions } from './context.ts';
import { diffAgainstLive, redactSecret } from './diff.ts';
import { exportObjects } from './export.ts';
import { MIGRATION_LABEL } from './labels.ts';
import { runPreflight, secretRefs } from './preflight.ts';
import { namespaceMapFor } from './select.ts';
import { discoverTarget } from './target-discovery.ts';
import { tierOf } from './tiers.ts';
import { buildIndex, type TransformSettings, transformObjects } from './transform/index.ts';
import { claimsOf } from './transform/traceability.ts';
import { asObject, asString, describeRef, type KubeObject, type ObjectRef, refKey, toRef } from './types.ts';

export type MigrationPlan = MigrationPlanDto;

export interface PlanOptions extends StepOptions {
  migrationId: string;
  now?: () => Date;
  /** parallel GETs against the target while diffing */
  concurrency?: number;
}

export function transformSettings(
  request: MigrationRequest,
  clusters: MigrationClusters,
  migrationId: string,
  namespaces: string[],
): Omit<TransformSettings, 'targetFacts'> {
  return {
    migrationId,
    source: clusters.source.info,
    target: clusters.target.info,
    namespaceMap: namespaceMapFor(namespaces, request.namespaceMap),
    request,
  };
}

function sameCluster(c: MigrationClusters): boolean {
  if (c.source.info.clusterId && c.target.info.clusterId)
    return c.source.info.clusterId === c.target.info.clusterId;
  return c.source.client.server === c.target.client.server;
}

/**
 * Sees every transformed object next to what the target holds, before redaction: for the drift
 * check (workload-drift.ts), which reports fields and never lets a Secret value out. Internal to
 * this package (index.ts does not export this signature).
 */
export type CompareLive = (desired: KubeObject, live: KubeObject | undefined) => void;

export async function planMigration(
  request: MigrationRequest,
  clusters: MigrationClusters,
  opts: PlanOptions,
  compare?: CompareLive,
): Promise<MigrationPlan> {
  const { source, target } = clusters;
  const signal = opts.signal;
  emit(opts, 'info', `Reading what ${target.info.name} has`);
  const discovery = await discoverTarget(target.client, signal);
  emit(opts, 'info', `Exporting from ${source.info.name}`);
  let listed = 0;
  const exported = await exportObjects(source.client, request, {
    ...(signal ? { signal } : {}),
    // the total is unknown until every kind is listed: 0 says so
    onProgress: (p) => {
      listed += p.count;
      opts.onProgress?.({ phase: 'export', done: listed, total: 0, item: `${p.namespace}/${p.kind}` });
    },
  });
  if (!exported.namespaces.length)
    throw new Error(`no namespace of ${source.info.name} matches ${request.namespaces.join(', ')}`);
  const settings: TransformSettings = {
    ...transformSettings(request, clusters, opts.migrationId, exported.namespaces),
    targetFacts: discovery.facts,
  };
  const index = buildIndex(exported.objects);
  const transformed = transformObjects(exported.objects, settings, index);
  emit(
    opts,
    'info',
    `${transformed.objects.length} objects to migrate, ${transformed.skipped.length} skipped by rules`,
  );

  const limit = pLimit(opts.concurrency ?? 16);
  let done = 0;
  const planned: PlannedObject[] = await Promise.all(
    transformed.objects.map((t) =>
      limit(async () => {
        const targetRef = toRef(t.object);
        const live = await target.client.get(targetRef, signal);
        compare?.(t.object, live);
        const { diff, equal } = diffAgainstLive(describeRef(targetRef), live, t.object);
        const ours = live?.metadata.labels?.[MIGRATION_LABEL] === opts.migrationId;
        const action: PlannedObject['action'] = !live
          ? 'create'
          : equal
            ? 'unchanged'
            : request.existing === 'update'
              ? 'update'
              : ours
                ? 'unchanged'
                : 'skip';
        const reason = !live
          ? undefined
          : ours
            ? 'created by this migration'
            : action === 'skip'
              ? 'exists in the target; existing is "skip"'
              : undefined;
        opts.onProgress?.({ phase: 'plan', done: ++done, total: transformed.objects.length });
        return {
          source: t.source,
          target: targetRef,
          tier: tierOf(t.object),
          action,
          ...(reason ? { reason } : {}),
          changes:
            t.object.kind === 'Secret'
              ? t.changes.filter((c) => !/^(data|stringData)\b/.test(c.path))
              : t.changes,
          diff,
          object: redactSecret(t.object) as unknown as Record<string, unknown>,
        } satisfies PlannedObject;
      }),
    ),
  );

  // Secrets the workloads need, looked up by name only (values are read and dropped at once).
  const needed = new Set<string>();
  for (const t of transformed.objects)
    for (const n of secretRefs(t.object)) needed.add(`${t.object.metadata.namespace}/${n}`);
  const targetSecrets = new Set<string>();
  await Promise.all(
    [...needed].map((key) =>
      limit(async () => {
        const [namespace, name] = key.split('/') as [string, string];
        try {
          if (await target.client.get({ apiVersion: 'v1', kind: 'Secret', namespace, name }, signal))
            targetSecrets.add(key);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    ),
  );

  const namespaces = exported.namespaces.map((ns) => ({
    source: ns,
    target: settings.namespaceMap[ns] ?? ns,
    existsInTarget: discovery.facts.namespaces.includes(settings.namespaceMap[ns] ?? ns),
  }));
  const preflight = runPreflight({
    objects: transformed.objects.map((t) => t.object),
    facts: discovery.facts,
    catalog: discovery.catalog,
    targetCloud: target.info.cloud,
    sameCluster: sameCluster(clusters),
    namespaces,
    targetSecrets,
    includeSecrets: request.includeSecrets,
  });
  for (const c of preflight.checks)
    if (c.status !== 'pass')
      emit(opts, c.status === 'fail' ? 'error' : 'warn', `preflight ${c.name}: ${c.message}`);

  const volumes = plannedVolumes(
    exported.objects,
    transformed.objects.map((t) => t.object),
    settings,
    index,
  );
  const warnings = [...exported.warnings, ...transformed.warnings];
  const count = (a: PlannedObject['action']) => planned.filter((p) => p.action === a).length;
  return {
    id: opts.migrationId,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    source: side(clusters.source.info),
    target: side(clusters.target.info),
    request,
    namespaces,
    objects: planned,
    skipped: transformed.skipped,
    volumes,
    warnings,
    preflight,
    summary: {
      objects: planned.length,
      create: count('create'),
      update: count('update'),
      skip: count('skip'),
      unchanged: count('unchanged'),
      skippedByRules: transformed.skipped.length,
      warnings: warnings.length,
      volumes: volumes.length,
    },
  };
}

function side(info: MigrationClusters['source']['info']): MigrationPlan['source'] {
  return {
    ...(info.clusterId ? { clusterId: info.clusterId } : {}),
    cloud: info.cloud,
    name: info.name,
    ...(info.scope ? { scope: info.scope } : {}),
    ...(info.location ? { location: info.location } : {}),
  };
}

/** Claims whose data is copied: every migrated PVC, with the workloads that mount it. */
function plannedVolumes(
  exported: KubeObject[],
  transformed: KubeObject[],
  settings: TransformSettings,
  index: ReturnType<typeof buildIndex>,
): PlannedVolume[] {
  const ctx = { ...settings, index };
  const sourcePvcs = new Map(
    exported.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => [refKey(o), o]),
  );
  const workloads = exported.filter(
    (o) =>
      o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'CronJob',
  );
  const out: PlannedVolume[] = [];
  for (const t of transformed) {
    if (t.kind !== 'PersistentVolumeClaim') continue;
    const sourceNs = Object.entries(settings.namespaceMap).find(([, to]) => to === t.metadata.namespace)?.[0];
    const src = [...sourcePvcs.values()].find(
      (p) => p.metadata.namespace === sourceNs && p.metadata.name === t.metadata.name,
    );
    if (!src) continue;
    const usedBy: ObjectRef[] = workloads
      .filter(
        (w) =>
          w.metadata.namespace === src.metadata.namespace &&
          claimsOf(w, ctx).includes(src.metadata.name ?? ''),
      )
      .map(toRef);
    out.push({
      source: toRef(src),
      target: toRef(t),
      storageClass: asString(asObject(src.spec).storageClassName) ?? null,
      targetStorageClass: asString(asObject(t.spec).storageClassName) ?? null,
      size: asString(asObject(asObject(asObject(src.spec).resources).requests).storage) ?? null,
      bound: asObject(src.status).phase === 'Bound',
      usedBy,
    });
  }
  return out;
}

/** The plan as one YAML stream: a header document, then every object with its changes as comments. */
export function planToYaml(plan: MigrationPlan): string {
  const header = new Document({
    kind: 'MigrationPlan',
    id: plan.id,
    createdAt: plan.createdAt,
    source: plan.source,
    target: plan.target,
    summary: plan.summary,
    namespaces: plan.namespaces,
    preflight: plan.preflight,
    warnings: plan.warnings,
    volumes: plan.volumes,
    skipped: plan.skipped,
  });
  header.commentBefore = ` Dolly migration plan ${plan.id}: ${plan.source.name} → ${plan.target.name}. Nothing has been written yet.`;
  const docs = [header.toString({ lineWidth: 0 })];
  for (const o of plan.objects) {
    const d = new Document(o.object, { sortMapEntries: false });
    const lines = [
      ` ${o.action} ${describeRef(o.target)} (from ${describeRef(o.source)}), tier ${o.tier}${o.reason ? `: ${o.reason}` : ''}`,
      ...o.changes.map((c) => `   ${c.rule}: ${c.op} ${c.path}${c.note ? ` (${c.note})` : ''}`),
    ];
    d.commentBefore = lines.join('\n');
    docs.push(d.toString({ lineWidth: 0 }));
  }
  return docs.join('---\n');
}
