import { describe, expect, it } from 'vitest';
import { credentialExpiry } from './credential-expiry.ts';

const now = Date.parse('2026-12-07T10:00:00Z');
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const kubeconfig = (token: string) => JSON.stringify({ users: [{ name: 'u', user: { token } }] });

describe('credentialExpiry', () => {
  it("takes a JWT token's own exp (Azure AD AKS)", () => {
    const exp = Math.floor(now / 1000) + 3599;
    const jwt = `${b64({ alg: 'RS256' })}.${b64({ aud: '6dae42f8-4368-4678-94ff-3960e28e3630', exp })}.sig`;
    expect(credentialExpiry('azure', kubeconfig(jwt), now)).toBe(new Date(exp * 1000).toISOString());
  });

  it('reads a YAML kubeconfig too', () => {
    const exp = Math.floor(now / 1000) + 600;
    const jwt = `${b64({ alg: 'RS256' })}.${b64({ exp })}.sig`;
    const yaml = `apiVersion: v1\nkind: Config\nusers:\n- name: "u"\n  user:\n    token: "${jwt}"\n`;
    expect(credentialExpiry('gcp', yaml, now)).toBe(new Date(exp * 1000).toISOString());
  });

  it('falls back to the cloud lifetime for tokens that are not JWTs', () => {
    expect(credentialExpiry('aws', kubeconfig('k8s-aws-v1.aHR0cHM'), now)).toBe('2026-12-07T10:14:00.000Z');
    expect(credentialExpiry('gcp', kubeconfig('ya29.opaque'), now)).toBe('2026-12-07T10:55:00.000Z');
  });

  it('is null for a lasting AKS local credential and for a kubeconfig it cannot read', () => {
    expect(credentialExpiry('azure', kubeconfig('0123456789abcdef'), now)).toBeNull();
    expect(credentialExpiry('azure', 'apiVersion: v1\nusers: []\n', now)).toBeNull();
  });
});
