import { describe, expect, it } from 'vitest';
import { plainKubeconfig } from './kubeconfig';

const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const doc = (cluster: Record<string, unknown>, user: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: { server: 'https://aks.example:443', 'certificate-authority-data': ca, ...cluster },
      },
    ],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });

describe('plainKubeconfig', () => {
  it('keeps only server, CA and token', () => {
    const out = JSON.parse(
      plainKubeconfig(doc({ 'proxy-url': 'http://evil:3128' }, { token: 't0k' }), 'azure', 'op'),
    );
    expect(out.clusters[0].cluster).toEqual({
      server: 'https://aks.example:443',
      'certificate-authority-data': ca,
    });
    expect(out.users[0].user).toEqual({ token: 't0k' });
  });

  it('keeps a client certificate', () => {
    const out = JSON.parse(
      plainKubeconfig(
        doc({}, { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }),
        'azure',
        'op',
      ),
    );
    expect(out.users[0].user).toEqual({ 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' });
  });

  it.each([
    [
      'an exec plugin',
      {},
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: ['/tmp/x'] } },
    ],
    ['an auth-provider', {}, { 'auth-provider': { name: 'oidc', config: {} } }],
    ['skipped TLS verification', { 'insecure-skip-tls-verify': true }, { token: 't' }],
    ['a CA file on the host', { 'certificate-authority': '/etc/shadow' }, { token: 't' }],
    ['a key file on the host', {}, { 'client-certificate': '/root/c', 'client-key': '/root/k' }],
    ['basic auth', {}, { username: 'a', password: 'b' }],
    ['no credential', {}, {}],
    ['a plain-http server', { server: 'http://10.0.0.1' }, { token: 't' }],
  ])('refuses %s', (_what, cluster, user) => {
    expect(() => plainKubeconfig(doc(cluster, user), 'azure', 'op')).toThrow(
      /refused the cluster credentials/,
    );
  });
});
