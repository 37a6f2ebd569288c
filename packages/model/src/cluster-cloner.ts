import { z } from 'zod';
import { type ClusterSpec, clusterSpecSchema } from './schemas';
import { type ValidationIssue, zodIssues } from './validate';

// Cluster Cloner (the tool Dolly grows from) wrote an array of `ClusterInfo` with Go-style field
// names. Files in the wild vary in key case and cloud spelling ("GCP", "gcp", "Azure"), so keys are
// matched case-insensitively and clouds by lower case ("google"/"gke", "eks", "aks" also accepted).

const lowerKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      // Labels are user data: keep their keys as written.
      out[k.toLowerCase()] = k.toLowerCase() === 'labels' ? val : lowerKeys(val);
    }
    return out;
  }
  return v;
};

const CLOUD_ALIASES: Record<string, ClusterSpec['cloud']> = {
  aws: 'aws',
  eks: 'aws',
  amazon: 'aws',
  azure: 'azure',
  aks: 'azure',
  gcp: 'gcp',
  gke: 'gcp',
  google: 'gcp',
};

const CC_FIELD_NAMES: Record<string, string> = {
  cloud: 'Cloud',
  scope: 'Scope',
  location: 'Location',
  name: 'Name',
  k8sversion: 'K8sVersion',
  labels: 'Labels',
  nodepools: 'NodePools',
  machinetype: 'MachineType',
  nodecount: 'NodeCount',
  disksizegb: 'DiskSizeGB',
  preemptible: 'Preemptible',
};

const ccMachineType = z.union([
  z.string().min(1),
  // Some versions wrote the whole machine-type record; only its name is used (Dolly has the specs).
  z.looseObject({ name: z.string().min(1) }).transform((m) => m.name),
]);

const ccNodePool = z.looseObject({
  name: z.string().min(1),
  machinetype: ccMachineType,
  nodecount: z.number().int().min(0),
  disksizegb: z.number().int().positive().optional(),
  preemptible: z.boolean().optional(),
  spot: z.boolean().optional(),
  k8sversion: z.string().optional(),
});

const ccCluster = z.looseObject({
  cloud: z
    .string()
    .transform((s) => CLOUD_ALIASES[s.trim().toLowerCase()])
    .refine((c) => c !== undefined, { message: 'Cloud must be AWS, Azure or GCP' }),
  scope: z.string().min(1),
  location: z.string().min(1),
  name: z.string().min(1),
  k8sversion: z.string().min(1),
  labels: z.record(z.string(), z.string()).nullish(),
  nodepools: z.array(ccNodePool),
});

/** True when a parsed JSON value looks like Cluster Cloner output (Go-style `K8sVersion` / `NodePools`). */
export function isClusterClonerInput(value: unknown): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === null || typeof first !== 'object') return false;
  return Object.keys(first).some((k) => k.toLowerCase() === 'k8sversion' || k === 'NodePools');
}

/**
 * Converts Cluster Cloner's `ClusterInfo[]` into ClusterSpecs. Node counts are taken as totals and
 * `Preemptible` as spot; fields Cluster Cloner never read (autoscaling, taints, zones...) stay absent.
 */
export function fromClusterCloner(
  value: unknown,
): { ok: true; clusters: ClusterSpec[] } | { ok: false; issues: ValidationIssue[] } {
  const list = Array.isArray(value) ? value : [value];
  const parsed = z.array(ccCluster).safeParse(lowerKeys(list));
  if (!parsed.success) {
    return {
      ok: false,
      // Report paths in Cluster Cloner's own spelling (NodePools[0].MachineType).
      issues: zodIssues(parsed.error).map((i) => ({
        ...i,
        path: i.path.replace(/[a-z0-9]+/g, (seg) => CC_FIELD_NAMES[seg] ?? seg),
      })),
    };
  }
  const clusters = parsed.data.map((c) =>
    clusterSpecSchema.parse({
      cloud: c.cloud,
      scope: c.scope,
      location: c.location,
      name: c.name,
      kubernetesVersion: c.k8sversion,
      labels: c.labels ?? {},
      nodePools: c.nodepools.map((p) => ({
        name: p.name,
        machineType: p.machinetype,
        nodeCount: p.nodecount,
        spot: p.preemptible ?? p.spot ?? false,
        ...(p.disksizegb !== undefined ? { diskSizeGb: p.disksizegb } : {}),
        ...(p.k8sversion ? { kubernetesVersion: p.k8sversion } : {}),
      })),
    }),
  );
  return { ok: true, clusters };
}
