/**
 * IAM (awsQuery, XML): the roles EKS clusters and node groups assume. GetRole, CreateRole and
 * DeleteRole, with each role's trust policy reduced to the service principals it trusts, which is
 * what EKS checks before it creates anything; and the AWS managed policies attached to each role
 * (ListAttachedRolePolicies, AttachRolePolicy, DetachRolePolicy), which is what the add-ons on the
 * nodes (the EBS CSI driver) act with.
 */
import { createHash } from 'node:crypto';
import type { AwsAccount } from './model.ts';
import { AwsError, xmlEscape } from './protocol.ts';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

export interface IamRoleRec {
  name: string;
  roleId: string;
  path: string;
  /** service principals the trust policy lets assume the role (eks.amazonaws.com, ec2.amazonaws.com) */
  trustedServices: string[];
  /** the trust policy as created (JSON); STS AssumeRole judges AWS principals by it. Prepared roles have none */
  trustPolicy?: string;
  /** ARNs of the managed policies attached; absent (older state): a prepared role's */
  attachedPolicies?: string[];
  createDate: string;
  /** when CreateRole made it (sandbox clock, ms): EKS may assume it only once IAM has propagated it */
  createdAtMs?: number;
}

/**
 * The roles a prepared (demo or test) account has, under the names Dolly's demo and tests use.
 * A `fresh` account has none: a new AWS account has no EKS roles until someone creates them.
 */
const PREPARED: [string, string][] = [
  ['eks-cluster-role', 'eks.amazonaws.com'],
  ['dolly-eks-cluster', 'eks.amazonaws.com'],
  ['eks-node-role', 'ec2.amazonaws.com'],
  ['dolly-eks-node', 'ec2.amazonaws.com'],
];

/** The AWS managed policies the sandbox knows (the ones EKS roles use), by name. */
const MANAGED_POLICIES: Record<string, string> = {
  AmazonEKSClusterPolicy: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  AmazonEKSWorkerNodePolicy: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  AmazonEKS_CNI_Policy: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  AmazonEC2ContainerRegistryReadOnly: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  AmazonEBSCSIDriverPolicy: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
};
const policyName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** What a prepared role has attached: a cluster role the cluster policy, a node role the node ones. */
function preparedPolicies(r: IamRoleRec): string[] {
  const names = r.trustedServices.includes('ec2.amazonaws.com')
    ? [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
        'AmazonEBSCSIDriverPolicy',
      ]
    : ['AmazonEKSClusterPolicy'];
  return names.map((n) => MANAGED_POLICIES[n] as string);
}

function roleId(account: string, name: string): string {
  return `AROA${createHash('sha256').update(`${account}/${name}`).digest('hex').slice(0, 17).toUpperCase()}`;
}

function newRole(account: string, name: string, trustedServices: string[], path = '/'): IamRoleRec {
  return {
    name,
    roleId: roleId(account, name),
    path,
    trustedServices,
    createDate: new Date(Date.UTC(2026, 0, 1)).toISOString(),
  };
}

/** The account's roles; an account stored before IAM existed in the sandbox is a prepared one. */
export function rolesOf(a: AwsAccount): Record<string, IamRoleRec> {
  a.roles ??= Object.fromEntries(PREPARED.map(([n, s]) => [n, newRole(a.id, n, [s])]));
  return a.roles;
}

/**
 * Real IAM → EKS propagation of a new role takes seconds (IAM is eventually consistent): until
 * then EKS answers as if the role did not exist. Real time; the sandbox divides it by its speed.
 */
export const IAM_PROPAGATION_MS = 10_000;

/**
 * Does `arn` name a role of this account that `service` may assume? (EKS's check at create.) With
 * `createdBefore`, a role CreateRole made after that moment is not visible to the service yet.
 */
export function roleTrusts(
  a: AwsAccount | undefined,
  arn: string,
  service: string,
  createdBefore?: number,
): boolean {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!a || !m || m[1] !== a.id) return false;
  const r = rolesOf(a)[m[2] ?? ''];
  if (!r) return false;
  if (createdBefore !== undefined && r.createdAtMs !== undefined && r.createdAtMs > createdBefore)
    return false;
  return r.trustedServices.includes(service);
}

