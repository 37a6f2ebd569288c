import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, deployment, POOL_LABEL_OF, targetFacts } from '../testing/fixtures.ts';
import type { CloudId, KubeObject } from '../types.ts';
import { mapNodeLabel, rewriteNodeSelection } from './scheduling.ts';

const SPOT: Record<CloudId, [string, string]> = {
  aws: ['eks.amazonaws.com/capacityType', 'SPOT'],
  azure: ['kubernetes.azure.com/scalesetpriority', 'spot'],
  gcp: ['cloud.google.com/gke-spot', 'true'],
};

const podSpec = (d: KubeObject) => (d.spec as { template: { spec: Record<string, unknown> } }).template.spec;

describe('rewriteNodeSelection: node pools', () => {
  it.each(CROSS_PAIRS)(
    '%s→%s: a pool that exists in the target keeps its name under the target label',
    (s, t) => {
      const d = deployment('web', {
        nodeSelector: { [POOL_LABEL_OF[s]]: 'default', app: 'x' },
        containers: [],
      });
      const r = rewriteNodeSelection(d, context(s, t));
      expect(podSpec(r.object).nodeSelector).toEqual({ [POOL_LABEL_OF[t]]: 'default', app: 'x' });
      expect(r.warnings).toEqual([]);
    },
  );

  it.each(CROSS_PAIRS)('%s→%s: a pool the target lacks is dropped with a warning', (s, t) => {
    const d = deployment('web', { nodeSelector: { [POOL_LABEL_OF[s]]: 'general' }, containers: [] });
    const r = rewriteNodeSelection(d, context(s, t));
    expect(podSpec(r.object).nodeSelector).toBeUndefined();
    expect(r.warnings[0]?.message).toMatch(/no node pool general/);
  });

  it.each(CROSS_PAIRS)('%s→%s: nodePoolMap chooses the target pool', (s, t) => {
    const d = deployment('web', { nodeSelector: { [POOL_LABEL_OF[s]]: 'general' }, containers: [] });
    const r = rewriteNodeSelection(d, context(s, t, { request: { nodePoolMap: { general: 'default' } } }));
    expect(podSpec(r.object).nodeSelector).toEqual({ [POOL_LABEL_OF[t]]: 'default' });
  });
});

describe('rewriteNodeSelection: capacity, zones and instance types', () => {
  it.each(CROSS_PAIRS)('%s→%s: spot stays spot', (s, t) => {
    const [key, value] = SPOT[s];
    expect(mapNodeLabel(key, [value], context(s, t))).toEqual({ key: SPOT[t][0], values: [SPOT[t][1]] });
  });

  it('on-demand has an equivalent on GKE but not on AKS', () => {
    expect(mapNodeLabel('eks.amazonaws.com/capacityType', ['ON_DEMAND'], context('aws', 'gcp'))).toEqual({
      key: 'cloud.google.com/gke-provisioning',
      values: ['standard'],
    });
    expect(
      mapNodeLabel('eks.amazonaws.com/capacityType', ['ON_DEMAND'], context('aws', 'azure')),
    ).toHaveProperty('drop');
  });

  it.each(CROSS_PAIRS)('%s→%s: zones survive only where a target node has them', (s, t) => {
    const facts = targetFacts(t);
    const zone = facts.nodes[0]!.labels['topology.kubernetes.io/zone']!;
    expect(mapNodeLabel('topology.kubernetes.io/zone', [zone, 'nowhere-1z'], context(s, t))).toEqual({
      key: 'topology.kubernetes.io/zone',
      values: [zone],
    });
    expect(mapNodeLabel('node.kubernetes.io/instance-type', ['m6i.large'], context(s, t))).toHaveProperty(
      'drop',
    );
  });

  it('keeps portable and user labels', () => {
    expect(mapNodeLabel('kubernetes.io/os', ['linux'], context('aws', 'gcp'))).toEqual({
      key: 'kubernetes.io/os',
      values: ['linux'],
    });
    expect(mapNodeLabel('workload', ['batch'], context('aws', 'gcp'))).toEqual({
      key: 'workload',
      values: ['batch'],
    });
  });

  it('drops other labels of the source cloud', () => {
    expect(mapNodeLabel('cloud.google.com/machine-family', ['n2'], context('gcp', 'aws'))).toHaveProperty(
      'drop',
    );
  });
});

describe('rewriteNodeSelection: affinity and tolerations', () => {
  it.each(CROSS_PAIRS)(
    '%s→%s: required terms are rewritten; a term that loses everything is removed',
    (s, t) => {
      const d = deployment('web', {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: POOL_LABEL_OF[s], operator: 'In', values: ['default'] }] },
                {
                  matchExpressions: [
                    { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['x1.huge'] },
                  ],
                },
              ],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: SPOT[s][0], operator: 'In', values: [SPOT[s][1]] }] },
              },
            ],
          },
        },
      });
      const r = rewriteNodeSelection(d, context(s, t));
      expect(podSpec(r.object).affinity).toEqual({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: POOL_LABEL_OF[t], operator: 'In', values: ['default'] }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: SPOT[t][0], operator: 'In', values: [SPOT[t][1]] }] },
            },
          ],
        },
      });
    },
  );

  it('removes the whole affinity when nothing is left', () => {
    const d = deployment('web', {
      containers: [],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'eks.amazonaws.com/nodegroup', operator: 'In', values: ['gpu'] }] },
            ],
          },
        },
      },
    });
    expect(podSpec(rewriteNodeSelection(d, context('aws', 'gcp')).object).affinity).toBeUndefined();
  });

  it.each([
    [
      'azure',
      'gcp',
      [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    ],
    [
      'gcp',
      'azure',
      [
        {
          key: 'kubernetes.azure.com/scalesetpriority',
          operator: 'Equal',
          value: 'spot',
          effect: 'NoSchedule',
        },
      ],
    ],
    ['azure', 'aws', undefined],
  ] as const)('%s→%s: spot tolerations follow the target spot taint', (s, t, expected) => {
    const key = s === 'azure' ? 'kubernetes.azure.com/scalesetpriority' : 'cloud.google.com/gke-spot';
    const d = deployment('batch', {
      containers: [],
      tolerations: [{ key, operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(podSpec(rewriteNodeSelection(d, context(s, t)).object).tolerations).toEqual(expected);
  });

  it('keeps tolerations of user taints', () => {
    const tol = [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }];
    const d = deployment('batch', { containers: [], tolerations: tol });
    expect(rewriteNodeSelection(d, context('aws', 'azure')).changes).toEqual([]);
  });

  it('rewrites CronJob pod templates too', () => {
    const cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'shop' },
      spec: {
        jobTemplate: {
          spec: { template: { spec: { nodeSelector: { 'cloud.google.com/gke-nodepool': 'default' } } } },
        },
      },
    };
    const r = rewriteNodeSelection(cj, context('gcp', 'aws'));
    expect(r.object).toMatchObject({
      spec: {
        jobTemplate: {
          spec: { template: { spec: { nodeSelector: { 'eks.amazonaws.com/nodegroup': 'default' } } } },
        },
      },
    });
  });
});
