import { createHash } from 'node:crypto';
import { type MigrationRequest, migrationRequestSchema } from '@dolly/contracts';
import type { Database, DriftReport } from '@dolly/db';
import {
  bundledCatalog,
  type ClusterSpec,
  type ClusterSpecInput,
  clonePlanItemSchema,
  cloneDrift,
  type DriftFinding,
  diffClusterSpecs,
  driftFindingSchema,
  driftFingerprintText,
  normaliseCluster,
  clusterSpecSchema,
  translateCluster,
  type WorkloadFinding,
  workloadFindingSchema,
} from '@dolly/model';
import { z } from 'zod';

/** Why a cluster cannot be checked: the API answers 404/409 with these words. */
export class DriftCheckError extends Error {
  constructor(
    readonly code: 'not_found' | 'no_source',
    message: string,
  ) {
    super(message);
    this.name = 'DriftCheckError';
  }
}

/** What `DriftReport.infra` holds. */
export const driftInfraSchema = z.object({
  /** `plan`: against the clone plan's target; `translation`: the source translated again (no plan found). */
  basis: z.enum(['plan', 'translation']),
  runId: z.uuid().nullable(),
  findings: z.array(driftFindingSchema),
});
export type DriftInfra = z.infer<typeof driftInfraSchema>;

/** What `DriftReport.workloads` holds: the last succeeded migration into the clone, planned again. */
export const driftWorkloadsSchema = z.object({
  /** the migrate run whose stored request was planned again */
  runId: z.uuid(),
  /** the target namespaces compared */
  namespaces: z.array(z.string()),
  findings: z.array(workloadFindingSchema),
  /** more findings than a report keeps */
  truncated: z.boolean(),
  /** the clusters could not be compared (unreachable, the source namespaces gone): no findings */
  error: z.string().nullable(),
});
export type DriftWorkloads = z.infer<typeof driftWorkloadsSchema>;

/**
 * Compares the clone with the migration planned again (the caller connects to the clusters: the
 * API and the worker have the cloud credentials, this package does not).
 */
export type WorkloadDriftProbe = (migration: {
  id: string;
  request: MigrationRequest;
}) => Promise<{ namespaces: string[]; findings: WorkloadFinding[]; truncated: boolean }>;

/** sha256 of the sorted findings: equal findings, equal fingerprint, whatever order they came in. */
export function driftFingerprint(findings: DriftFinding[], workloads: WorkloadFinding[] = []): string {
  return createHash('sha256').update(driftFingerprintText(findings, workloads)).digest('hex');
}

/**
 * The last succeeded migration into the cluster: its namespaces, as it left them, are what the
 * clone's workloads should be. Older migrations are not compared (a bounded check).
 */
async function lastMigrationInto(
  db: Database,
  tenantId: string,
  clusterId: string,
): Promise<{ id: string; request: MigrationRequest } | null> {
  const run = await db.run.findFirst({
    where: {
      tenantId,
      kind: 'migrate',
      status: 'succeeded',
      input: { path: ['targetClusterId'], equals: clusterId },
    },
    orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
  });
  const request = migrationRequestSchema.safeParse(run?.input);
  return run && request.success ? { id: run.id, request: request.data } : null;
}

/**
 * The workloads of the last migration into the clone, compared again; or, when the caller says
 * the comparison is not due, the previous report's (same migration) as they stood. A comparison
 * that fails keeps the previous findings too, with the error: a cluster unreachable for one
 * sync must not look like the drift went away (and back, notifying again).
 */
async function compareWorkloads(
  db: Database,
  tenantId: string,
  clusterId: string,
  opts: { probe: WorkloadDriftProbe; due?: (clusterId: string) => Promise<boolean> },
  previous: DriftReport | null,
): Promise<DriftWorkloads | null> {
  const migration = await lastMigrationInto(db, tenantId, clusterId);
  if (!migration) return null;
  const stored = driftWorkloadsSchema.safeParse(previous?.workloads);
  const prior = stored.success && stored.data.runId === migration.id ? stored.data : null;
  if (prior && opts.due && !(await opts.due(clusterId))) return prior;
  try {
    return { runId: migration.id, ...(await opts.probe(migration)), error: null };
  } catch (error) {
    // The infra check still holds: the report says why workloads were not compared.
    const message = error instanceof Error ? error.message : String(error);
    if (prior) return { ...prior, error: message };
    return {
      runId: migration.id,
      namespaces: [],
      findings: [],
      truncated: false,
      error: message,
    };
  }
}

/** The spec as the inventory stores it (cluster spec; pools' own rows are the newer read). */
function specOf(c: { spec: unknown; nodePools: { spec: unknown }[] }): ClusterSpec | null {
  const parsed = clusterSpecSchema.safeParse({
    ...(c.spec as object),
    nodePools: c.nodePools.map((np) => np.spec),
  });
  return parsed.success ? parsed.data : null;
}

/**
 * What the clone should look like when no plan can be found (a run pruned, a lineage set by hand):
 * the source translated again into the clone's cloud and location with the same model functions,
 * with the clone's name, so only what a plan would have kept is compared.
 */
