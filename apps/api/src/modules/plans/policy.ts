import type { Role } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import { type CloneEndpoints, assessClonePolicy } from '@dolly/jobs';

export type { CloneEndpoints };

/**
 * Checks every source→target pair of a clone (or migration) against the tenant's policies. Throws
 * 403 policy_denied naming the rule on the first refusal; returns whether approval is required.
 */
export async function checkClonePolicy(
  db: Database,
  tenantId: string,
  role: Role,
  pairs: CloneEndpoints[],
  action: 'clone' | 'migrate' = 'clone',
) {
  const assessment = await assessClonePolicy(db, tenantId, role, pairs, action);
  if (!assessment.allowed)
    throw new DollyError('policy_denied', `${assessment.denied.reason} [rule: ${assessment.denied.rule}]`);
  return { requireApproval: assessment.requireApproval, decisions: assessment.decisions };
}
