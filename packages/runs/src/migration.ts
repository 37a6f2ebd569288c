/**
 * A migration request from the API to what it answers: the dry-run document, computed now against
 * both clusters, or the `migrate` run to start. The route is schema + auth + `requestMigration`;
 * the run itself is started by the caller (the API's `startRun`), as for plans. The rules are
 * `admitMigration`'s (migrate.ts), which the worker applies again when the run starts.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '@dolly/authz';
import { DollyError, type MigrationRequest, migrationRequestFields } from '@dolly/contracts';
import type { Cluster, Database } from '@dolly/db';
import { type MigrationCluster, type MigrationPlan, planMigration, planToYaml } from '@dolly/kube';
import { z } from 'zod';
import { type ClusterCloudAccess, connectCluster } from './cluster-connection.ts';
import { admitMigration } from './migrate.ts';

/** A dry run reads both clusters; it must answer within a request's patience. */
export const DRY_RUN_TIMEOUT_MS = 90_000;

export interface MigrationCaller {
  tenantId: string;
  role: Role;
}

/** The run a migration request starts; `input` is the request as stored, with its title. */
export interface MigrationRunSpec {
  kind: 'migrate';
  input: MigrationRunInput;
  needsApproval: boolean;
  /** a replay with the same Idempotency-Key counts as the same request only for the same migration */
  sameRequest: (existing: { input: unknown }) => boolean;
}

export type MigrationRunInput = MigrationRequest & { title: string };

/** The dry-run document; as a YAML download when it was asked for in that format. */
export interface MigrationDryRun {
  plan: MigrationPlan;
  download?: { filename: string; yaml: string };
}

/** The request part of the body (the body also says whether to only dry-run it). */
export function migrationRequestOf(body: unknown): MigrationRequest {
  return z.object(migrationRequestFields).parse(body);
}

export function migrationRunInput(
  migration: MigrationRequest,
  source: Pick<Cluster, 'name' | 'cloud'>,
  target: Pick<Cluster, 'name' | 'cloud'>,
): MigrationRunInput {
  return {
    title: `Migrate ${migration.namespaces.join(', ')} from ${source.name} (${source.cloud}) → ${target.name} (${target.cloud})`,
    ...migration,
  };
}

/** Whether a stored run's input is this migration request (its title aside). */
export function sameMigrationRequest(migration: MigrationRequest, existing: { input: unknown }): boolean {
  return (
    JSON.stringify(z.object(migrationRequestFields).safeParse(existing.input).data) ===
    JSON.stringify(migration)
  );
}

export function dryRunFilename(source: Pick<Cluster, 'name'>, target: Pick<Cluster, 'name'>): string {
  return `migration-plan-${source.name}-to-${target.name}.yaml`;
}

/**
 * What a dry run that could not finish answers: out of time is the clusters' fault (503), a refusal
 * stays what it is, anything else the clusters said is named (422).
 */
export function dryRunFailure(error: unknown, timedOut: boolean): DollyError {
  if (timedOut) return new DollyError('unavailable', 'The clusters did not answer in time for a dry run');
  if (error instanceof DollyError) return error;
  return new DollyError(
    'unprocessable',
    `The dry run could not read the clusters: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * The dry run: admission on the request, the migration planned against both clusters as they are
 * now (nothing is written anywhere), then admission again on the namespaces the globs resolved to.
 */
export async function planMigrationDryRun(
  db: Database,
  cloud: ClusterCloudAccess,
  caller: MigrationCaller,
  migration: MigrationRequest,
  opts: { format?: 'json' | 'yaml'; timeoutMs?: number } = {},
): Promise<MigrationDryRun> {
  const { source, target } = await admitMigration(db, {
    tenantId: caller.tenantId,
    role: caller.role,
    request: migration,
  });
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DRY_RUN_TIMEOUT_MS);
  let clusters: { source: MigrationCluster; target: MigrationCluster } | undefined;
  try {
    clusters = {
      source: await connectCluster(cloud, caller.tenantId, source, { signal }),
      target: await connectCluster(cloud, caller.tenantId, target, { signal }),
    };
    const plan = await planMigration(migration, { ...clusters, migrationId: randomUUID() }, { signal });
    // globs resolved to real namespaces: the policy sees each of them
    await admitMigration(db, {
      tenantId: caller.tenantId,
      role: caller.role,
      request: migration,
      namespaces: plan.namespaces,
    });
    if (opts.format === 'yaml')
      return { plan, download: { filename: dryRunFilename(source, target), yaml: planToYaml(plan) } };
    return { plan };
  } catch (error) {
    throw dryRunFailure(error, signal.aborted);
  } finally {
    clusters?.source.client.close();
    clusters?.target.client.close();
  }
}

/**
 * The `migrate` run a request starts: admitted with the busy rule (one migration at a time into
 * the same target namespaces; a replay of the same Idempotency-Key is not busy with itself).
 */
export async function migrationRun(
  db: Database,
  caller: MigrationCaller,
  migration: MigrationRequest,
  idempotencyKey?: string,
): Promise<MigrationRunSpec> {
  const { source, target, requireApproval } = await admitMigration(db, {
    tenantId: caller.tenantId,
    role: caller.role,
    request: migration,
    busy: { idempotencyKey },
  });
  return {
    kind: 'migrate',
    input: migrationRunInput(migration, source, target),
    needsApproval: requireApproval,
    sameRequest: (existing) => sameMigrationRequest(migration, existing),
  };
}

/** POST /migrations: the dry-run document (`dryRun`), or the run to start. */
export async function requestMigration(
  db: Database,
  cloud: ClusterCloudAccess,
  caller: MigrationCaller,
  body: { dryRun: boolean } & Record<string, unknown>,
  opts: { idempotencyKey?: string | undefined; format?: 'json' | 'yaml' } = {},
): Promise<{ dryRun: MigrationDryRun; run?: never } | { run: MigrationRunSpec; dryRun?: never }> {
  const { dryRun, ...fields } = body;
  const migration = migrationRequestOf(fields);
  if (dryRun)
    return {
      dryRun: await planMigrationDryRun(
        db,
        cloud,
        caller,
        migration,
        opts.format ? { format: opts.format } : {},
      ),
    };
  return { run: await migrationRun(db, caller, migration, opts.idempotencyKey) };
}
