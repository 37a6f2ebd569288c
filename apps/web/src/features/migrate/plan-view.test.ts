import { describe, expect, it } from 'vitest';
import {
  formatValue,
  type MigrationPlan,
  objectKey,
  type PlannedObject,
  planBlocker,
  planSummaryText,
  refText,
  sortedObjects,
} from './plan-view.ts';

const obj = (kind: string, namespace: string | undefined, name: string): PlannedObject => ({
  source: { apiVersion: 'v1', kind, ...(namespace ? { namespace } : {}), name },
  target: { apiVersion: 'v1', kind, ...(namespace ? { namespace } : {}), name },
  tier: 'workloads',
  action: 'create',
  changes: [],
  diff: '',
  object: {},
});

describe('plan view helpers', () => {
  it('names objects with and without a namespace', () => {
    expect(refText({ kind: 'Deployment', namespace: 'shop', name: 'web' })).toBe('Deployment shop/web');
    expect(refText({ kind: 'StorageClass', name: 'fast' })).toBe('StorageClass fast');
    expect(objectKey(obj('Service', 'shop', 'web'))).toBe('v1|Service|shop|web');
  });

  it('formats change values in one short line', () => {
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue('gp3')).toBe('gp3');
    expect(formatValue({ pool: 'a' })).toBe('{"pool":"a"}');
    expect(formatValue('x'.repeat(10), 5)).toBe('xxxx…');
  });

  it('sorts by namespace, kind and name', () => {
    const sorted = sortedObjects([
      obj('Service', 'shop', 'b'),
      obj('Deployment', 'shop', 'z'),
      obj('Namespace', undefined, 'shop'),
    ]);
    expect(sorted.map((o) => refText(o.target))).toEqual([
      'Namespace shop',
      'Deployment shop/z',
      'Service shop/b',
    ]);
  });

  it('summarises and blocks on failing preflight checks', () => {
    const summary: MigrationPlan['summary'] = {
      objects: 5,
      create: 3,
      update: 1,
      skip: 1,
      unchanged: 0,
      skippedByRules: 1,
      warnings: 2,
      volumes: 1,
    };
    expect(planSummaryText({ summary })).toBe(
      '5 objects: 3 to create, 1 to update, 1 left as they are; 1 object skipped by rules, 1 volume, 2 warnings.',
    );
    expect(planBlocker({ preflight: { ok: true, checks: [] } })).toBeUndefined();
    expect(
      planBlocker({
        preflight: { ok: false, checks: [{ name: 'storage-classes', status: 'fail', message: 'missing' }] },
      }),
    ).toMatch(/storage-classes/);
  });
});
