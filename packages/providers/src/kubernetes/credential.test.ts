import { describe, expect, it } from 'vitest';
import { importedCredentialFrom, importedKubeconfig, parseImportedCredential } from './credential';

const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ca = Buffer.from(pem).toString('base64');
const doc = (users: { name: string; user: Record<string, unknown> }[], current = 'a') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://k3s.lan:6443', 'certificate-authority-data': ca } }],
    users,
    contexts: users.map((u) => ({ name: u.name, context: { cluster: 'c', user: u.name } })),
    'current-context': current,
  });

describe('importedCredentialFrom', () => {
  it('keeps server, CA and token of the chosen context, never the plugin of another', () => {
    const text = doc(
      [
        { name: 'a', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'x' } } },
        { name: 'b', user: { token: 't0k' } },
      ],
      'a',
    );
    expect(importedCredentialFrom({ kubeconfig: text, context: 'b' })).toEqual({
      kind: 'kubeconfig',
      server: 'https://k3s.lan:6443',
      caData: ca,
      token: 't0k',
      context: 'b',
    });
    expect(() => importedCredentialFrom({ kubeconfig: text })).toThrow(
      expect.objectContaining({ field: 'users[].user.exec' }),
    );
    expect(() => importedCredentialFrom({ kubeconfig: text, context: 'nope' })).toThrow(
      expect.objectContaining({ field: 'context' }),
    );
  });

  it('builds the same credential from server, CA and token', () => {
    const c = importedCredentialFrom({ server: 'https://k3s.lan:6443', caPem: pem, token: 't0k' });
    expect(c).toMatchObject({ server: 'https://k3s.lan:6443', caData: ca, token: 't0k' });
    const kc = JSON.parse(
      importedKubeconfig('onprem', parseImportedCredential(c as unknown as Record<string, unknown>)),
    );
    expect(kc.users[0].user).toEqual({ token: 't0k' });
    expect(kc.clusters[0].cluster).toEqual({
      server: 'https://k3s.lan:6443',
      'certificate-authority-data': ca,
    });
  });

  it.each([
    ['an auth-provider', { 'auth-provider': { name: 'oidc', config: {} } }, 'users[].user.auth-provider'],
    ['basic auth', { username: 'a', password: 'b' }, 'users[].user.username'],
    ['no credential', {}, 'users[].user.token'],
  ])('refuses %s, naming the field', (_what, user, field) => {
    expect(() => importedCredentialFrom({ kubeconfig: doc([{ name: 'a', user }]) })).toThrow(
      expect.objectContaining({ field }),
    );
  });

  it('refuses a stored credential that lost its server or secret', () => {
    expect(() => parseImportedCredential({ server: 'http://x', token: 't' })).toThrow(/rotate it/);
    expect(() => parseImportedCredential({ server: 'https://x' })).toThrow(/rotate it/);
  });
});
