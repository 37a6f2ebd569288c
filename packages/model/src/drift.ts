import { z } from 'zod';
import { canonical } from './compare';
import type { ClusterSpec, NodePoolSpec, TargetClusterSpec, Taint } from './schemas';
import { isCloudManagedNodeLabel, isCloudManagedTaint, PROVENANCE_KEYS } from './translate/labels';

/**
 * How much a difference matters: `critical` changes what can run (a pool gone, another machine
 * type), `warning` changes how it behaves (version, autoscaling, taints, spot, zones), `info` is
 * bookkeeping (a node count, a label).
 */
export const driftSeveritySchema = z.enum(['info', 'warning', 'critical']);
export type DriftSeverity = z.infer<typeof driftSeveritySchema>;

export const driftFindingSchema = z.object({
  /** `nodePools[web].machineType`; `source.` in front when the source moved since the clone was made. */
  path: z.string(),
  expected: z.json().nullable(),
  actual: z.json().nullable(),
  severity: driftSeveritySchema,
});
export type DriftFinding = z.infer<typeof driftFindingSchema>;

/**
 * One difference between what the last migration into a clone would write now (the source
 * re-planned with the migration's stored input and transforms) and what the clone holds.
 * `path` is the field (`spec.replicas`, `spec.template.spec.containers[0].image`), or `object`
 * for an object missing in the target (`actual` null) or extra in a migrated namespace
 * (`expected` null). Secret values never appear: they read `<redacted>`.
 */
export const workloadFindingSchema = z.object({
  /** the target namespace; for a Namespace object its own name */
  namespace: z.string(),
  kind: z.string(),
  name: z.string(),
  path: z.string(),
  expected: z.json().nullable(),
  actual: z.json().nullable(),
});
export type WorkloadFinding = z.infer<typeof workloadFindingSchema>;

type Json = DriftFinding['expected'];

const minor = (v: string) => v.split('.').slice(0, 2).join('.');
const json = (v: unknown): Json => (v === undefined ? null : (v as Json));
const sortedTaints = (t: Taint[]) =>
  [...t]
    .map((x) => ({ key: x.key, ...(x.value !== undefined ? { value: x.value } : {}), effect: x.effect }))
    .sort((a, b) =>
      `${a.key}=${a.value ?? ''}:${a.effect}`.localeCompare(`${b.key}=${b.value ?? ''}:${b.effect}`),
    );
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface DiffOptions {
  /**
   * `translated`: `expected` is what a plan asked another cloud for, `actual` what that cloud
   * reports. Labels and taints the cloud adds itself are not drift, and a pool's node count is not
   * compared while it autoscales (the autoscaler moves it). `exact`: both are read back from the
   * same cloud (a source against its own earlier read-back): every difference counts.
   */
  mode: 'translated' | 'exact';
  /** Put in front of every path (`source.`). */
  prefix?: string;
}

function diffLabels(
  out: DriftFinding[],
  path: string,
  expected: Record<string, string>,
  actual: Record<string, string>,
  opts: DiffOptions,
) {
  const ignored = (k: string) =>
    opts.mode === 'translated' &&
    (isCloudManagedNodeLabel(k) || (PROVENANCE_KEYS as readonly string[]).includes(k));
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const k of keys) {
    if (ignored(k)) continue;
    if (expected[k] !== actual[k])
      out.push({
        path: `${path}.${k}`,
        expected: json(expected[k]),
        actual: json(actual[k]),
        severity: 'info',
      });
  }
}

