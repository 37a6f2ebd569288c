import { describe, expect, it } from 'vitest';
import { context, obj, targetFacts } from '../testing/fixtures.ts';
import type { ClusterCloud, KubeObject } from '../types.ts';
import { rewriteIngress, rewriteServiceLoadBalancer } from './network.ts';
import { mapStorageClass } from './storage.ts';

/** A context with one side an imported cluster (`kubernetes`): the cloud fixtures, re-labelled. */
const imported = (side: 'source' | 'target', other: 'aws' | 'gcp', request = {}) => {
  const ctx = context(side === 'source' ? 'aws' : other, side === 'target' ? 'aws' : other, { request });
  const cloud: ClusterCloud = 'kubernetes';
  return side === 'source'
    ? { ...ctx, source: { ...ctx.source, cloud }, targetFacts: targetFacts(other) }
    : { ...ctx, target: { ...ctx.target, cloud }, targetFacts: targetFacts('aws') };
};

const pvc = (storageClassName: string) =>
  obj('v1', 'PersistentVolumeClaim', 'data', {
    spec: { storageClassName, resources: { requests: { storage: '1Gi' } } },
  });
const classOf = (o: KubeObject) => (o.spec as { storageClassName?: string }).storageClassName;

describe('migrations with an imported cluster on one side', () => {
  it('never guesses a storage class: keeps the name and says it needs storageClassMap', () => {
    const r = mapStorageClass(pvc('standard-rwo'), imported('target', 'gcp'));
    expect(classOf(r.object)).toBe('standard-rwo');
    expect(r.warnings.map((w) => w.message).join()).toMatch(/only mapped explicitly/);
  });

  it('maps a storage class given explicitly', () => {
    const r = mapStorageClass(
      pvc('standard-rwo'),
      imported('target', 'gcp', { storageClassMap: { 'standard-rwo': 'longhorn' } }),
    );
    expect(classOf(r.object)).toBe('longhorn');
    expect(r.warnings).toEqual([]);
  });

  it('keeps a class the imported target has under the same name', () => {
    const r = mapStorageClass(pvc('gp3'), imported('target', 'gcp'));
    expect(classOf(r.object)).toBe('gp3');
    expect(r.warnings).toEqual([]);
  });

  it('writes no cloud load balancer annotations into an imported cluster, and says so', () => {
    const svc = obj('v1', 'Service', 'web', {
      metadata: { annotations: { 'networking.gke.io/load-balancer-type': 'Internal' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    const r = rewriteServiceLoadBalancer(svc, imported('target', 'gcp'));
    expect(r.object.metadata.annotations ?? {}).toEqual({});
    expect(r.warnings.map((w) => w.message).join()).toMatch(
      /imported cluster: its load balancer annotations are not rewritten/,
    );
  });

  it('keeps the ingress class into an imported cluster unless ingressClassMap names one', () => {
    const ing = obj('networking.k8s.io/v1', 'Ingress', 'web', { spec: { ingressClassName: 'gce' } });
    const kept = rewriteIngress(ing, imported('target', 'gcp'));
    expect((kept.object.spec as { ingressClassName?: string }).ingressClassName).toBe('gce');
    expect(kept.warnings.map((w) => w.message).join()).toMatch(/only mapped explicitly/);
    const mapped = rewriteIngress(ing, imported('target', 'gcp', { ingressClassMap: { gce: 'nginx' } }));
    expect((mapped.object.spec as { ingressClassName?: string }).ingressClassName).toBe('nginx');
  });
});
