import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, deployment, obj } from '../testing/fixtures.ts';
import { renameNamespace, rewriteServiceDns } from './namespace.ts';

const services = [obj('v1', 'Service', 'catalog'), obj('v1', 'Service', 'db')];

describe('renameNamespace', () => {
  it.each(CROSS_PAIRS)('%s→%s: moves namespaced objects and the Namespace itself', (s, t) => {
    const ctx = context(s, t, { objects: services });
    expect(renameNamespace(obj('v1', 'ConfigMap', 'c'), ctx).object.metadata.namespace).toBe('shop-dev');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    expect(renameNamespace(ns, ctx).object.metadata.name).toBe('shop-dev');
  });

  it('leaves objects alone when the namespace keeps its name', () => {
    const ctx = context('aws', 'gcp', { namespaceMap: { shop: 'shop' } });
    const cm = obj('v1', 'ConfigMap', 'c', { data: { URL: 'http://db.shop.svc:5432' } });
    const r = renameNamespace(cm, ctx);
    expect(r.object).toBe(cm);
    expect(r.changes).toEqual([]);
  });

  it('rewrites RBAC subjects of renamed namespaces only', () => {
    const rb = obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', {
      subjects: [
        { kind: 'ServiceAccount', name: 'catalog', namespace: 'shop' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
        { kind: 'Group', name: 'devs' },
      ],
    });
    expect(renameNamespace(rb, context('aws', 'azure')).object.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'catalog', namespace: 'shop-dev' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
      { kind: 'Group', name: 'devs' },
    ]);
  });

  it('rewrites DNS names of migrated Services in config and env, and reports the others', () => {
    const ctx = context('gcp', 'aws', { objects: services });
    const cm = obj('v1', 'ConfigMap', 'cfg', {
      data: {
        CATALOG_URL: 'http://catalog.shop.svc.cluster.local:8080',
        LEGACY: 'legacy.shop.svc:80',
        OTHER: 'shopping.svc',
      },
    });
    const r = renameNamespace(cm, ctx);
    expect(r.object.data).toEqual({
      CATALOG_URL: 'http://catalog.shop-dev.svc.cluster.local:8080',
      LEGACY: 'legacy.shop.svc:80',
      OTHER: 'shopping.svc',
    });
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/legacy\.shop\.svc/)]);
    const d = deployment('catalog', {
      containers: [{ name: 'c', env: [{ name: 'DB_HOST', value: 'db-0.db.shop.svc.cluster.local' }] }],
    });
    expect(renameNamespace(d, ctx).object).toMatchObject({
      spec: {
        template: { spec: { containers: [{ env: [{ value: 'db-0.db.shop-dev.svc.cluster.local' }] }] } },
      },
    });
  });

  it('matches namespace names on label boundaries only', () => {
    const ctx = context('aws', 'gcp', { objects: services });
    expect(rewriteServiceDns('xcatalog.shop.svc catalog.shopx.svc catalog.shop.svcx', ctx).text).toBe(
      'xcatalog.shop.svc catalog.shopx.svc catalog.shop.svcx',
    );
  });

  it('follows the rename in network policy namespace-name selectors and warns about other selectors', () => {
    const np = obj('networking.k8s.io/v1', 'NetworkPolicy', 'np', {
      spec: {
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] },
          { from: [{ namespaceSelector: { matchLabels: { team: 'payments' } } }] },
        ],
      },
    });
    const r = renameNamespace(np, context('azure', 'gcp'));
    expect(r.object).toMatchObject({
      spec: {
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-dev' } } }] },
          {},
        ],
      },
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.message).toMatch(/ingress rule 1/);
  });
});
