import { describe, expect, it } from 'vitest';
import { MIGRATION_LABEL, REPLICAS_ANNOTATION, SOURCE_ANNOTATION } from '../labels.ts';
import { CROSS_PAIRS, context, deployment, obj } from '../testing/fixtures.ts';
import { TRANSFORM_RULES, transformObjects } from './index.ts';
import { claimsOf, holdWorkloadsForVolumeCopy, labelForMigration } from './traceability.ts';

const pvc = obj('v1', 'PersistentVolumeClaim', 'data-db-0', {
  spec: { storageClassName: 'gp3' },
  status: { phase: 'Bound' },
});
const sts = obj('apps/v1', 'StatefulSet', 'db', {
  spec: {
    replicas: 3,
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
    template: { spec: { containers: [] } },
  },
});
const uses = deployment('reports', {
  volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data-db-0' } }],
  containers: [],
});

describe('holdWorkloadsForVolumeCopy', () => {
  const ctx = context('aws', 'gcp', { objects: [pvc, sts, uses], request: { copyVolumes: true } });
  it('finds claims from templates and from pod volumes', () => {
    expect(claimsOf(sts, ctx)).toEqual(['data-db-0']);
    expect(claimsOf(uses, ctx)).toEqual(['data-db-0']);
    expect(claimsOf(deployment('web', { containers: [] }), ctx)).toEqual([]);
  });
  it('holds a workload at zero and records its replicas', () => {
    const r = holdWorkloadsForVolumeCopy(sts, ctx);
    expect(r.object.spec).toMatchObject({ replicas: 0 });
    expect(r.object.metadata.annotations?.[REPLICAS_ANNOTATION]).toBe('3');
  });
  it('holds nothing when volumes are not copied', () => {
    expect(holdWorkloadsForVolumeCopy(sts, context('aws', 'gcp', { objects: [pvc, sts] })).changes).toEqual(
      [],
    );
  });
});

describe('labelForMigration', () => {
  it('labels with the migration id and records the source', () => {
    const r = labelForMigration(obj('v1', 'ConfigMap', 'c'), context('azure', 'aws'));
    expect(r.object.metadata.labels).toEqual({ [MIGRATION_LABEL]: 'mig-1' });
    expect(r.object.metadata.annotations).toEqual({ [SOURCE_ANNOTATION]: 'azure/shop-prod/shop' });
  });
});

describe('the transform pipeline', () => {
  const source = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', uid: 'ns-uid', labels: { 'kubernetes.io/metadata.name': 'shop' } },
    },
    obj(
      'v1',
      'Pod',
      'web-1',
      { status: { phase: 'Running' } },
      { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs' }] },
    ),
    obj(
      'v1',
      'Service',
      'web',
      { spec: { clusterIP: '10.0.0.1', selector: { app: 'web' } } },
      { uid: 'svc-uid', resourceVersion: '9' },
    ),
    deployment(
      'web',
      {
        nodeSelector: { 'eks.amazonaws.com/nodegroup': 'default' },
        containers: [{ name: 'w', image: 'nginx' }],
      },
      { uid: 'd-uid' },
    ),
    pvc,
  ];

  it('runs every named rule once, renameNamespace last', () => {
    expect(TRANSFORM_RULES.at(-1)?.[0]).toBe('renameNamespace');
    expect(new Set(TRANSFORM_RULES.map(([n]) => n)).size).toBe(TRANSFORM_RULES.length);
  });

  it.each(CROSS_PAIRS)('%s→%s: is deterministic and does not mutate the export', (s, t) => {
    const before = JSON.stringify(source);
    const { index, ...settings } = context(s, t);
    void index;
    const a = transformObjects(source, settings);
    const b = transformObjects(source, settings);
    expect(JSON.stringify(source)).toBe(before);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.skipped.map((x) => x.ref.name)).toEqual(['web-1']);
    const text = JSON.stringify(a.objects.map((o) => o.object));
    for (const leak of ['ns-uid', 'svc-uid', 'd-uid', '10.0.0.1', '"resourceVersion"', '"namespace":"shop"'])
      expect(text).not.toContain(leak);
    expect(a.objects.every((o) => o.object.metadata.labels?.[MIGRATION_LABEL] === 'mig-1')).toBe(true);
  });
});