export function iamErrorXml(code: string, message: string, reqId: string, type = 'Sender'): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${xmlEscape(reqId)}</RequestId></ErrorResponse>`;
}

function roleXml(account: string, r: IamRoleRec): string {
  const policy = r.trustPolicy
    ? (JSON.parse(r.trustPolicy) as unknown)
    : {
        Version: '2012-10-17',
        Statement: r.trustedServices.map((s) => ({
          Effect: 'Allow',
          Principal: { Service: s },
          Action: 'sts:AssumeRole',
        })),
      };
  return `<Role><Path>${xmlEscape(r.path)}</Path><AssumeRolePolicyDocument>${xmlEscape(encodeURIComponent(JSON.stringify(policy)))}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration><RoleId>${r.roleId}</RoleId><RoleName>${xmlEscape(r.name)}</RoleName><Arn>arn:aws:iam::${account}:role${xmlEscape(r.path)}${xmlEscape(r.name)}</Arn><CreateDate>${r.createDate}</CreateDate></Role>`;
}

/** The service principals an AssumeRolePolicyDocument lets assume the role. */
function trustedServicesOf(doc: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 400, 'This policy contains invalid Json');
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const out: string[] = [];
  for (const s of list as { Effect?: unknown; Principal?: { Service?: unknown } }[]) {
    if (s.Effect !== 'Allow') continue;
    const svc = s.Principal?.Service;
    for (const v of Array.isArray(svc) ? svc : [svc]) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** Returns the XML answer; the caller marks the state dirty for writes. */
export function handleIam(
  a: AwsAccount,
  action: string,
  form: Map<string, string>,
  reqId: string,
  now: number = Date.now(),
): string {
  const roles = rolesOf(a);
  const name = form.get('RoleName') ?? '';
  const meta = `<ResponseMetadata><RequestId>${xmlEscape(reqId)}</RequestId></ResponseMetadata>`;
  const notFound = () => new AwsError('NoSuchEntity', 404, `The role with name ${name} cannot be found.`);
  switch (action) {
    case 'GetRole': {
      const r = roles[name];
      if (!r) throw notFound();
      return `<GetRoleResponse xmlns="${NS}"><GetRoleResult>${roleXml(a.id, r)}</GetRoleResult>${meta}</GetRoleResponse>`;
    }
    case 'CreateRole': {
      if (!ROLE_NAME_RE.test(name))
        throw new AwsError(
          'ValidationError',
          400,
          `1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint`,
        );
      if (roles[name])
        throw new AwsError('EntityAlreadyExists', 409, `Role with name ${name} already exists.`);
      const r = newRole(
        a.id,
        name,
        trustedServicesOf(form.get('AssumeRolePolicyDocument') ?? ''),
        form.get('Path') ?? '/',
      );
      r.attachedPolicies = [];
      r.createdAtMs = now;
      r.createDate = new Date(now).toISOString();
      r.trustPolicy = form.get('AssumeRolePolicyDocument') ?? '';
      roles[name] = r;
      return `<CreateRoleResponse xmlns="${NS}"><CreateRoleResult>${roleXml(a.id, r)}</CreateRoleResult>${meta}</CreateRoleResponse>`;
    }
    case 'DeleteRole': {
      const r = roles[name];
      if (!r) throw notFound();
      if ((r.attachedPolicies ?? preparedPolicies(r)).length > 0)
        throw new AwsError('DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.');
      delete roles[name];
      return `<DeleteRoleResponse xmlns="${NS}">${meta}</DeleteRoleResponse>`;
    }
    case 'ListAttachedRolePolicies': {
      const r = roles[name];
      if (!r) throw notFound();
      const members = (r.attachedPolicies ?? preparedPolicies(r))
        .map(
          (arn) =>
            `<member><PolicyName>${xmlEscape(policyName(arn))}</PolicyName><PolicyArn>${xmlEscape(arn)}</PolicyArn></member>`,
        )
        .join('');
      return `<ListAttachedRolePoliciesResponse xmlns="${NS}"><ListAttachedRolePoliciesResult><AttachedPolicies>${members}</AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult>${meta}</ListAttachedRolePoliciesResponse>`;
    }
    case 'AttachRolePolicy':
    case 'DetachRolePolicy': {
      const r = roles[name];
      if (!r) throw notFound();
      const arn = form.get('PolicyArn') ?? '';
      const attached = r.attachedPolicies ?? preparedPolicies(r);
      if (action === 'AttachRolePolicy') {
        if (MANAGED_POLICIES[policyName(arn)] !== arn)
          throw new AwsError('NoSuchEntity', 404, `Policy ${arn} does not exist or is not attachable.`);
        r.attachedPolicies = attached.includes(arn) ? attached : [...attached, arn];
      } else {
        if (!attached.includes(arn)) throw new AwsError('NoSuchEntity', 404, `Policy ${arn} was not found.`);
        r.attachedPolicies = attached.filter((p) => p !== arn);
      }
      return `<${action}Response xmlns="${NS}">${meta}</${action}Response>`;
    }
    default:
      throw new AwsError('InvalidAction', 400, `Could not find operation ${action} for version 2010-05-08`);
  }
}
