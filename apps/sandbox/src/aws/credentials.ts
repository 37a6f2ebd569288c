import { createHmac } from 'node:crypto';

/** Fixed seed: credentials are a pure function of the account id, so they survive resets and restarts. */
const SEED = 'dolly-sandbox-aws-credentials-v1';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer, len: number): string {
  let out = '';
  for (let i = 0; out.length < len; i++) out += BASE32[(buf[i % buf.length] ?? 0) % 32];
  return out;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  userArn: string;
  userId: string;
}

export function credentialsFor(accountId: string): AwsCredentials {
  const akid = createHmac('sha256', SEED).update(`akid:${accountId}`).digest();
  const secret = createHmac('sha256', SEED).update(`secret:${accountId}`).digest('base64');
  const uid = createHmac('sha256', SEED).update(`uid:${accountId}`).digest();
  return {
    accessKeyId: `AKIA${base32(akid, 16)}`,
    secretAccessKey: secret
      .replace(/[^A-Za-z0-9]/g, '')
      .padEnd(40, 'x')
      .slice(0, 40),
    userArn: `arn:aws:iam::${accountId}:user/dolly-sandbox`,
    userId: `AIDA${base32(uid, 17)}`,
  };
}
