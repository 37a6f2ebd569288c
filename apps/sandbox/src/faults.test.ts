import { describe, expect, it } from 'vitest';
import { Faults, parseFaultRule } from './faults.ts';

describe('Faults', () => {
  it('matches by cloud, operation and kind and consumes counts', () => {
    let changes = 0;
    const f = new Faults({ onChange: () => changes++ });
    f.add({ cloud: 'aws', operation: 'CreateCluster', kind: 'throttle', count: 2 });
    f.add({ cloud: 'aws', operation: '*', kind: 'async-failure' });
    expect(f.take('gcp', 'CreateCluster')).toBeUndefined();
    expect(f.take('aws', 'createcluster', ['async-failure'])?.kind).toBe('async-failure');
    expect(f.take('aws', 'CreateCluster', ['async-failure'])).toBeUndefined();
    expect(f.take('aws', 'CreateCluster')?.kind).toBe('throttle');
    expect(f.take('aws', 'CreateCluster')?.kind).toBe('throttle');
    expect(f.take('aws', 'CreateCluster')).toBeUndefined();
    expect(f.list()).toEqual([]);
    expect(changes).toBeGreaterThan(0);
  });

  it('applies probability rules without consuming them', () => {
    const rolls = [0.9, 0.1];
    const f = new Faults({ random: () => rolls.shift() ?? 0 });
    f.add({ cloud: 'azure', operation: '*', kind: 'server-error', probability: 0.5 });
    expect(f.take('azure', 'x')).toBeUndefined();
    expect(f.take('azure', 'x')?.kind).toBe('server-error');
    expect(f.list()).toHaveLength(1);
  });

  it('snapshots and restores', () => {
    const f = new Faults();
    const r = f.add({ cloud: 'kube', operation: 'list', kind: 'timeout', count: 3 });
    const g = new Faults();
    g.restore(f.snapshot());
    expect(g.list()).toEqual([r]);
    expect(g.add({ cloud: 'aws', operation: '*', kind: 'throttle' }).id).not.toBe(r.id);
  });

  it('validates posted rules', () => {
    expect(parseFaultRule({ cloud: 'aws', kind: 'throttle' })).toEqual({
      cloud: 'aws',
      operation: '*',
      kind: 'throttle',
    });
    expect(typeof parseFaultRule({ cloud: 'ibm', kind: 'throttle' })).toBe('string');
    expect(typeof parseFaultRule({ cloud: 'aws', kind: 'throttle', count: 0 })).toBe('string');
    expect(typeof parseFaultRule({ cloud: 'aws', kind: 'throttle', probability: 2 })).toBe('string');
  });
});