function diffPool(
  out: DriftFinding[],
  base: string,
  want: NodePoolSpec,
  got: NodePoolSpec,
  opts: DiffOptions,
) {
  const add = (field: string, expected: unknown, actual: unknown, severity: DriftSeverity) => {
    if (!same(expected, actual))
      out.push({ path: `${base}.${field}`, expected: json(expected), actual: json(actual), severity });
  };
  add('machineType', want.machineType, got.machineType, 'critical');
  const autoscaled = want.autoscaling !== undefined && got.autoscaling !== undefined;
  if (opts.mode === 'exact' || !autoscaled) add('nodeCount', want.nodeCount, got.nodeCount, 'info');
  add('autoscaling', want.autoscaling ?? null, got.autoscaling ?? null, 'warning');
  add('spot', want.spot, got.spot, 'warning');
  diffLabels(out, `${base}.labels`, want.labels ?? {}, got.labels ?? {}, opts);
  const taints = (t: Taint[]) =>
    sortedTaints(opts.mode === 'translated' ? t.filter((x) => !isCloudManagedTaint(x.key)) : t);
  add('taints', taints(want.taints ?? []), taints(got.taints ?? []), 'warning');
  // A plan without zones left them to the cloud: whatever it picked is what was asked.
  if (opts.mode === 'exact' || want.zones?.length)
    add('zones', [...(want.zones ?? [])].sort(), [...(got.zones ?? [])].sort(), 'warning');
}

/**
 * The drift between what a cluster should be and what it is, one finding per field that differs,
 * in a stable order (cluster fields, then pools by name). Pools match by name; names a plan
 * legalised for the target cloud are the names it created, so they match too.
 */
export function diffClusterSpecs(
  expected: ClusterSpec | TargetClusterSpec,
  actual: ClusterSpec,
  opts: DiffOptions,
): DriftFinding[] {
  const out: DriftFinding[] = [];
  const p = opts.prefix ?? '';
  // Clouds pick the patch release (and upgrade it on their own): only the minor is the user's choice.
  if (minor(expected.kubernetesVersion) !== minor(actual.kubernetesVersion))
    out.push({
      path: `${p}kubernetesVersion`,
      expected: expected.kubernetesVersion,
      actual: actual.kubernetesVersion,
      severity: 'warning',
    });
  diffLabels(out, `${p}labels`, expected.labels ?? {}, actual.labels ?? {}, opts);
  const names = [...new Set([...expected.nodePools, ...actual.nodePools].map((np) => np.name))].sort();
  for (const name of names) {
    const want = expected.nodePools.find((np) => np.name === name);
    const got = actual.nodePools.find((np) => np.name === name);
    const base = `${p}nodePools[${name}]`;
    if (want && got) diffPool(out, base, want, got, opts);
    else
      out.push({
        path: base,
        expected: want ? poolSummary(want) : null,
        actual: got ? poolSummary(got) : null,
        severity: 'critical',
      });
  }
  return out;
}

function poolSummary(np: NodePoolSpec): Json {
  return {
    machineType: np.machineType,
    nodeCount: np.nodeCount,
    ...(np.autoscaling ? { autoscaling: np.autoscaling } : {}),
  };
}

/**
 * Infra drift of a clone: against what its plan asked for (`target`), so the other cloud's machine
 * type names and region are not drift; and the source against itself as it was when the plan was
 * made (`planSource`), because a source that moved on leaves its clone behind just the same.
 */
export function cloneDrift(input: {
  target: ClusterSpec | TargetClusterSpec;
  clone: ClusterSpec;
  planSource?: ClusterSpec;
  source: ClusterSpec;
}): DriftFinding[] {
  return [
    ...diffClusterSpecs(input.target, input.clone, { mode: 'translated' }),
    ...(input.planSource
      ? diffClusterSpecs(input.planSource, input.source, { mode: 'exact', prefix: 'source.' })
      : []),
  ];
}

const workloadKey = (w: WorkloadFinding) => `${w.namespace}/${w.kind}/${w.name}/${w.path}`;

/**
 * The canonical text a fingerprint hashes: findings sorted by path, keys in a fixed order; then
 * workload findings sorted by object and path. Without workload findings the text is the infra
 * findings' alone, so reports stored before workloads were compared keep their fingerprint.
 */
export function driftFingerprintText(findings: DriftFinding[], workloads: WorkloadFinding[] = []): string {
  const infra = [...findings]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => canonical({ path: f.path, expected: f.expected, actual: f.actual, severity: f.severity }));
  if (!workloads.length) return JSON.stringify(infra);
  const objects = [...workloads]
    .sort((a, b) => workloadKey(a).localeCompare(workloadKey(b)))
    .map((w) =>
      canonical({
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        path: w.path,
        expected: w.expected,
        actual: w.actual,
      }),
    );
  return JSON.stringify({ infra, workloads: objects });
}
