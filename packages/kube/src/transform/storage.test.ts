import { describe, expect, it } from 'vitest';
import { context, obj, targetFacts } from '../testing/fixtures.ts';
import type { CloudId, KubeObject } from '../types.ts';
import { mapStorageClass } from './storage.ts';

const pvc = (storageClassName?: string) =>
  obj('v1', 'PersistentVolumeClaim', 'data', {
    spec: {
      ...(storageClassName !== undefined ? { storageClassName } : {}),
      resources: { requests: { storage: '1Gi' } },
    },
  });

const classOf = (o: KubeObject) => (o.spec as { storageClassName?: string }).storageClassName;

describe('mapStorageClass: per cloud pair defaults', () => {
  const table: [CloudId, CloudId, string, string][] = [
    ['aws', 'azure', 'gp3', 'managed-csi'],
    ['aws', 'azure', 'gp2', 'managed-csi'],
    ['aws', 'gcp', 'gp3', 'standard-rwo'],
    ['aws', 'gcp', 'io2', 'premium-rwo'],
    ['azure', 'aws', 'managed-csi', 'gp3'],
    ['azure', 'aws', 'managed-csi-premium', 'io2'],
    ['azure', 'gcp', 'managed-csi', 'standard-rwo'],
    ['azure', 'gcp', 'managed-csi-premium', 'premium-rwo'],
    ['gcp', 'aws', 'standard-rwo', 'gp3'],
    ['gcp', 'aws', 'standard-rwx', 'efs-sc'],
    ['gcp', 'azure', 'premium-rwo', 'managed-csi-premium'],
    ['gcp', 'azure', 'standard-rwo', 'managed-csi'],
  ];
  it.each(table)('%s→%s: %s becomes %s', (s, t, from, to) => {
    const r = mapStorageClass(pvc(from), context(s, t));
    expect(classOf(r.object)).toBe(to);
    expect(r.changes).toEqual([
      {
        rule: 'mapStorageClass',
        path: 'spec.storageClassName',
        op: 'set',
        from,
        to,
        note: `default for ${s}→${t}`,
      },
    ]);
  });

  it('takes the request map before the defaults', () => {
    const r = mapStorageClass(
      pvc('gp3'),
      context('aws', 'gcp', { request: { storageClassMap: { gp3: 'premium-rwo' } } }),
    );
    expect(classOf(r.object)).toBe('premium-rwo');
  });

  it("falls back to the target's default class for an unknown class, with a warning", () => {
    const r = mapStorageClass(pvc('fast-local'), context('aws', 'gcp'));
    expect(classOf(r.object)).toBe('standard-rwo');
    expect(r.warnings[0]?.message).toMatch(/fast-local/);
  });

  it('keeps a class the target has inside one cloud', () => {
    const r = mapStorageClass(pvc('gp2'), context('aws', 'aws'));
    expect(r.changes).toEqual([]);
  });

  it('leaves claims without a class or with "" (static binding) alone', () => {
    expect(mapStorageClass(pvc(), context('aws', 'gcp')).changes).toEqual([]);
    expect(mapStorageClass(pvc(''), context('aws', 'gcp')).changes).toEqual([]);
  });

  it('maps StatefulSet claim templates and moves the beta annotation into spec', () => {
    const sts = obj('apps/v1', 'StatefulSet', 'db', {
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { storageClassName: 'managed-csi-premium' } },
          {
            metadata: {
              name: 'wal',
              annotations: { 'volume.beta.kubernetes.io/storage-class': 'managed-csi' },
            },
            spec: {},
          },
        ],
      },
    });
    const r = mapStorageClass(sts, context('azure', 'aws', { facts: targetFacts('aws') }));
    expect(r.object.spec).toEqual({
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { storageClassName: 'io2' } },
        { metadata: { name: 'wal', annotations: {} }, spec: { storageClassName: 'gp3' } },
      ],
    });
  });
});
