import { dolly, unwrap } from '../../lib/api-client.ts';
import type { Run } from '../../lib/runs.ts';
import type { MigrationBody } from './migrate-state.ts';
import type { MigrationPlan } from './plan-view.ts';

/** POST /migrations with dryRun: the plan document, computed now; nothing is written. */
export async function dryRunMigration(body: MigrationBody): Promise<MigrationPlan> {
  // dryRun: true answers 200 with the plan document; only a started migration answers a run (202).
  return (await unwrap(
    dolly.POST('/api/v1/migrations', { body: { ...body, dryRun: true } }),
  )) as MigrationPlan;
}

/** The same dry run as one YAML stream (`?format=yaml`), for download and review. */
export async function dryRunMigrationYaml(body: MigrationBody): Promise<string> {
  const yaml = await unwrap(
    dolly.POST('/api/v1/migrations', {
      params: { query: { format: 'yaml' } },
      body: { ...body, dryRun: true },
      parseAs: 'text',
    }),
  );
  return String(yaml);
}

/** Starts the migration run (202); the key makes a double click or a resend start it once. */
export async function startMigration(body: MigrationBody, idempotencyKey: string): Promise<Run> {
  // dryRun: false answers 202 with the queued run; the plan document is the dry run's answer.
  return (await unwrap(
    dolly.POST('/api/v1/migrations', {
      params: { header: { 'idempotency-key': idempotencyKey } },
      body: { ...body, dryRun: false },
    }),
  )) as Run;
}
