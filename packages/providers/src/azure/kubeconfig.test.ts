import { describe, expect, it } from 'vitest';
import { readCloudKubeconfig } from '../kubeconfig';
import { AKS_AAD_SERVER_APP_ID, aksKubeconfig } from './kubeconfig';

const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const doc = (user: Record<string, unknown>) =>
  readCloudKubeconfig(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: 'https://aks.example:443', 'certificate-authority-data': ca } },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
    'azure',
    'op',
  );
const kubelogin = (serverId: string) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'kubelogin',
    args: [
      'get-token',
      '--environment',
      'AzurePublicCloud',
      '--server-id',
      serverId,
      '--login',
      'devicecode',
    ],
  },
});
const opts = (asked: string[]) => ({
  serverAppId: AKS_AAD_SERVER_APP_ID,
  aadToken: async (scope: string) => {
    asked.push(scope);
    return 'aad-token';
  },
});

describe('aksKubeconfig', () => {
  it.each([
    ['a kubelogin exec user', kubelogin(AKS_AAD_SERVER_APP_ID)],
    [
      'the azure auth-provider',
      { 'auth-provider': { name: 'azure', config: { 'apiserver-id': AKS_AAD_SERVER_APP_ID } } },
    ],
  ])('replaces %s with a token for the AKS server application', async (_what, user) => {
    const asked: string[] = [];
    const out = JSON.parse(await aksKubeconfig(doc(user), opts(asked)));
    expect(asked).toEqual([`${AKS_AAD_SERVER_APP_ID}/.default`]);
    expect(out.users[0].user).toEqual({ token: 'aad-token' });
    expect(out.clusters[0].cluster).toEqual({
      server: 'https://aks.example:443',
      'certificate-authority-data': ca,
    });
  });

  it('keeps a local-account token and asks Entra for nothing', async () => {
    const asked: string[] = [];
    const out = JSON.parse(await aksKubeconfig(doc({ token: 'local' }), opts(asked)));
    expect(out.users[0].user).toEqual({ token: 'local' });
    expect(asked).toEqual([]);
  });

  it.each([
    ['another server application (a token for another audience)', kubelogin('https://management.azure.com')],
    ['any other exec plugin', { exec: { apiVersion: 'v1', command: 'touch', args: ['get-token'] } }],
  ])('refuses %s', async (_what, user) => {
    const asked: string[] = [];
    await expect(aksKubeconfig(doc(user), opts(asked))).rejects.toThrow(/refused the cluster credentials/);
    expect(asked).toEqual([]);
  });
});
