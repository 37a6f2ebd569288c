/**
 * Workloads drift against real (sandbox) clusters: a migration applied, then the target changed
 * behind Dolly's back (replicas scaled, a ConfigMap deleted, one added, a Secret value changed);
 * the migration planned again with its own id finds exactly those, Secret values redacted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigration, planMigration, rollbackMigration } from '../src/migration.ts';
import { workloadDrift } from '../src/workload-drift.ts';
import { clustersFor, newId, request } from './support/migration.ts';
import { startTestSandbox, type TestSandbox } from './support/sandbox.ts';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

describe('workloadDrift', () => {
  it('reports nothing right after a migration, then every object changed in the target', async () => {
    const clusters = await clustersFor(sb, 'gcp', 'aws');
    const ns = `shop-drift-${Date.now().toString(36).slice(-4)}`;
    const req = request('gcp', 'aws', {
      namespaceMap: { shop: ns },
      copyVolumes: false,
      includeSecrets: true,
    });
    const id = newId();
    const plan = await planMigration(req, { ...clusters, migrationId: id });
    await applyMigration(plan, clusters);
    try {
      const fresh = await workloadDrift(req, { ...clusters, migrationId: id });
      expect(fresh.namespaces).toEqual([ns]);
      expect(fresh.objects).toBeGreaterThan(5);
      expect(fresh.findings, JSON.stringify(fresh.findings)).toEqual([]);

      const t = clusters.target.client;
      await t.mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'frontend' },
        {
          spec: { replicas: 7 },
        },
      );
      await t.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'catalog-seed' });
      await t.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hand-made', namespace: ns },
        data: { a: 'b' },
      });
      await t.mergePatch(
        { apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'db-credentials' },
        {
          data: { POSTGRES_PASSWORD: Buffer.from('changed-by-hand').toString('base64') },
        },
      );

      const drift = await workloadDrift(req, { ...clusters, migrationId: id });
      expect(drift.truncated).toBe(false);
      expect(drift.findings).toEqual([
        {
          namespace: ns,
          kind: 'ConfigMap',
          name: 'catalog-seed',
          path: 'object',
          expected: 'present',
          actual: null,
        },
        {
          namespace: ns,
          kind: 'ConfigMap',
          name: 'hand-made',
          path: 'object',
          expected: null,
          actual: 'present',
        },
        {
          namespace: ns,
          kind: 'Deployment',
          name: 'frontend',
          path: 'spec.replicas',
          expected: 2,
          actual: 7,
        },
        {
          namespace: ns,
          kind: 'Secret',
          name: 'db-credentials',
          path: 'data.POSTGRES_PASSWORD',
          expected: '<redacted>',
          actual: '<redacted: differs>',
        },
      ]);
      expect(JSON.stringify(drift)).not.toContain(Buffer.from('changed-by-hand').toString('base64'));
      expect((await workloadDrift(req, { ...clusters, migrationId: id }, { limit: 2 })).truncated).toBe(true);
    } finally {
      await rollbackMigration(id, clusters);
      await clusters.target.client.delete({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: ns,
        name: 'hand-made',
      });
    }
  });
});
