import { type PolicyDecision, type Role, evaluateClonePolicy } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import { toRule } from '../policies/routes.ts';

export interface CloneEndpoints {
  source: { env: string | null; cluster: string };
  target: { env: string | null; cluster: string };
}

/**
 * Checks every source→target pair of a clone against the tenant's policies. Throws 403
 * policy_denied naming the rule on the first refusal; returns whether approval is required.
 */
export async function checkClonePolicy(db: Database, tenantId: string, role: Role, pairs: CloneEndpoints[]) {
  const rules = (await db.clonePolicy.findMany({ where: { tenantId } })).map(toRule);
  const decisions: PolicyDecision[] = [];
  for (const pair of pairs) {
    const decision = evaluateClonePolicy(
      { role, action: 'clone', source: pair.source, target: pair.target },
      rules,
    );
    if (!decision.allowed)
      throw new DollyError('policy_denied', `${decision.reason} [rule: ${decision.rule}]`);
    decisions.push(decision);
  }
  return { requireApproval: decisions.some((d) => d.allowed && d.requireApproval), decisions };
}
