import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, obj } from '../testing/fixtures.ts';
import type { CloudId } from '../types.ts';
import { rewriteIngress, rewriteServiceLoadBalancer } from './network.ts';

/** How each cloud's demo writes a public and an internal load balancer Service. */
const LB_ANNOTATIONS: Record<CloudId, { public: Record<string, string>; internal: Record<string, string> }> =
  {
    aws: {
      public: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
      internal: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      },
    },
    azure: {
      public: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz' },
      internal: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
    },
    gcp: {
      public: { 'cloud.google.com/neg': '{"ingress":true}' },
      internal: { 'networking.gke.io/load-balancer-type': 'Internal' },
    },
  };

const lbService = (annotations: Record<string, string>, finalizers?: string[]) =>
  obj(
    'v1',
    'Service',
    'frontend',
    { spec: { type: 'LoadBalancer', ports: [{ port: 80 }], loadBalancerSourceRanges: ['203.0.113.0/24'] } },
    { annotations: { team: 'web', ...annotations }, ...(finalizers ? { finalizers } : {}) },
  );

describe('rewriteServiceLoadBalancer', () => {
  for (const intent of ['public', 'internal'] as const)
    it.each(CROSS_PAIRS)(`%s→%s: a ${intent} load balancer keeps its intent`, (s, t) => {
      const r = rewriteServiceLoadBalancer(
        lbService(LB_ANNOTATIONS[s][intent], ['service.kubernetes.io/load-balancer-cleanup']),
        context(s, t),
      );
      const expected = intent === 'public' && t !== 'aws' ? {} : LB_ANNOTATIONS[t][intent];
      // the target's own public annotations (health probe path, NEG) are not invented
      const withoutExtras = Object.fromEntries(
        Object.entries(expected).filter(([k]) => !/health-probe|neg$/.test(k)),
      );
      expect(r.object.metadata.annotations).toEqual({ team: 'web', ...withoutExtras });
      expect(r.object.metadata.finalizers).toBeUndefined();
      expect((r.object.spec as { loadBalancerSourceRanges: string[] }).loadBalancerSourceRanges).toEqual([
        '203.0.113.0/24',
      ]);
    });

  it('keeps annotations inside one cloud but drops the source controller finalizer', () => {
    const r = rewriteServiceLoadBalancer(
      lbService(LB_ANNOTATIONS.aws.internal, ['service.kubernetes.io/load-balancer-cleanup']),
      context('aws', 'aws'),
    );
    expect(r.object.metadata.annotations).toEqual({ team: 'web', ...LB_ANNOTATIONS.aws.internal });
    expect(r.object.metadata.finalizers).toBeUndefined();
  });

  it('drops a source-cloud loadBalancerClass', () => {
    const svc = obj('v1', 'Service', 'nlb', {
      spec: { type: 'LoadBalancer', loadBalancerClass: 'service.k8s.aws/nlb' },
    });
    expect(rewriteServiceLoadBalancer(svc, context('aws', 'gcp')).object.spec).toEqual({
      type: 'LoadBalancer',
    });
  });

  it('does not touch ClusterIP services beyond source annotations', () => {
    const svc = obj(
      'v1',
      'Service',
      'cart',
      { spec: { type: 'ClusterIP' } },
      { annotations: { 'cloud.google.com/neg': '{}' } },
    );
    const r = rewriteServiceLoadBalancer(svc, context('gcp', 'aws'));
    expect(r.object.metadata.annotations).toBeUndefined();
  });
});

const INGRESS: Record<
  CloudId,
  { class: string; annotations: Record<string, string>; viaAnnotation?: boolean }
> = {
  aws: {
    class: 'alb',
    annotations: {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
    },
  },
  azure: { class: 'webapprouting.kubernetes.azure.com', annotations: {} },
  gcp: { class: 'gce', annotations: { 'kubernetes.io/ingress.allow-http': 'true' }, viaAnnotation: true },
};

describe('rewriteIngress', () => {
  it.each(CROSS_PAIRS)('%s→%s: class and annotations of the target controller', (s, t) => {
    const ing = obj(
      'networking.k8s.io/v1',
      'Ingress',
      'shop',
      { spec: { ingressClassName: INGRESS[s].class, rules: [{ host: 'shop.example' }] } },
      { annotations: { ...INGRESS[s].annotations, owner: 'web' }, finalizers: ['ingress.k8s.aws/resources'] },
    );
    const r = rewriteIngress(ing, context(s, t));
    const spec = r.object.spec as { ingressClassName?: string };
    if (INGRESS[t].viaAnnotation) {
      expect(spec.ingressClassName).toBeUndefined();
      expect(r.object.metadata.annotations?.['kubernetes.io/ingress.class']).toBe(INGRESS[t].class);
    } else expect(spec.ingressClassName).toBe(INGRESS[t].class);
    const expected = {
      owner: 'web',
      ...(t === 'aws' ? INGRESS.aws.annotations : {}),
      ...(INGRESS[t].viaAnnotation ? { 'kubernetes.io/ingress.class': INGRESS[t].class } : {}),
    };
    expect(r.object.metadata.annotations).toEqual(expected);
    if (s === 'aws') expect(r.object.metadata.finalizers).toBeUndefined();
  });

  it('an internal ALB becomes gce-internal on GKE', () => {
    const ing = obj(
      'networking.k8s.io/v1',
      'Ingress',
      'admin',
      { spec: { ingressClassName: 'alb' } },
      { annotations: { 'alb.ingress.kubernetes.io/scheme': 'internal' } },
    );
    expect(rewriteIngress(ing, context('aws', 'gcp')).object.metadata.annotations).toEqual({
      'kubernetes.io/ingress.class': 'gce-internal',
    });
  });

  it('keeps a class that is not cloud-specific and takes the request map first', () => {
    const ing = obj('networking.k8s.io/v1', 'Ingress', 'x', { spec: { ingressClassName: 'nginx' } });
    expect(rewriteIngress(ing, context('aws', 'azure')).object.spec).toEqual({ ingressClassName: 'nginx' });
    const mapped = rewriteIngress(
      ing,
      context('aws', 'azure', { request: { ingressClassMap: { nginx: 'internal-nginx' } } }),
    );
    expect(mapped.object.spec).toEqual({ ingressClassName: 'internal-nginx' });
  });
});
