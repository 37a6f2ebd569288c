/**
 * The EKS bearer token, as `aws eks get-token` and aws-iam-authenticator make it: a presigned STS
 * GetCallerIdentity URL whose signature covers the header `x-k8s-aws-id: <cluster>`, valid 60 s to
 * present (the API server accepts it for 15 min), base64url without padding, prefixed k8s-aws-v1.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static credentials or a provider of them (the SDK's AwsCredentialIdentity[Provider]). */
export type AwsCredentialsInput = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** RFC 3986 encoding, as SigV4 canonicalises query values. */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function eksToken(opts: {
  cluster: string;
  region: string;
  /** STS endpoint URL; default https://sts.<region>.amazonaws.com */
  stsEndpoint?: string;
  credentials: AwsCredentialsInput;
  now?: Date;
}): Promise<string> {
  const url = new URL(opts.stsEndpoint ?? `https://sts.${opts.region}.amazonaws.com`);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  const request = new HttpRequest({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path,
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: url.host, 'x-k8s-aws-id': opts.cluster },
  });
  const signer = new SignatureV4({
    credentials: opts.credentials,
    region: opts.region,
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.presign(request, {
    expiresIn: 60,
    ...(opts.now ? { signingDate: opts.now } : {}),
  });
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    for (const x of Array.isArray(v) ? v : v === null || v === undefined ? [] : [v])
      pairs.push(`${rfc3986(k)}=${rfc3986(x)}`);
  }
  const query = pairs.join('&');
  const presigned = `${url.protocol}//${url.host}${path}?${query}`;
  return `${EKS_TOKEN_PREFIX}${Buffer.from(presigned, 'utf8').toString('base64url')}`;
}