function translatedExpectation(source: ClusterSpec, clone: ClusterSpec): ClusterSpec | null {
  const r = translateCluster(
    source,
    { cloud: clone.cloud, location: clone.location, scope: clone.scope },
    bundledCatalog,
    { planId: 'drift' },
  );
  if (!r.ok) return null;
  return normaliseCluster({ ...(r.item.target as ClusterSpecInput), scope: clone.scope, name: clone.name });
}

export interface DriftCheckResult {
  /** The stored report; when nothing changed and the check stores only changes, the latest one. */
  report: DriftReport;
  /** The previous report of the cluster, if any. */
  previous: DriftReport | null;
  /** Drift is there and differs from the last report's: the moment to notify. */
  newDrift: boolean;
  /** A new report was written (false: `store: 'changed'` and the fingerprint was the latest's). */
  stored: boolean;
}

export interface DriftCheckOptions {
  /**
   * Compares the workloads of the last succeeded migration into the clone; without it the report
   * has infra findings only (`workloads` null).
   */
  workloads?: WorkloadDriftProbe;
  /**
   * Whether the workloads are compared this time (each comparison reads both clusters). Not due:
   * the previous report's workload findings for the same migration stand. Absent: always due.
   */
  workloadsDue?: (clusterId: string) => Promise<boolean>;
  /**
   * `always` (on demand: a person asked and sees the answer in the history); `changed` (the
   * schedule): a report only when its fingerprint differs from the cluster's latest report, so an
   * unchanged clone does not add a row per sync.
   */
  store?: 'always' | 'changed';
}

/**
 * Checks one clone against its source: infra from the inventory (the last sync's read-back, not
 * the cloud itself), workloads (when a probe is given and a migration went into the clone) by
 * planning the migration again against both clusters. Stores the report.
 */
export async function checkClusterDrift(
  db: Database,
  input: { tenantId: string; clusterId: string; requestedById: string | null },
  opts: DriftCheckOptions = {},
): Promise<DriftCheckResult> {
  const clone = await db.cluster.findFirst({
    where: { id: input.clusterId, tenantId: input.tenantId },
    include: { nodePools: { orderBy: { name: 'asc' } } },
  });
  if (!clone) throw new DriftCheckError('not_found', `No cluster ${input.clusterId}`);
  if (!clone.clonedFromId)
    throw new DriftCheckError(
      'no_source',
      `Cluster ${clone.name} has no known source: only clusters Dolly cloned can be checked for drift`,
    );
  const source = await db.cluster.findFirst({
    where: { id: clone.clonedFromId, tenantId: input.tenantId },
    include: { nodePools: { orderBy: { name: 'asc' } } },
  });
  if (!source)
    throw new DriftCheckError('no_source', `The source of ${clone.name} is no longer in the inventory`);
  const cloneSpec = specOf(clone);
  const sourceSpec = specOf(source);
  if (!cloneSpec || !sourceSpec)
    throw new DriftCheckError(
      'no_source',
      `Cluster ${clone.name} or its source has no readable spec yet: sync first`,
    );

  const findings: DriftFinding[] = [];
  let infra: DriftInfra;
  const run = clone.createdByRunId
    ? await db.run.findFirst({ where: { id: clone.createdByRunId, tenantId: input.tenantId, kind: 'clone' } })
    : null;
  const item = clonePlanItemSchema.safeParse((run?.input as { item?: unknown } | undefined)?.item);
  if (run && item.success) {
    findings.push(
      ...cloneDrift({
        target: item.data.target,
        clone: cloneSpec,
        planSource: item.data.source,
        source: sourceSpec,
      }),
    );
    infra = { basis: 'plan', runId: run.id, findings };
  } else {
    const expected = translatedExpectation(sourceSpec, cloneSpec);
    if (!expected)
      throw new DriftCheckError(
        'no_source',
        `The source of ${clone.name} no longer translates into ${clone.cloud}`,
      );
    findings.push(...diffClusterSpecs(expected, cloneSpec, { mode: 'translated' }));
    infra = { basis: 'translation', runId: null, findings };
  }
  // Vanished clusters are drift of the hardest kind; the sync says so on the page, the report too.
  if (source.vanishedAt)
    findings.push({ path: 'source', expected: 'present', actual: 'vanished', severity: 'critical' });
  if (clone.vanishedAt)
    findings.push({ path: 'cluster', expected: 'present', actual: 'vanished', severity: 'critical' });

  const previous = await db.driftReport.findFirst({
    where: { tenantId: input.tenantId, clusterId: clone.id },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const workloads = opts.workloads
    ? await compareWorkloads(
        db,
        input.tenantId,
        clone.id,
        { probe: opts.workloads, ...(opts.workloadsDue ? { due: opts.workloadsDue } : {}) },
        previous,
      )
    : null;
  const objectFindings = workloads?.findings ?? [];

  const fingerprint = driftFingerprint(findings, objectFindings);
  if (opts.store === 'changed' && previous?.fingerprint === fingerprint)
    return { report: previous, previous, newDrift: false, stored: false };
  const report = await db.driftReport.create({
    data: {
      tenantId: input.tenantId,
      clusterId: clone.id,
      sourceClusterId: source.id,
      drifted: findings.length > 0 || objectFindings.length > 0,
      fingerprint,
      infra,
      ...(workloads ? { workloads } : {}),
      requestedById: input.requestedById,
    },
  });
  return {
    report,
    previous,
    newDrift: report.drifted && previous?.fingerprint !== fingerprint,
    stored: true,
  };
}
