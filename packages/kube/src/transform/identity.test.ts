import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, deployment, obj } from '../testing/fixtures.ts';
import type { CloudId } from '../types.ts';
import { rewriteWorkloadIdentity } from './identity.ts';

const SOURCE_IDENTITY: Record<CloudId, Record<string, string>> = {
  aws: {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/shop-cart',
    'eks.amazonaws.com/sts-regional-endpoints': 'true',
  },
  azure: {
    'azure.workload.identity/client-id': '0b7a5c1e-0000-4000-8000-000000000001',
    'azure.workload.identity/tenant-id': 't',
  },
  gcp: { 'iam.gke.io/gcp-service-account': 'shop-cart@prod.iam.gserviceaccount.com' },
};
const TARGET_IDENTITY: Record<CloudId, [string, string, RegExp]> = {
  aws: [
    'eks.amazonaws.com/role-arn',
    'arn:aws:iam::222222222222:role/shop-cart-dev',
    /sts:AssumeRoleWithWebIdentity.*system:serviceaccount:shop-dev:cart/,
  ],
  azure: [
    'azure.workload.identity/client-id',
    '7d1e0000-0000-4000-8000-0000000000aa',
    /federated-credential create.*--subject system:serviceaccount:shop-dev:cart/,
  ],
  gcp: [
    'iam.gke.io/gcp-service-account',
    'shop-cart@dev-project.iam.gserviceaccount.com',
    /roles\/iam.workloadIdentityUser.*dev-project.svc.id.goog\[shop-dev\/cart\]/,
  ],
};

const sa = (cloud: CloudId) =>
  obj('v1', 'ServiceAccount', 'cart', {}, { annotations: { ...SOURCE_IDENTITY[cloud], team: 'shop' } });

describe('rewriteWorkloadIdentity', () => {
  it.each(CROSS_PAIRS)('%s→%s: strips the source identity and warns when there is no mapping', (s, t) => {
    const r = rewriteWorkloadIdentity(sa(s), context(s, t));
    expect(r.object.metadata.annotations).toEqual({ team: 'shop' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.action).toMatch(/identityMap\["shop\/cart"\]/);
  });

  it.each(CROSS_PAIRS)('%s→%s: writes the mapped identity with the exact trust to create', (s, t) => {
    const [key, value, trust] = TARGET_IDENTITY[t];
    const r = rewriteWorkloadIdentity(
      sa(s),
      context(s, t, { request: { identityMap: { 'shop/cart': value } } }),
    );
    expect(r.object.metadata.annotations).toEqual({ team: 'shop', [key]: value });
    expect(r.warnings[0]?.action).toMatch(trust);
  });

  it('a bare ServiceAccount name in the map works too', () => {
    const r = rewriteWorkloadIdentity(
      sa('aws'),
      context('aws', 'gcp', { request: { identityMap: { cart: 'x@p.iam.gserviceaccount.com' } } }),
    );
    expect(r.object.metadata.annotations?.['iam.gke.io/gcp-service-account']).toBe(
      'x@p.iam.gserviceaccount.com',
    );
  });

  it('inside one cloud keeps the identity and says the target must be trusted', () => {
    const r = rewriteWorkloadIdentity(sa('aws'), context('aws', 'aws'));
    expect(r.object.metadata.annotations).toEqual({ ...SOURCE_IDENTITY.aws, team: 'shop' });
    expect(r.warnings[0]?.action).toMatch(/must trust the OIDC provider of EKS cluster shop-dev/);
  });

  it.each(['aws', 'gcp'] as const)('azure→%s: removes the Azure opt-in label from pod templates', (t) => {
    const d = deployment('cart', { serviceAccountName: 'cart', containers: [] });
    (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[
      'azure.workload.identity/use'
    ] = 'true';
    const r = rewriteWorkloadIdentity(d, context('azure', t));
    expect(r.object).toMatchObject({ spec: { template: { metadata: { labels: { app: 'cart' } } } } });
    expect(JSON.stringify(r.object)).not.toContain('azure.workload.identity');
  });

  it.each(['aws', 'gcp'] as const)('%s→azure: opts pods of a mapped ServiceAccount in', (s) => {
    const d = deployment('cart', { serviceAccountName: 'cart', containers: [] });
    const r = rewriteWorkloadIdentity(
      d,
      context(s, 'azure', { request: { identityMap: { 'shop/cart': 'client-id' } } }),
    );
    expect(r.object).toMatchObject({
      spec: { template: { metadata: { labels: { 'azure.workload.identity/use': 'true' } } } },
    });
    const unmapped = rewriteWorkloadIdentity(
      deployment('web', { serviceAccountName: 'web', containers: [] }),
      context(s, 'azure'),
    );
    expect(unmapped.changes).toEqual([]);
  });
});
