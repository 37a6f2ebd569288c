import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';

describe('merge patch', () => {
  it('merges objects, deletes nulls, replaces lists', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      l: [3],
    });
  });
});

describe('strategic merge patch', () => {
  const dep = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 's:1' },
          ],
          nodeSelector: { pool: 'a' },
          tolerations: [{ key: 'x', operator: 'Exists' }],
        },
      },
    },
    metadata: { finalizers: ['a'] },
  };
  it('merges containers by name and env by name', () => {
    const out = strategicMergePatch(dep, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', image: 'a:2', env: [{ name: 'Y', value: '2' }] }],
            nodeSelector: { pool: null, p2: 'b' },
          },
        },
      },
    }) as typeof dep;
    const cs = out.spec.template.spec.containers;
    expect(cs).toHaveLength(2);
    expect(cs[0]).toMatchObject({ name: 'app', image: 'a:2', ports: [{ containerPort: 80 }] });
    expect(cs[0]!.env).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: '2' },
    ]);
    expect(out.spec.template.spec.nodeSelector).toEqual({ p2: 'b' });
  });
  it('honours $patch delete, replace and setElementOrder', () => {
    const out = strategicMergePatch(dep, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'side', $patch: 'delete' }],
            '$setElementOrder/containers': [{ name: 'app' }],
            tolerations: [{ key: 'y', operator: 'Exists' }],
          },
        },
      },
      metadata: { finalizers: ['b'] },
    }) as typeof dep;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['app']);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'y', operator: 'Exists' }]);
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    const rep = strategicMergePatch({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } });
    expect(rep).toEqual({ a: { z: 3 } });
  });
});

describe('json patch', () => {
  it('applies operations', () => {
    const out = jsonPatch({ a: { b: [1, 2] }, c: 1 }, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 2 },
      { op: 'remove', path: '/a/b/0' },
      { op: 'add', path: '/d~1e', value: 'x' },
      { op: 'test', path: '/c', value: 2 },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 2, 'd/e': 'x' });
    expect(() => jsonPatch({}, [{ op: 'test', path: '/c', value: 1 }])).toThrow();
  });
});
