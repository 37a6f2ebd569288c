/**
 * Volume data: a bounded-bandwidth copy with byte progress, and stop-and-sync cutover (source scaled
 * down, final sync, target started), undone by rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUTOVER_ANNOTATION } from '../src/labels.ts';
import {
  applyMigration,
  copyVolumes,
  planMigration,
  rollbackMigration,
  verifyMigration,
} from '../src/migration.ts';
import { asObject } from '../src/types.ts';
import { clustersFor, expectedDbChecksums, newId, podChecksums, request } from './support/migration.ts';
import { startTestSandbox, type TestSandbox } from './support/sandbox.ts';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

describe('volume copy', () => {
  it('stop and sync: source down, final sync, target up within the bandwidth cap; rollback restores the source', async () => {
    const clusters = await clustersFor(sb, 'azure', 'gcp');
    const id = newId();
    const rate = 400_000;
    const plan = await planMigration(request('azure', 'gcp', { cutover: true, bandwidthBytesPerSec: rate }), {
      ...clusters,
      migrationId: id,
    });
    expect(plan.volumes).toEqual([
      expect.objectContaining({
        storageClass: 'managed-csi',
        targetStorageClass: 'standard-rwo',
        bound: true,
      }),
    ]);
    await applyMigration(plan, clusters);
    const db = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'shop-from-azure', name: 'db' };
    // held until the data is there
    expect(asObject((await clusters.target.client.get(db))?.spec).replicas).toBe(0);

    const bytes: number[] = [];
    const started = performance.now();
    const report = await copyVolumes(plan, clusters, {
      onProgress: (p) => p.bytes !== undefined && bytes.push(p.bytes),
    });
    const seconds = (performance.now() - started) / 1000;
    const copied = report.volumes[0]!;
    expect(copied).toMatchObject({ result: 'copied', verified: true, files: 7 });
    expect(copied.bytes).toBeGreaterThan(200_000);
    expect(seconds).toBeGreaterThanOrEqual((copied.bytes / rate) * 0.9);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(report.scaledDown.map((r) => r.name)).toEqual(['db']);
    expect(report.started.map((r) => r.name)).toEqual(['db']);

    const source = await clusters.source.client.get({ ...db, namespace: 'shop' });
    expect(asObject(source?.spec).replicas).toBe(0);
    expect(source?.metadata.annotations?.[CUTOVER_ANNOTATION]).toBe(`${id}:1`);
    const workloads = await verifyMigration(plan, clusters);
    expect(workloads.find((w) => w.ref.name === 'db')?.ready).toBe(true);
    expect(
      await podChecksums(
        clusters.target.client,
        { namespace: 'shop-from-azure', name: 'db-0', container: 'postgres' },
        '/var/lib/postgresql/data',
      ),
    ).toEqual(expectedDbChecksums());

    const rollback = await rollbackMigration(id, clusters);
    expect(rollback.restored.map((r) => r.name)).toEqual(['db']);
    const restored = await clusters.source.client.get({ ...db, namespace: 'shop' });
    expect(asObject(restored?.spec).replicas).toBe(1);
    expect(restored?.metadata.annotations?.[CUTOVER_ANNOTATION]).toBeUndefined();
    expect(
      await clusters.target.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop-from-azure' }),
    ).toBeUndefined();
    // no mover pod is left behind on either side
    const pods = (await clusters.source.client.discover()).preferred('', 'Pod')!;
    expect((await clusters.source.client.list(pods, { labelSelector: 'dolly-migration-mover' })).length).toBe(
      0,
    );
  });
});
