/**
 * STS (awsQuery, XML): GetCallerIdentity and AssumeRole. AssumeRole checks what AWS checks: the role
 * exists in its account, and its trust policy allows the caller's account (or user) as an AWS principal
 * under its `sts:ExternalId` condition; it hands out temporary keys that sign like any other keys but
 * need their session token and expire.
 */
import { randomBytes } from 'node:crypto';
import { credentialsFor } from './credentials.ts';
import type { IamRoleRec } from './iam.ts';
import { AwsError, xmlEscape } from './protocol.ts';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export function stsErrorXml(
  code: string,
  message: string,
  reqId: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${xmlEscape(reqId)}</RequestId></ErrorResponse>`;
}

/** Keys AssumeRole handed out: they act as the role, in the role's account, until they expire. */
export interface SessionKey {
  account: string;
  secretAccessKey: string;
  sessionToken: string;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session> */
  arn: string;
  assumedRoleId: string;
  expiresAt: number;
}

/** Who signed a request: an account's own keys, or a session of a role (with the token it must carry). */
export interface StsCaller {
  account: string;
  session?: SessionKey;
}

export interface StsDeps {
  /** roles of an account the sandbox knows; undefined: no such account */
  rolesOf(account: string): Record<string, IamRoleRec> | undefined;
  /** remember keys handed out, by access key id */
  issue(accessKeyId: string, key: SessionKey): void;
  now(): number;
}

const accessDenied = (caller: StsCaller, roleArn: string) =>
  new AwsError(
    'AccessDenied',
    403,
    `User: ${callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );

function callerArn(caller: StsCaller): string {
  return caller.session?.arn ?? credentialsFor(caller.account).userArn;
}

type Statement = {
  Effect?: unknown;
  Action?: unknown;
  Principal?: { AWS?: unknown } | string;
  Condition?: Record<string, Record<string, unknown>>;
};

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Does one Allow statement of the trust policy let this caller assume the role with this external id? */
function statementAllows(s: Statement, caller: StsCaller, externalId: string | undefined): boolean {
  if (s.Effect !== 'Allow') return false;
  if (!asList(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
  const principals = typeof s.Principal === 'string' ? [s.Principal] : asList(s.Principal?.AWS);
  const who = new Set([caller.account, `arn:aws:iam::${caller.account}:root`, callerArn(caller), '*']);
  if (!principals.some((p) => typeof p === 'string' && who.has(p))) return false;
  for (const [operator, conditions] of Object.entries(s.Condition ?? {})) {
    for (const [key, wanted] of Object.entries(conditions)) {
      if (key.toLowerCase() !== 'sts:externalid') return false; // a condition the sandbox cannot judge denies
      if (operator !== 'StringEquals') return false;
      if (!externalId || !asList(wanted).includes(externalId)) return false;
    }
  }
  return true;
}

function trustAllows(role: IamRoleRec, caller: StsCaller, externalId: string | undefined): boolean {
  if (!role.trustPolicy) return false; // prepared roles trust AWS services only
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(role.trustPolicy) as { Statement?: unknown };
  } catch {
    return false;
  }
  return asList(doc.Statement).some((s) => statementAllows(s as Statement, caller, externalId));
}

function assumeRole(caller: StsCaller, form: Map<string, string>, reqId: string, deps: StsDeps): string {
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
    throw new AwsError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`,
    );
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) throw new AwsError('ValidationError', 400, `${roleArn} is invalid`);
  const [, account = '', name = ''] = m;
  const role = deps.rolesOf(account)?.[name];
  const externalId = form.get('ExternalId');
  // AWS says the same whether the role is missing or does not trust the caller: nothing leaks.
  if (!role || !trustAllows(role, caller, externalId)) throw accessDenied(caller, roleArn);
  const seconds = Number(form.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200)
    throw new AwsError(
      'ValidationError',
      400,
      `The requested DurationSeconds exceeds the MaxSessionDuration`,
    );
  const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
  const key: SessionKey = {
    account,
    secretAccessKey: randomBytes(30)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 40),
    sessionToken: randomBytes(48).toString('base64'),
    arn: `arn:aws:sts::${account}:assumed-role/${name}/${sessionName}`,
    assumedRoleId: `${role.roleId}:${sessionName}`,
    expiresAt: deps.now() + seconds * 1000,
  };
  deps.issue(accessKeyId, key);
  return `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(key.secretAccessKey)}</SecretAccessKey><SessionToken>${xmlEscape(key.sessionToken)}</SessionToken><Expiration>${new Date(key.expiresAt).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>${xmlEscape(key.assumedRoleId)}</AssumedRoleId><Arn>${xmlEscape(key.arn)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${xmlEscape(reqId)}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

export function handleSts(
  caller: StsCaller,
  action: string,
  form: Map<string, string>,
  reqId: string,
  deps: StsDeps,
): string {
  if (action === 'AssumeRole') return assumeRole(caller, form, reqId, deps);
  if (action !== 'GetCallerIdentity') {
    throw new AwsError('InvalidAction', 400, `Could not find operation ${action} for version 2011-06-15`);
  }
  const c = credentialsFor(caller.account);
  const arn = caller.session?.arn ?? c.userArn;
  const userId = caller.session?.assumedRoleId ?? c.userId;
  return `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${xmlEscape(arn)}</Arn><UserId>${xmlEscape(userId)}</UserId><Account>${xmlEscape(caller.account)}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${xmlEscape(reqId)}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}
