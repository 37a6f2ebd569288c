/**
 * The demo shop namespace migrates from each cloud's prod cluster into another cloud's dev cluster
 * under a new name: everything Ready, the database files intact, nothing of the source cluster
 * left in the objects, a re-run changes nothing, rollback leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMigrationObjects } from '../src/rollback.ts';
import {
  applyMigration,
  copyVolumes,
  planMigration,
  rollbackMigration,
  summarizeMigration,
  verifyMigration,
} from '../src/migration.ts';
import { CLOUD_KEY_PATTERNS } from '../src/transform/cloud.ts';
import { asArray, asObject, asString, type CloudId, type KubeObject } from '../src/types.ts';
import {
  clustersFor,
  expectedDbChecksums,
  namespaceObjects,
  newId,
  podChecksums,
  request,
} from './support/migration.ts';
import { startTestSandbox, type TestSandbox } from './support/sandbox.ts';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

const PAIRS: [CloudId, CloudId][] = [
  ['aws', 'azure'],
  ['aws', 'gcp'],
  ['azure', 'aws'],
  ['azure', 'gcp'],
  ['gcp', 'aws'],
  ['gcp', 'azure'],
];

/** Every label and annotation key of an object and its pod templates. */
function metadataKeys(o: KubeObject): string[] {
  const keys: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'labels' || k === 'annotations') && x && typeof x === 'object')
          keys.push(...Object.keys(x));
        else visit(x);
      }
    }
  };
  visit(o);
  return keys;
}

describe.each(PAIRS)('shop from %s prod into %s dev', (src, dst) => {
  const ns = `shop-from-${src}`;
  const id = newId();

  it('migrates: every workload Ready, database files intact, nothing of the source left', async () => {
    const clusters = await clustersFor(sb, src, dst);
    const req = request(src, dst);
    const plan = await planMigration(req, { ...clusters, migrationId: id });
    expect(plan.preflight.ok).toBe(true);
    expect(plan.objects.every((o) => o.target.namespace === undefined || o.target.namespace === ns)).toBe(
      true,
    );

    const applied = await applyMigration(plan, clusters);
    expect(applied.objects.filter((o) => o.result !== 'created')).toEqual([]);

    const progress: number[] = [];
    const volumes = await copyVolumes(plan, clusters, {
      onProgress: (p) => p.bytes !== undefined && progress.push(p.bytes),
    });
    expect(volumes.volumes).toEqual([
      expect.objectContaining({ result: 'copied', verified: true, files: 7 }),
    ]);
    expect(progress.at(-1)).toBe(volumes.volumes[0]?.bytes);
    expect(volumes.started.map((r) => r.name)).toEqual(['db']);

    const workloads = await verifyMigration(plan, clusters);
    expect(workloads.map((w) => [w.ref.name, w.ready])).toEqual(
      expect.arrayContaining([
        ['frontend', true],
        ['cart', true],
        ['catalog', true],
        ['db', true],
      ]),
    );
    expect(summarizeMigration({ objects: applied.objects, volumes: volumes.volumes, workloads }).status).toBe(
      'succeeded',
    );

    // the database's files, read through the migrated database pod, are the seeded ones
    const sums = await podChecksums(
      clusters.target.client,
      { namespace: ns, name: 'db-0', container: 'postgres' },
      '/var/lib/postgresql/data',
    );
    expect(sums).toEqual(expectedDbChecksums());

    // nothing cluster-specific of the source leaked into the target
    const source = await namespaceObjects(clusters.source.client, 'shop');
    const sourceNodes = (
      await clusters.source.client.list((await clusters.source.client.discover()).preferred('', 'Node')!)
    ).map((n) => n.metadata.name ?? '');
    const target = await namespaceObjects(clusters.target.client, ns);
    const text = JSON.stringify(target);
    for (const o of source) if (o.metadata.uid) expect(text).not.toContain(o.metadata.uid);
    for (const n of sourceNodes) expect(text).not.toContain(n);
    for (const svc of target.filter((o) => o.kind === 'Service')) {
      const before = source.find((o) => o.kind === 'Service' && o.metadata.name === svc.metadata.name);
      const ip = asString(asObject(before?.spec).clusterIP);
      if (ip && ip !== 'None') expect(asString(asObject(svc.spec).clusterIP)).not.toBe(ip);
    }
    const sourceKeys = target
      .flatMap(metadataKeys)
      .filter((k) => CLOUD_KEY_PATTERNS[src].some((re) => re.test(k)));
    expect(sourceKeys).toEqual([]);
    const sourceClasses = new Set(
      source
        .filter((o) => o.kind === 'PersistentVolumeClaim')
        .map((o) => asString(asObject(o.spec).storageClassName)),
    );
    for (const o of target) {
      const classes = [
        asString(asObject(o.spec).storageClassName),
        ...asArray(asObject(o.spec).volumeClaimTemplates).map((t) =>
          asString(asObject(asObject(t).spec).storageClassName),
        ),
      ].filter(Boolean);
      for (const c of classes) expect(sourceClasses.has(c)).toBe(false);
    }
  });

  it('a re-run is idempotent: everything exists, nothing is written, data stays in sync', async () => {
    const clusters = await clustersFor(sb, src, dst);
    const rerun = newId();
    const before = await namespaceObjects(clusters.target.client, ns);
    const plan = await planMigration(request(src, dst), { ...clusters, migrationId: rerun });
    expect(plan.summary.create).toBe(0);
    const applied = await applyMigration(plan, clusters);
    expect(applied.objects.every((o) => o.result === 'skipped')).toBe(true);
    const volumes = await copyVolumes(plan, clusters);
    expect(volumes.volumes.map((v) => v.result)).toEqual(['in_sync']);
    expect(volumes.started).toEqual([]);
    const workloads = await verifyMigration(plan, clusters);
    expect(workloads.every((w) => w.ready)).toBe(true);
    const after = await namespaceObjects(clusters.target.client, ns);
    expect(after.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      before.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    );
    // the re-run created nothing, so it has nothing to roll back
    expect(await findMigrationObjects(clusters.target.client, rerun)).toEqual([]);
  });

  it('rollback leaves nothing the migration created', async () => {
    const clusters = await clustersFor(sb, src, dst);
    const report = await rollbackMigration(id, clusters);
    expect(report.failed).toEqual([]);
    expect(report.deleted.map((r) => r.kind)).toContain('Namespace');
    expect(await findMigrationObjects(clusters.target.client, id)).toEqual([]);
    expect(
      await clusters.target.client.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }),
    ).toBeUndefined();
    // the source is untouched
    const source = await namespaceObjects(clusters.source.client, 'shop');
    expect(source.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').length).toBe(4);
  });
});
