import picomatch from 'picomatch';
import { type EnvironmentSettings, isProdClass, normaliseEnvironment } from './environment.ts';
import { type Role, roleAtLeast } from './roles.ts';

/** One end of a clone or migration, as the policy sees it. */
export interface PolicyEndpoint {
  env?: string | null;
  cluster: string;
  namespace?: string;
}

export interface PolicyMatcher {
  /** environments that match; empty or absent = any */
  env?: string[];
  /** glob on the cluster name; absent = any */
  clusterGlob?: string;
  /** glob on the namespace (migrations); absent = any */
  namespaceGlob?: string;
}

export interface ClonePolicyRule {
  name: string;
  effect: 'allow' | 'deny';
  /** roles the rule applies to; empty = every role */
  roles: Role[];
  source: PolicyMatcher;
  target: PolicyMatcher;
  requireApproval: boolean;
  /** lower runs first */
  priority: number;
}

export interface PolicyRequest {
  role: Role;
  action: 'clone' | 'migrate';
  source: PolicyEndpoint;
  target: PolicyEndpoint;
  /** the tenant's prod-class environment names */
  settings?: EnvironmentSettings;
}

export type PolicyDecision =
  | { allowed: true; requireApproval: boolean; rule: string; reason: string }
  | { allowed: false; rule: string; reason: string };

/** The fixed guard no tenant policy can lift. */
export const PROD_GUARD = 'builtin:no-writes-into-prod-below-operator';
export const DEFAULT_ALLOW = 'builtin:default-allow';

/**
 * Names compare normalised; a rule naming prod (or a tenant prod-class name) also matches every
 * prod-class endpoint, the unknown environment included.
 */
function envMatches(list: string[], env: string | null | undefined, settings: EnvironmentSettings) {
  const n = normaliseEnvironment(env);
  return list.some((name) => {
    const wanted = normaliseEnvironment(name);
    if (wanted !== null && wanted === n) return true;
    return wanted !== null && isProdClass(wanted, settings) && isProdClass(n, settings);
  });
}

function matches(m: PolicyMatcher, e: PolicyEndpoint, settings: EnvironmentSettings): boolean {
  if (m.env?.length && !envMatches(m.env, e.env, settings)) return false;
  if (m.clusterGlob && !picomatch.isMatch(e.cluster, m.clusterGlob)) return false;
  if (m.namespaceGlob && e.namespace !== undefined && !picomatch.isMatch(e.namespace, m.namespaceGlob))
    return false;
  return true;
}

function describe(e: PolicyEndpoint) {
  return `${e.cluster}${e.namespace ? `/${e.namespace}` : ''} (${normaliseEnvironment(e.env) ?? 'unknown environment'})`;
}

/**
 * Decides whether `role` may clone or migrate from source to target. Order:
 * 1. the fixed guard: developers and viewers (and tokens bounded to them) never write into prod,
 *    a prod-class environment or an unknown one;
 * 2. the tenant's rules by priority, first match wins (deny or allow, maybe with approval);
 * 3. no rule matched: allowed. Tenants tighten with deny rules (for example "nothing into prod
 *    without approval") rather than having to list every allowed pair.
 */
export function evaluateClonePolicy(request: PolicyRequest, rules: ClonePolicyRule[]): PolicyDecision {
  const settings = request.settings ?? {};
  if (isProdClass(request.target.env, settings) && !roleAtLeast(request.role, 'operator')) {
    const env = normaliseEnvironment(request.target.env);
    return {
      allowed: false,
      rule: PROD_GUARD,
      reason: `${request.role === 'viewer' ? 'Viewers' : 'Developers'} cannot ${request.action} into prod${
        env === null
          ? ` (${request.target.cluster} has no known environment, which counts as prod)`
          : env === 'prod'
            ? ''
            : ` (${env} is a prod-class environment of this tenant)`
      }`,
    };
  }
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  for (const rule of ordered) {
    if (rule.roles.length && !rule.roles.includes(request.role)) continue;
    if (!matches(rule.source, request.source, settings) || !matches(rule.target, request.target, settings))
      continue;
    if (rule.effect === 'deny') {
      return {
        allowed: false,
        rule: rule.name,
        reason: `Policy "${rule.name}" forbids a ${request.role} to ${request.action} ${describe(request.source)} into ${describe(request.target)}`,
      };
    }
    return {
      allowed: true,
      requireApproval: rule.requireApproval,
      rule: rule.name,
      reason: `Policy "${rule.name}" allows it${rule.requireApproval ? ' after an operator approves' : ''}`,
    };
  }
  return { allowed: true, requireApproval: false, rule: DEFAULT_ALLOW, reason: 'No policy restricts this' };
}

/**
 * What a migration writes into its source, by request field. One list for the API, the worker and
 * the wizard, so the browser disables exactly what the API would refuse.
 */
export function sourceWrites(request: {
  cutover?: boolean | undefined;
  copyVolumes?: boolean | undefined;
}): string[] {
  return [
    ...(request.cutover ? ['cutover (scales the source workloads to zero)'] : []),
    ...(request.copyVolumes ? ['copyVolumes (runs mover pods in the source)'] : []),
  ];
}

/** The fixed guard for migrations that write into their source (cutover, volume copy). */
export const SOURCE_WRITE_GUARD = 'builtin:no-source-writes-in-prod-below-operator';

/**
 * A migration that scales the source down (cutover) or runs mover pods in it (copyVolumes) writes
 * into the source: into prod when the source is prod-class (or of unknown environment), which
 * developers and viewers never do, whatever the tenant's rules say.
 */
export function evaluateSourceWrites(request: {
  role: Role;
  source: PolicyEndpoint;
  writes: string[];
  settings?: EnvironmentSettings;
}): PolicyDecision {
  if (
    request.writes.length === 0 ||
    roleAtLeast(request.role, 'operator') ||
    !isProdClass(request.source.env, request.settings ?? {})
  )
    return {
      allowed: true,
      requireApproval: false,
      rule: DEFAULT_ALLOW,
      reason: 'No write into a prod source',
    };
  return {
    allowed: false,
    rule: SOURCE_WRITE_GUARD,
    reason: `${request.writes.join(' and ')} write${request.writes.length > 1 ? '' : 's'} into the source ${describe(request.source)}, which counts as prod: ${request.role === 'viewer' ? 'viewers' : 'developers'} cannot request ${request.writes.length > 1 ? 'them' : 'it'} there`,
  };
}
