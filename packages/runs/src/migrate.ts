import { evaluateSourceWrites, type Role, roleAtLeast, sourceWrites } from '@dolly/authz';
import { type MigrationRequest, migrationRequestFields } from '@dolly/contracts';
import type { Cluster, Database } from '@dolly/db';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';
import {
  ACTIVE_STATUSES,
  type AdmissionContext,
  assessPairs,
  denied,
  loadAdmissionContext,
  type PolicyOutcome,
} from './policy.ts';

export const SECRETS_RULE = 'builtin:secrets-operator';

/** Namespaces the cluster runs on: no migration reads a request into them. */
export function isSystemNamespace(name: string): boolean {
  return name.startsWith('kube-');
}

/** Plain names the request maps to in the target (globs are resolved by the export). */
export function targetNamespaces(request: Pick<MigrationRequest, 'namespaces' | 'namespaceMap'>): string[] {
  return request.namespaces.filter((n) => !/[*?[]/.test(n)).map((n) => request.namespaceMap?.[n] ?? n);
}

export { sourceWrites } from '@dolly/authz';

export interface MigrationAdmission extends PolicyOutcome {
  ctx: AdmissionContext;
  source: Cluster;
  target: Cluster;
}

async function loadCluster(db: Database, tenantId: string, id: string, field: string): Promise<Cluster> {
  const cluster = await db.cluster.findFirst({ where: { id, tenantId, vanishedAt: null } });
  // another tenant's cluster is as absent as one that never existed
  if (!cluster)
    throw new AdmissionError('validation_failed', `No cluster ${id} in the inventory`, [
      { path: `body.${field}`, message: 'not a cluster of this tenant' },
    ]);
  return cluster;
}

/** The two ends of a migration as the rules see them: environment and cluster name. */
export interface MigrationEnds {
  source: Pick<Cluster, 'environment' | 'name'>;
  target: Pick<Cluster, 'environment' | 'name'>;
}

/**
 * The migration rules for one request between two ends: no kube-* namespace in the target,
 * Secrets only for operators, the guard on writes into the source (cutover, volume copy) and the
 * policy for every namespace pair. The target may be a cluster that does not exist yet (a clone
 * with workloads): its environment is the one the clone will have.
 */
export function assessMigration(
  ctx: AdmissionContext,
  role: Role,
  request: Pick<
    MigrationRequest,
    'namespaces' | 'namespaceMap' | 'includeSecrets' | 'cutover' | 'copyVolumes'
  >,
  ends: MigrationEnds,
  namespaces?: { source: string; target: string }[],
  /** where a refusal's fields live in the request body */
  at = 'body',
): PolicyOutcome {
  const { source, target } = ends;
  const pairs =
    namespaces ?? request.namespaces.map((n) => ({ source: n, target: request.namespaceMap?.[n] ?? n }));
  const system = pairs.filter((n) => isSystemNamespace(n.target));
  if (system.length)
    throw new AdmissionError(
      'validation_failed',
      `Migrations never write into system namespaces: ${system.map((n) => n.target).join(', ')}`,
      system.map((n) => ({
        path: n.source === n.target ? `${at}.namespaces` : `${at}.namespaceMap.${n.source}`,
        message: `${n.target} is a kube-* namespace`,
      })),
    );
  if (request.includeSecrets && !roleAtLeast(role, 'operator'))
    throw new AdmissionError(
      'policy_denied',
      `Copying Secrets needs the operator role or above [rule: ${SECRETS_RULE}]`,
      [{ path: `${at}.includeSecrets`, message: 'needs the operator role' }],
    );
  const writes = evaluateSourceWrites({
    role,
    source: { env: source.environment, cluster: source.name },
    writes: sourceWrites(request),
    settings: ctx.settings,
  });
  if (!writes.allowed) throw denied(writes);
  return assessPairs(
    ctx,
    role,
    'migrate',
    pairs.map((n) => ({
      source: { env: source.environment, cluster: source.name, namespace: n.source },
      target: { env: target.environment, cluster: target.name, namespace: n.target },
    })),
  );
}

/**
 * A migration, from the request (API) to the first write (worker): the clusters from the
 * inventory, the rules of `assessMigration`, and on request one migration at a time into the same
 * target namespaces.
 */
export async function admitMigration(
  db: Database,
  req: {
    tenantId: string;
    role: Role;
    request: MigrationRequest;
    /** resolved pairs once the export has run; default: the plain names of the request */
    namespaces?: { source: string; target: string }[];
    busy?: { idempotencyKey?: string | undefined; exceptRunId?: string };
  },
): Promise<MigrationAdmission> {
  const { request, role } = req;
  const [source, target] = await Promise.all([
    loadCluster(db, req.tenantId, request.sourceClusterId, 'sourceClusterId'),
    loadCluster(db, req.tenantId, request.targetClusterId, 'targetClusterId'),
  ]);
  const ctx = await loadAdmissionContext(db, req.tenantId);
  const outcome = assessMigration(ctx, role, request, { source, target }, req.namespaces);
  if (req.busy) await assertNotBusy(db, req.tenantId, request, target, req.busy);
  return { ctx, source, target, ...outcome };
}

async function assertNotBusy(
  db: Database,
  tenantId: string,
  request: MigrationRequest,
  target: Cluster,
  opts: { idempotencyKey?: string | undefined; exceptRunId?: string },
) {
  const wanted = new Set(targetNamespaces(request));
  const busy = (
    await db.run.findMany({
      where: {
        tenantId,
        kind: 'migrate',
        status: { in: [...ACTIVE_STATUSES] },
        ...(opts.exceptRunId ? { id: { not: opts.exceptRunId } } : {}),
      },
    })
  ).filter((run) => {
    const other = z.object(migrationRequestFields).safeParse(run.input);
    return (
      other.success &&
      other.data.targetClusterId === request.targetClusterId &&
      targetNamespaces(other.data).some((n) => wanted.has(n))
    );
  });
  const key = opts.idempotencyKey;
  if (busy.length && !(key && busy.some((b) => b.idempotencyKey === key)))
    throw new AdmissionError(
      'conflict',
      `A migration into these namespaces of ${target.name} is already running (run ${busy[0]?.id})`,
    );
}
