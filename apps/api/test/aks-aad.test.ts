/**
 * AKS clusters with Azure AD integration and no local accounts: their user credential names
 * kubelogin, which Dolly never runs. A migration reaches them with an Entra token Dolly obtains for
 * the AKS server application with the account's own service principal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';

const AZURE_SUB = '00000000-0000-4000-8000-000000000001';
let s: CloudStack;

beforeAll(async () => {
  s = await startCloudStack();
  const azure = s.sandbox.sandbox.modules.find((m) => m.cloud === 'azure');
  azure?.seedCluster(AZURE_SUB, {
    scope: 'dolly-aad',
    location: 'westeurope',
    name: 'shop-aad',
    kubernetesVersion: '1.34',
    labels: { env: 'staging', team: 'shop' },
    nodePools: [{ name: 'system', machineType: 'Standard_D8s_v5', nodeCount: 3, mode: 'system' }],
    aadProfile: { enableAzureRBAC: true },
    disableLocalAccounts: true,
  });
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

describe('Azure AD AKS clusters', () => {
  it('answers a migration dry run from GKE prod into an Azure AD AKS cluster without local accounts', async () => {
    const res = await s.api<{
      namespaces: { source: string; target: string }[];
      objects: { kind: string }[];
    }>('operator', 'POST', '/api/v1/migrations', {
      sourceClusterId: await s.clusterId('gcp', 'shop-prod'),
      targetClusterId: await s.clusterId('azure', 'shop-aad'),
      namespaces: ['shop'],
      dryRun: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.namespaces).toEqual([expect.objectContaining({ source: 'shop', target: 'shop' })]);
    expect(JSON.stringify(res.body.objects)).toContain('"kind":"Deployment"');
  }, 60_000);

  it('hands operators a token kubeconfig for it, never a kubelogin one', async () => {
    const res = await s.api<{ kubeconfig: string; expiresAt: string | null }>(
      'operator',
      'GET',
      `/api/v1/clusters/${await s.clusterId('azure', 'shop-aad')}/kubeconfig`,
    );
    expect(res.status).toBe(200);
    expect(res.body.kubeconfig).not.toMatch(/kubelogin|exec|auth-provider/);
    expect(JSON.parse(res.body.kubeconfig).users[0].user.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // the Entra token's own expiry, about an hour away
    const left = Date.parse(res.body.expiresAt ?? '') - Date.now();
    expect(left).toBeGreaterThan(30 * 60_000);
    expect(left).toBeLessThan(2 * 60 * 60_000);
  });
});
