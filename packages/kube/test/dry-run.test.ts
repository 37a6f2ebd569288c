/**
 * The dry run against real (sandbox) clusters: it writes nothing, its document is the contract's
 * MigrationPlan and a YAML stream without Secret values; preflight stops apply before any write;
 * Secrets move only when asked; existing objects are skipped or updated, and rollback leaves what
 * the migration did not create.
 */
import { migrationPlanSchema } from '@dolly/contracts';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planToYaml } from '../src/dry-run.ts';
import { MIGRATION_LABEL, UPDATED_ANNOTATION } from '../src/labels.ts';
import { applyMigration, PreflightFailedError, planMigration, rollbackMigration } from '../src/migration.ts';
import { findMigrationObjects } from '../src/rollback.ts';
import {
  cluster,
  clustersFor,
  namespaceObjects,
  newId,
  request,
  resourceVersions,
} from './support/migration.ts';
import { startTestSandbox, type TestSandbox } from './support/sandbox.ts';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

const PASSWORD_B64 = Buffer.from('sandbox-demo-password').toString('base64');

describe('dry run', () => {
  it('writes nothing to either cluster and produces the contract document', async () => {
    const clusters = await clustersFor(sb, 'aws', 'gcp');
    const before = await resourceVersions(sb);
    const plan = await planMigration(request('aws', 'gcp'), { ...clusters, migrationId: newId() });
    expect(await resourceVersions(sb)).toEqual(before);
    expect(migrationPlanSchema.safeParse(plan).success).toBe(true);
    expect(plan.summary).toMatchObject({
      objects: plan.objects.length,
      create: plan.objects.length,
      volumes: 1,
    });
    expect(plan.objects.find((o) => o.target.kind === 'StatefulSet')?.changes.map((c) => c.rule)).toEqual(
      expect.arrayContaining(['mapStorageClass', 'holdWorkloadsForVolumeCopy', 'renameNamespace']),
    );
    expect(plan.objects.every((o) => o.diff.length > 0)).toBe(true);
  });

  it('downloads as YAML: a header, then every object; Secret values never appear', async () => {
    const clusters = await clustersFor(sb, 'azure', 'aws');
    const plan = await planMigration(request('azure', 'aws'), { ...clusters, migrationId: newId() });
    expect(JSON.stringify(plan)).not.toContain(PASSWORD_B64);
    const text = planToYaml(plan);
    expect(text).not.toContain(PASSWORD_B64);
    const docs = parseAllDocuments(text).map(
      (d) => d.toJS() as { kind: string; data?: Record<string, string> },
    );
    expect(docs[0]?.kind).toBe('MigrationPlan');
    expect(docs.length).toBe(plan.objects.length + 1);
    expect(docs.find((d) => d.kind === 'Secret')?.data).toEqual({
      POSTGRES_USER: '<redacted>',
      POSTGRES_PASSWORD: '<redacted>',
      POSTGRES_DB: '<redacted>',
    });
  });

  it('a failing preflight stops apply before anything is written', async () => {
    const clusters = await clustersFor(sb, 'gcp', 'azure');
    const plan = await planMigration(
      request('gcp', 'azure', { storageClassMap: { 'standard-rwo': 'no-such-class' } }),
      {
        ...clusters,
        migrationId: newId(),
      },
    );
    expect(plan.preflight.ok).toBe(false);
    expect(plan.preflight.checks.find((c) => c.name === 'storage-classes')?.message).toMatch(/no-such-class/);
    const before = await resourceVersions(sb);
    await expect(applyMigration(plan, clusters)).rejects.toBeInstanceOf(PreflightFailedError);
    expect(await resourceVersions(sb)).toEqual(before);
  });

  it('refuses to migrate a namespace onto itself in the same cluster', async () => {
    const prod = await cluster(sb, 'aws', 'prod');
    const plan = await planMigration(
      request('aws', 'aws', { namespaceMap: { shop: 'shop' }, targetClusterId: prod.info.clusterId }),
      {
        source: prod,
        target: prod,
        migrationId: newId(),
      },
    );
    expect(plan.preflight.checks.find((c) => c.name === 'distinct-target')?.status).toBe('fail');
  });
});

describe('secrets and existing objects', () => {
  it('copies no Secret unless the request allows it', async () => {
    const clusters = await clustersFor(sb, 'aws', 'azure');
    const id = newId();
    const plan = await planMigration(request('aws', 'azure', { includeSecrets: false, copyVolumes: false }), {
      ...clusters,
      migrationId: id,
    });
    expect(plan.objects.filter((o) => o.target.kind === 'Secret')).toEqual([]);
    expect(plan.preflight.checks.find((c) => c.name === 'secrets')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/db-credentials/),
    });
    await applyMigration(plan, clusters);
    const written = await namespaceObjects(clusters.target.client, 'shop-from-aws');
    expect(written.filter((o) => o.kind === 'Secret')).toEqual([]);
    await rollbackMigration(id, clusters);
  });

  it('skips or updates what exists; rollback deletes only what the migration created', async () => {
    const clusters = await clustersFor(sb, 'gcp', 'aws');
    const t = clusters.target.client;
    const ns = 'shop-from-gcp';
    await t.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await t.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'frontend-config', namespace: ns },
      data: { FEATURE_FLAGS: 'none' },
    });

    const skip = await planMigration(request('gcp', 'aws', { copyVolumes: false }), {
      ...clusters,
      migrationId: newId(),
    });
    const cm = skip.objects.find((o) => o.target.name === 'frontend-config');
    expect(cm).toMatchObject({ action: 'skip', reason: expect.stringMatching(/exists/) });
    expect(skip.objects.find((o) => o.target.kind === 'Namespace')?.action).toBe('skip');

    const id = newId();
    const update = await planMigration(request('gcp', 'aws', { copyVolumes: false, existing: 'update' }), {
      ...clusters,
      migrationId: id,
    });
    const planned = update.objects.find((o) => o.target.name === 'frontend-config');
    expect(planned?.action).toBe('update');
    expect(planned?.diff).toMatch(/-\s+FEATURE_FLAGS: none/);
    const applied = await applyMigration(update, clusters);
    expect(applied.objects.find((o) => o.target.name === 'frontend-config')?.result).toBe('updated');
    expect(applied.objects.find((o) => o.target.kind === 'Deployment')?.result).toBe('created');
    const live = await t.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'frontend-config' });
    expect(live?.data).toMatchObject({ FEATURE_FLAGS: 'recommendations,new-checkout' });
    expect(live?.metadata.labels?.[MIGRATION_LABEL]).toBeUndefined();
    expect(live?.metadata.annotations?.[UPDATED_ANNOTATION]).toBe(id);

    const report = await rollbackMigration(id, clusters);
    expect(report.failed).toEqual([]);
    expect(await findMigrationObjects(t, id)).toEqual([]);
    // the namespace and the ConfigMap existed before: they stay
    expect(await t.get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeDefined();
    expect(
      await t.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'frontend-config' }),
    ).toBeDefined();
    expect(
      await t.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'frontend' }),
    ).toBeUndefined();
  });
});
