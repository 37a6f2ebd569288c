import { createHash } from 'node:crypto';
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

/** sha256 of the sorted findings: equal findings, equal fingerprint, whatever order they came in. */
export function driftFingerprint(findings: DriftFinding[]): string {
  return createHash('sha256').update(driftFingerprintText(findings)).digest('hex');
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
  report: DriftReport;
  /** The previous report of the cluster, if any. */
  previous: DriftReport | null;
  /** Drift is there and differs from the last report's: the moment to notify. */
  newDrift: boolean;
}

/**
 * Checks one clone against its source from the inventory (the last sync's read-back, not the cloud
 * itself: a check never costs a cloud call) and stores the report.
 */
export async function checkClusterDrift(
  db: Database,
  input: { tenantId: string; clusterId: string; requestedById: string | null },
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
    orderBy: { createdAt: 'desc' },
  });
  const fingerprint = driftFingerprint(findings);
  const report = await db.driftReport.create({
    data: {
      tenantId: input.tenantId,
      clusterId: clone.id,
      sourceClusterId: source.id,
      drifted: findings.length > 0,
      fingerprint,
      infra,
      requestedById: input.requestedById,
    },
  });
  return {
    report,
    previous,
    newDrift: report.drifted && previous?.fingerprint !== fingerprint,
  };
}
