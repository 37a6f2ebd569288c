/**
 * Workloads drift of a migrated clone: the last migration into it planned again, with its stored
 * request and the same dry run and transforms (same migration id, so the traceability labels
 * match), and every object compared field by field with what the target holds. Reads both
 * clusters, writes nothing. Secret values are compared here and never leave: they read
 * `<redacted>` in a finding.
 */
import type { MigrationRequest } from '@dolly/contracts';
import type { WorkloadFinding } from '@dolly/model';
import type { MigrationCluster, MigrationClusters, StepOptions } from './context.ts';
import { projectOnto, REDACTED } from './diff.ts';
import { planMigration, transformSettings } from './dry-run.ts';
import { exportObjects } from './export.ts';
import { MIGRATION_LABEL, MOVER_LABEL } from './labels.ts';
import { buildIndex, skipReason } from './transform/index.ts';
import { withoutServerFields } from './transform/strip.ts';
import { isObject, type KubeObject, refKey } from './types.ts';

/** A Secret value that is there in the target and differs; its value is never shown. */
export const REDACTED_DIFFERS = '<redacted: differs>';

/** Findings kept per report: a namespace rewritten by hand must not make a report of megabytes. */
const DEFAULT_LIMIT = 500;

type Json = WorkloadFinding['expected'];
type FieldDiff = Pick<WorkloadFinding, 'path' | 'expected' | 'actual'>;

const json = (v: unknown): Json => (v === undefined ? null : (v as Json));
const join = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
const sameValue = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null) ||
  (isObject(a) && isObject(b) && sortedJson(a) === sortedJson(b));
const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

function walk(out: FieldDiff[], path: string, want: unknown, got: unknown) {
  if (isObject(want) && isObject(got)) {
    for (const k of Object.keys(want).sort()) walk(out, join(path, k), want[k], got[k]);
    return;
  }
  // Same length: item by item (a container's image); otherwise the list as a whole.
  if (Array.isArray(want) && Array.isArray(got) && want.length === got.length) {
    for (const [i, w] of want.entries()) walk(out, `${path}[${i}]`, w, got[i]);
    return;
  }
  if (!sameValue(want, got)) out.push({ path, expected: json(want), actual: json(got) });
}

/**
 * The fields of `desired` (what the migration writes) that `live` (the target) does not hold as
 * written: the live object is projected onto the fields the migration sets, so server defaults
 * and status are not drift. `object` when the target has no such object.
 */
export function objectDrift(desired: KubeObject, live: KubeObject | undefined): FieldDiff[] {
  if (!live) return [{ path: 'object', expected: 'present', actual: null }];
  const projected = projectOnto(withoutServerFields(live).object, desired);
  const out: FieldDiff[] = [];
  walk(out, '', desired, projected);
  if (desired.kind !== 'Secret') return out;
  return out.map((d) =>
    /^(data|stringData)\b/.test(d.path)
      ? { path: d.path, expected: REDACTED, actual: d.actual === null ? null : REDACTED_DIFFERS }
      : d,
  );
}

export interface WorkloadDriftResult {
  /** the target namespaces compared (the migration's, globs resolved) */
  namespaces: string[];
  /** objects the migration would write now */
  objects: number;
  /** sorted by namespace, kind, name, path; at most `limit` */
  findings: WorkloadFinding[];
  truncated: boolean;
}

const findingKey = (f: WorkloadFinding) => `${f.namespace}/${f.kind}/${f.name}/${f.path}`;
const namespaceOf = (o: KubeObject) =>
  o.kind === 'Namespace' ? (o.metadata.name ?? '') : (o.metadata.namespace ?? '');

/**
 * Compares the target with the migration planned again now. Objects a migration left alone (they
 * were there before it, `existing: skip`) are not the migration's and not drift. Extra objects are
 * those of the migrated target namespaces the migration would not write, less what the target
 * makes itself (the skip rules' default ServiceAccount, CA bundle, owned Pods, endpoints).
 */
export async function workloadDrift(
  request: MigrationRequest,
  clusters: MigrationClusters & { migrationId: string },
  opts: StepOptions & { limit?: number } = {},
): Promise<WorkloadDriftResult> {
  const { migrationId } = clusters;
  const found: WorkloadFinding[] = [];
  const plan = await planMigration(request, clusters, { ...opts, migrationId }, (desired, live) => {
    const ours = live?.metadata.labels?.[MIGRATION_LABEL] === migrationId;
    if (live && !ours && request.existing !== 'update') return;
    const at = { namespace: namespaceOf(desired), kind: desired.kind, name: desired.metadata.name ?? '' };
    for (const d of objectDrift(desired, live)) found.push({ ...at, ...d });
  });
  const targets = new Set(plan.namespaces.map((n) => n.target));
  const findings = found.filter((f) => targets.has(f.namespace));

  const inTarget = await exportObjects(
    clusters.target.client,
    {
      namespaces: [...targets],
      ...(request.labelSelector ? { labelSelector: request.labelSelector } : {}),
      ...(request.includeKinds ? { includeKinds: request.includeKinds } : {}),
      ...(request.excludeKinds ? { excludeKinds: request.excludeKinds } : {}),
      includeSecrets: request.includeSecrets,
    },
    opts.signal ? { signal: opts.signal } : {},
  );
  const planned = new Set(plan.objects.map((o) => refKey(o.target)));
  const ctx = {
    ...transformSettings(
      request,
      clusters,
      migrationId,
      plan.namespaces.map((n) => n.source),
    ),
    index: buildIndex(inTarget.objects),
  };
  for (const o of inTarget.objects) {
    const ns = o.metadata.namespace;
    if (!ns || !targets.has(ns) || planned.has(refKey(o))) continue;
    if (o.metadata.labels?.[MOVER_LABEL] || skipReason(o, ctx)) continue;
    findings.push({
      namespace: ns,
      kind: o.kind,
      name: o.metadata.name ?? '',
      path: 'object',
      expected: null,
      actual: 'present',
    });
  }
  findings.sort((a, b) => findingKey(a).localeCompare(findingKey(b)));
  const limit = opts.limit ?? DEFAULT_LIMIT;
  return {
    namespaces: [...targets].sort(),
    objects: plan.objects.filter((o) => targets.has(namespaceOf(o.object as unknown as KubeObject))).length,
    findings: findings.slice(0, limit),
    truncated: findings.length > limit,
  };
}

/**
 * The check for one stored migration: both clusters connected (the caller knows how: kubeconfigs
 * come from the cloud), compared, closed again whatever happens.
 */
export async function checkWorkloadDrift(
  migration: { id: string; request: MigrationRequest },
  connect: (clusterId: string) => Promise<MigrationCluster>,
  opts: StepOptions & { limit?: number } = {},
): Promise<WorkloadDriftResult> {
  const source = await connect(migration.request.sourceClusterId);
  let target: MigrationCluster | undefined;
  try {
    target = await connect(migration.request.targetClusterId);
    return await workloadDrift(migration.request, { source, target, migrationId: migration.id }, opts);
  } finally {
    source.client.close();
    target?.client.close();
  }
}
