import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, deployment, obj } from '../testing/fixtures.ts';
import type { CloudId } from '../types.ts';
import { mapImage, mapImageRegistries, registryHost, rewritePullSecrets, splitImage } from './images.ts';

describe('mapImage', () => {
  const map = {
    '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo': 'us-docker.pkg.dev/dolly-dev',
    '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/shop/cart': 'mirror.example/cart',
    'docker.io/library': 'mirror.example/library',
  };
  it.each([
    [
      '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/shop/frontend:1.4.2',
      'us-docker.pkg.dev/dolly-dev/shop/frontend:1.4.2',
    ],
    // longest prefix wins, and the whole repository may be the prefix
    ['111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/shop/cart:2.0.1', 'mirror.example/cart:2.0.1'],
    // digests are kept as they are
    [
      '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/shop/catalog@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'us-docker.pkg.dev/dolly-dev/shop/catalog@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ],
    [
      '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/x:1@sha256:aa',
      'us-docker.pkg.dev/dolly-dev/x:1@sha256:aa',
    ],
  ])('%s → %s', (image, expected) => {
    expect(mapImage(image, map)).toBe(expected);
  });
  it.each([
    // never a substring: dolly-demo-2 is another repository
    '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo-2/shop/frontend:1',
    'postgres:16.4',
    'registry.example:5000/dolly-demo/x',
  ])('%s is not mapped', (image) => {
    expect(mapImage(image, map)).toBeUndefined();
  });
  it('splits tags after the last slash only (registry ports are not tags)', () => {
    expect(splitImage('registry.example:5000/team/app:1.2')).toEqual({
      repository: 'registry.example:5000/team/app',
      suffix: ':1.2',
    });
    expect(registryHost('postgres:16')).toBe('docker.io');
    expect(registryHost('localhost/x')).toBe('localhost');
  });
});

const IMAGE: Record<CloudId, string> = {
  aws: '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo/shop/cart:2.0.1',
  azure: 'dollydemo.azurecr.io/shop/cart:2.0.1',
  gcp: 'us-docker.pkg.dev/dolly-demo/shop/cart:2.0.1',
};

describe('mapImageRegistries', () => {
  it.each(CROSS_PAIRS)(
    '%s→%s: source registry images map to the target registry in every container list',
    (s, t) => {
      const prefix = IMAGE[s].replace(/\/shop\/cart:.*$/, '');
      const target = IMAGE[t].replace(/\/shop\/cart:.*$/, '');
      const d = deployment('cart', {
        initContainers: [{ name: 'init', image: IMAGE[s] }],
        containers: [
          { name: 'cart', image: IMAGE[s] },
          { name: 'sidecar', image: 'envoyproxy/envoy:v1.31' },
        ],
      });
      const r = mapImageRegistries(d, context(s, t, { request: { registryMap: { [prefix]: target } } }));
      expect(r.object).toMatchObject({
        spec: {
          template: {
            spec: {
              initContainers: [{ image: IMAGE[t] }],
              containers: [{ image: IMAGE[t] }, { image: 'envoyproxy/envoy:v1.31' }],
            },
          },
        },
      });
      expect(r.changes).toHaveLength(2);
      expect(r.warnings).toEqual([]);
    },
  );

  it.each(CROSS_PAIRS)('%s→%s: warns about unmapped private source registries', (s, t) => {
    const r = mapImageRegistries(
      deployment('cart', { containers: [{ name: 'c', image: IMAGE[s] }] }),
      context(s, t),
    );
    expect(r.changes).toEqual([]);
    expect(r.warnings[0]?.message).toMatch(`a private ${s} registry`);
  });
});

describe('rewritePullSecrets', () => {
  const ecrSecret = obj('v1', 'Secret', 'ecr-pull', {
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': Buffer.from(
        JSON.stringify({ auths: { '111111111111.dkr.ecr.us-east-1.amazonaws.com': { auth: 'c2VjcmV0' } } }),
      ).toString('base64'),
    },
  });
  const registryMap = {
    '111111111111.dkr.ecr.us-east-1.amazonaws.com/dolly-demo': 'us-docker.pkg.dev/dolly-dev',
  };
  const d = deployment('cart', {
    imagePullSecrets: [{ name: 'ecr-pull' }, { name: 'other' }],
    containers: [],
  });

  it('removes a pull secret that only opens a replaced registry', () => {
    const r = rewritePullSecrets(
      d,
      context('aws', 'gcp', { objects: [ecrSecret], request: { registryMap } }),
    );
    expect(r.object).toMatchObject({
      spec: { template: { spec: { imagePullSecrets: [{ name: 'other' }] } } },
    });
    expect(r.warnings[0]?.message).toMatch(/ecr-pull/);
    expect(JSON.stringify(r)).not.toContain('c2VjcmV0');
  });

  it('replaces or removes by pullSecretMap', () => {
    const r = rewritePullSecrets(
      d,
      context('aws', 'gcp', { request: { pullSecretMap: { 'ecr-pull': 'gar-pull', other: '' } } }),
    );
    expect(r.object).toMatchObject({
      spec: { template: { spec: { imagePullSecrets: [{ name: 'gar-pull' }] } } },
    });
  });

  it('keeps pull secrets when no registry is replaced', () => {
    expect(rewritePullSecrets(d, context('aws', 'gcp', { objects: [ecrSecret] })).changes).toEqual([]);
  });

  it('rewrites ServiceAccount pull secrets', () => {
    const sa = obj('v1', 'ServiceAccount', 'cart', { imagePullSecrets: [{ name: 'ecr-pull' }] });
    const r = rewritePullSecrets(
      sa,
      context('aws', 'azure', { objects: [ecrSecret], request: { registryMap } }),
    );
    expect(r.object.imagePullSecrets).toBeUndefined();
  });
});
