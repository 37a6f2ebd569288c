import { type ClonePolicyRule, type PolicyDecision, type Role, evaluateClonePolicy } from '@dolly/authz';
import type { Database } from '@dolly/db';
import { z } from 'zod';

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

export interface CloneEndpoints {
  source: { env: string | null; cluster: string; namespace?: string };
  target: { env: string | null; cluster: string; namespace?: string };
}

export type PolicyAssessment =
  | { allowed: true; requireApproval: boolean; decisions: PolicyDecision[] }
  | { allowed: false; denied: Extract<PolicyDecision, { allowed: false }>; decisions: PolicyDecision[] };

/**
 * Every source→target pair against the tenant's policies (API on request, worker again right before
 * the first cloud change, since a cluster's environment may have changed in between).
 */
export async function assessClonePolicy(
  db: Database,
  tenantId: string,
  role: Role,
  pairs: CloneEndpoints[],
  action: 'clone' | 'migrate' = 'clone',
): Promise<PolicyAssessment> {
  const rules = (await db.clonePolicy.findMany({ where: { tenantId } })).map(toRule);
  const decisions: PolicyDecision[] = [];
  for (const pair of pairs) {
    const decision = evaluateClonePolicy({ role, action, source: pair.source, target: pair.target }, rules);
    decisions.push(decision);
    if (!decision.allowed) return { allowed: false, denied: decision, decisions };
  }
  return { allowed: true, requireApproval: decisions.some((d) => d.allowed && d.requireApproval), decisions };
}
