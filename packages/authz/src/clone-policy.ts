import picomatch from 'picomatch';
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
}

export type PolicyDecision =
  | { allowed: true; requireApproval: boolean; rule: string; reason: string }
  | { allowed: false; rule: string; reason: string };

/** The fixed guard no tenant policy can lift. */
export const PROD_GUARD = 'builtin:no-writes-into-prod-below-operator';
export const DEFAULT_ALLOW = 'builtin:default-allow';
const PROTECTED_ENV = 'prod';

function matches(m: PolicyMatcher, e: PolicyEndpoint): boolean {
  if (m.env?.length && !m.env.includes(e.env ?? '')) return false;
  if (m.clusterGlob && !picomatch.isMatch(e.cluster, m.clusterGlob)) return false;
  if (m.namespaceGlob && e.namespace !== undefined && !picomatch.isMatch(e.namespace, m.namespaceGlob))
    return false;
  return true;
}

function describe(e: PolicyEndpoint) {
  return `${e.cluster}${e.namespace ? `/${e.namespace}` : ''} (${e.env ?? 'no environment'})`;
}

/**
 * Decides whether `role` may clone or migrate from source to target. Order:
 * 1. the fixed guard: developers and viewers (and tokens bounded to them) never write into prod;
 * 2. the tenant's rules by priority, first match wins (deny or allow, maybe with approval);
 * 3. no rule matched: allowed. Tenants tighten with deny rules (for example "nothing into prod
 *    without approval") rather than having to list every allowed pair.
 */
export function evaluateClonePolicy(request: PolicyRequest, rules: ClonePolicyRule[]): PolicyDecision {
  if (request.target.env === PROTECTED_ENV && !roleAtLeast(request.role, 'operator')) {
    return {
      allowed: false,
      rule: PROD_GUARD,
      reason: `${request.role === 'viewer' ? 'Viewers' : 'Developers'} cannot ${request.action} into prod`,
    };
  }
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  for (const rule of ordered) {
    if (rule.roles.length && !rule.roles.includes(request.role)) continue;
    if (!matches(rule.source, request.source) || !matches(rule.target, request.target)) continue;
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
