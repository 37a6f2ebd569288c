import { describe, expect, it } from 'vitest';
import { podRequests, type SchedNode, scheduleOn, tolerates } from './schedule.ts';

const node = (name: string, labels: Record<string, string>, extra: Partial<SchedNode> = {}): SchedNode => ({
  name,
  labels: { 'kubernetes.io/hostname': name, ...labels },
  taints: [],
  allocatable: { cpu: 1.9, memory: 7 * 1024 ** 3, pods: 110 },
  ready: true,
  unschedulable: false,
  ...extra,
});

describe('scheduling', () => {
  const nodes = [
    node('a', { pool: 'general', zone: 'z1' }),
    node(
      'g',
      { pool: 'gpu', zone: 'z2' },
      { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] },
    ),
  ];
  it('honours nodeSelector', () => {
    expect(scheduleOn({ nodeSelector: { pool: 'general' } }, nodes, new Map()).node).toBe('a');
    const r = scheduleOn({ nodeSelector: { pool: 'nope' } }, nodes, new Map());
    expect(r.node).toBeUndefined();
    expect(r.message).toContain(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {nvidia.com/gpu: true}.",
    );
  });
  it('honours taints and tolerations', () => {
    const spec = { nodeSelector: { pool: 'gpu' } };
    expect(scheduleOn(spec, nodes, new Map()).message).toContain('untolerated taint {nvidia.com/gpu: true}');
    const tol = {
      ...spec,
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    };
    expect(scheduleOn(tol, nodes, new Map()).node).toBe('g');
    expect(tolerates([{ operator: 'Exists' }], { key: 'x', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates([{ key: 'x', value: 'a' }], { key: 'x', value: 'b', effect: 'NoSchedule' })).toBe(false);
  });
  it('honours required node affinity', () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] }],
          },
        },
      },
    };
    expect(scheduleOn(spec, nodes, new Map()).node).toBeUndefined();
  });
  it('honours resource requests', () => {
    const spec = { containers: [{ name: 'c', resources: { requests: { cpu: '1500m', memory: '1Gi' } } }] };
    expect(podRequests(spec)).toEqual({ cpu: 1.5, memory: 1024 ** 3 });
    const usage = new Map([['a', { cpu: 1, memory: 0, pods: 1 }]]);
    expect(scheduleOn(spec, nodes, usage).message).toContain('1 Insufficient cpu');
    expect(scheduleOn({}, [], new Map()).message).toBe('no nodes available to schedule pods');
  });
});
