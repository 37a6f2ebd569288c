import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  canonicalQuery,
  parseQuery,
  presignGetCallerIdentity,
  verifyAuthorizationHeader,
  verifyPresigned,
} from './sigv4.ts';

interface SmithySigner {
  sign(req: unknown, opts?: unknown): Promise<{ headers: Record<string, string> }>;
  presign(
    req: unknown,
    opts?: unknown,
  ): Promise<{ query: Record<string, string>; path: string; hostname: string }>;
}
type SignerCtor = new (o: {
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  sha256: unknown;
}) => SmithySigner;

// The real signer the SDKs use (a dependency of @aws-sdk/core, reached through the EKS client).
const req = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-eks'));
const coreReq = createRequire(req.resolve('@aws-sdk/core'));
const { SignatureV4 } = coreReq('@smithy/signature-v4') as { SignatureV4: SignerCtor };

class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(d: Uint8Array | string) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const creds = { accessKeyId: 'AKIATEST', secretAccessKey: 'secret/with+chars' };
const secretFor = (k: string) => (k === creds.accessKeyId ? creds.secretAccessKey : undefined);

describe('sigv4 verification', () => {
  it('accepts what @smithy/signature-v4 signs (header auth, encoded path, query)', async () => {
    const signer = new SignatureV4({
      service: 'eks',
      region: 'us-east-1',
      credentials: creds,
      sha256: Sha256,
    });
    const body = JSON.stringify({ tags: { a: 'b' } });
    const path = '/aws/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A111111111111%3Acluster%2Fx';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4510,
      path,
      query: { tagKeys: ['b c', 'a'], x: 'y*' },
      headers: { host: '127.0.0.1:4510', 'content-type': 'application/json' },
      body,
    });
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const rawQuery = 'tagKeys=b%20c&tagKeys=a&x=y%2A';
    const ok = verifyAuthorizationHeader({
      method: 'POST',
      rawPath: path,
      query: parseQuery(rawQuery),
      headers,
      body: Buffer.from(body),
      secretFor,
      now: Date.now(),
    });
    expect(ok).toMatchObject({ ok: true, scope: { service: 'eks', region: 'us-east-1' } });
    const tampered = verifyAuthorizationHeader({
      method: 'POST',
      rawPath: path,
      query: parseQuery(rawQuery),
      headers,
      body: Buffer.from(`${body} `),
      secretFor,
      now: Date.now(),
    });
    expect(tampered).toMatchObject({ ok: false, code: 'InvalidSignature' });
    const late = verifyAuthorizationHeader({
      method: 'POST',
      rawPath: path,
      query: parseQuery(rawQuery),
      headers,
      body: Buffer.from(body),
      secretFor,
      now: Date.now() + 20 * 60_000,
    });
    expect(late).toMatchObject({ ok: false, code: 'Expired' });
  });

  it('accepts an EKS token presigned by @smithy/signature-v4 and by our presigner', async () => {
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      credentials: creds,
      sha256: Sha256,
    });
    const p = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4510,
        path: '/aws/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: '127.0.0.1:4510', 'x-k8s-aws-id': 'shop-prod' },
      },
      { expiresIn: 60 },
    );
    const q = Object.entries(p.query).map(([k, v]) => [k, v] as [string, string]);
    const verify = (query: [string, string][], cluster: string, now = Date.now()) =>
      verifyPresigned({
        method: 'GET',
        rawPath: '/aws/',
        query,
        headers: { host: '127.0.0.1:4510', 'x-k8s-aws-id': cluster },
        body: Buffer.alloc(0),
        secretFor,
        now,
        maxAgeMs: 15 * 60_000,
      });
    expect(verify(q, 'shop-prod').ok).toBe(true);
    expect(verify(q, 'shop-dev').ok).toBe(false);
    // aws-iam-authenticator takes a token for 15 minutes, whatever X-Amz-Expires the URL carries
    expect(verify(q, 'shop-prod', Date.now() + 61_000).ok).toBe(true);
    expect(verify(q, 'shop-prod', Date.now() + 15 * 60_000 + 1000)).toMatchObject({
      ok: false,
      code: 'Expired',
    });

    const url = new URL(
      presignGetCallerIdentity({
        endpoint: 'http://127.0.0.1:4510/aws',
        region: 'us-east-1',
        ...creds,
        clusterName: 'shop-prod',
        now: Date.now(),
      }),
    );
    expect(verify(parseQuery(url.search.slice(1)), 'shop-prod').ok).toBe(true);
  });

  it('canonicalises paths and queries like smithy', () => {
    expect(canonicalPath('/a/./b/../c%3A')).toBe('/a/c%253A');
    expect(canonicalPath('/')).toBe('/');
    expect(
      canonicalQuery([
        ['b', '2'],
        ['a', 'x y'],
        ['a', '1'],
        ['X-Amz-Signature', 'zz'],
      ]),
    ).toBe('a=1&a=x%20y&b=2');
  });
});
