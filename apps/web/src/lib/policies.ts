import { type ClonePolicyRule, evaluateClonePolicy, type PolicyDecision, type Role } from '@dolly/authz';
import { useQuery } from '@tanstack/react-query';
import { dolly, type Schemas, unwrap } from './api-client.ts';

export type ClonePolicy = Schemas['ClonePolicy'];

export function toRule(p: ClonePolicy): ClonePolicyRule {
  return {
    name: p.name,
    effect: p.effect,
    roles: p.roles,
    source: p.source,
    target: p.target,
    requireApproval: p.requireApproval,
    priority: p.priority,
  };
}

/** The tenant's clone policies as rules for @dolly/authz, the same evaluator the API and worker run. */
export function useClonePolicyRules() {
  return useQuery({
    queryKey: ['policies'],
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/policies'))).items.map(toRule),
    staleTime: 60_000,
  });
}

export interface ClonePair {
  source: { env: string | null; cluster: string };
  target: { env: string | null; cluster: string };
}

/**
 * One decision for a whole clone (several source→target pairs): the first refusal wins, as in the
 * API; otherwise allowed, needing approval when any pair does.
 */
export function decideClone(role: Role, rules: ClonePolicyRule[], pairs: ClonePair[]): PolicyDecision {
  let approval: PolicyDecision | undefined;
  let allowed: PolicyDecision | undefined;
  for (const pair of pairs) {
    const decision = evaluateClonePolicy({ role, action: 'clone', ...pair }, rules);
    if (!decision.allowed) return decision;
    if (decision.requireApproval && !approval) approval = decision;
    allowed ??= decision;
  }
  return (
    approval ?? allowed ?? { allowed: true, requireApproval: false, rule: 'none', reason: 'Nothing to clone' }
  );
}
