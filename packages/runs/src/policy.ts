import {
  type ClonePolicyRule,
  type EnvironmentSettings,
  evaluateClonePolicy,
  type PolicyDecision,
  type PolicyEndpoint,
  type Role,
} from '@dolly/authz';
import type { Database } from '@dolly/db';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';

export const policyMatcherSchema = z.object({
  env: z.array(z.string().min(1)).optional(),
  clusterGlob: z.string().min(1).optional(),
  namespaceGlob: z.string().min(1).optional(),
});

export interface StoredPolicyRow {
  name: string;
  effect: string;
  roles: Role[];
  source: unknown;
  target: unknown;
  requireApproval: boolean;
  priority: number;
}

export function toRule(row: StoredPolicyRow): ClonePolicyRule {
  return {
    name: row.name,
    effect: row.effect === 'deny' ? 'deny' : 'allow',
    roles: row.roles,
    source: policyMatcherSchema.parse(row.source),
    target: policyMatcherSchema.parse(row.target),
    requireApproval: row.requireApproval,
    priority: row.priority,
  };
}

/** What every admission decision reads from the tenant: its rules and its prod-class names. */
export interface AdmissionContext {
  rules: ClonePolicyRule[];
  settings: EnvironmentSettings;
}

export async function loadAdmissionContext(db: Database, tenantId: string): Promise<AdmissionContext> {
  const [rows, tenant] = await Promise.all([
    db.clonePolicy.findMany({ where: { tenantId } }),
    db.tenant.findUnique({ where: { id: tenantId }, select: { prodEnvironments: true } }),
  ]);
  return { rules: rows.map(toRule), settings: { prodEnvironments: tenant?.prodEnvironments ?? [] } };
}

export interface EndpointPair {
  source: PolicyEndpoint;
  target: PolicyEndpoint;
}

export interface PolicyOutcome {
  requireApproval: boolean;
  decisions: PolicyDecision[];
}

/** Every pair against the fixed guard and the tenant's rules; the first refusal names its rule. */
export function assessPairs(
  ctx: AdmissionContext,
  role: Role,
  action: 'clone' | 'migrate',
  pairs: EndpointPair[],
): PolicyOutcome {
  const decisions: PolicyDecision[] = [];
  for (const pair of pairs) {
    const decision = evaluateClonePolicy({ role, action, ...pair, settings: ctx.settings }, ctx.rules);
    if (!decision.allowed) throw denied(decision);
    decisions.push(decision);
  }
  return { requireApproval: decisions.some((d) => d.allowed && d.requireApproval), decisions };
}

export function denied(decision: Extract<PolicyDecision, { allowed: false }>): AdmissionError {
  return new AdmissionError('policy_denied', `${decision.reason} [rule: ${decision.rule}]`);
}

/** The worker's last word: a run a policy holds for approval runs only once an operator approved. */
export function assertApproved(outcome: PolicyOutcome, approvedById: string | null) {
  if (outcome.requireApproval && !approvedById)
    throw new AdmissionError(
      'policy_denied',
      'a policy requires approval and the run was not approved by an operator',
    );
}

/** Runs that still hold their target: a second one into the same place waits its turn. */
export const ACTIVE_STATUSES = ['pending_approval', 'queued', 'running', 'waiting', 'cancelling'] as const;
