import type { components, paths } from '@dolly/api-client';
import type { Role } from '@dolly/authz';

export type ClonePolicy = components['schemas']['ClonePolicy'];
export type PolicyBody = paths['/api/v1/policies']['post']['requestBody']['content']['application/json'];
export type EvaluateBody =
  paths['/api/v1/policies/evaluate']['post']['requestBody']['content']['application/json'];
export type PolicyDecision = components['schemas']['PolicyDecision'];

export interface MatcherForm {
  /** comma-separated environments; empty = any */
  env: string;
  clusterGlob: string;
  namespaceGlob: string;
}

export interface PolicyForm {
  name: string;
  effect: 'allow' | 'deny';
  roles: Role[];
  source: MatcherForm;
  target: MatcherForm;
  requireApproval: boolean;
  priority: string;
}

const anyMatcher: MatcherForm = { env: '', clusterGlob: '', namespaceGlob: '' };
export const emptyPolicyForm: PolicyForm = {
  name: '',
  effect: 'deny',
  roles: [],
  source: anyMatcher,
  target: anyMatcher,
  requireApproval: false,
  priority: '100',
};

export function policyToForm(policy: ClonePolicy): PolicyForm {
  const matcher = (m: ClonePolicy['source']): MatcherForm => ({
    env: m.env.join(', '),
    clusterGlob: m.clusterGlob ?? '',
    namespaceGlob: m.namespaceGlob ?? '',
  });
  return {
    name: policy.name,
    effect: policy.effect,
    roles: [...policy.roles],
    source: matcher(policy.source),
    target: matcher(policy.target),
    requireApproval: policy.requireApproval,
    priority: String(policy.priority),
  };
}

function matcherBody(m: MatcherForm): PolicyBody['source'] {
  const env = m.env
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return {
    env,
    ...(m.clusterGlob.trim() ? { clusterGlob: m.clusterGlob.trim() } : {}),
    ...(m.namespaceGlob.trim() ? { namespaceGlob: m.namespaceGlob.trim() } : {}),
  };
}

/** The API body from the form, or field errors on the API's own paths. */
export function policyBody(
  form: PolicyForm,
): { ok: true; value: PolicyBody } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = 'Name is required';
  const priority = Number(form.priority);
  if (!/^\d+$/.test(form.priority.trim()) || priority > 10_000)
    errors.priority = 'A whole number from 0 to 10000; lower runs first';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: form.name.trim(),
      effect: form.effect,
      roles: form.roles,
      source: matcherBody(form.source),
      target: matcherBody(form.target),
      // Approval only means something on an allow rule; a deny never runs.
      requireApproval: form.effect === 'allow' && form.requireApproval,
      priority,
    },
  };
}

/** "prod, staging · cluster shop-* · namespace any" — how a matcher reads in the table. */
export function describeMatcher(m: ClonePolicy['source']): string {
  const parts = [m.env.length ? m.env.join(', ') : 'any environment'];
  if (m.clusterGlob) parts.push(`cluster ${m.clusterGlob}`);
  if (m.namespaceGlob) parts.push(`namespace ${m.namespaceGlob}`);
  return parts.join(' · ');
}

export interface EndpointForm {
  env: string;
  cluster: string;
  namespace: string;
}

export function evaluateBody(
  action: 'clone' | 'migrate',
  role: Role,
  source: EndpointForm,
  target: EndpointForm,
): { ok: true; value: EvaluateBody } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!source.cluster.trim()) errors['source.cluster'] = 'Source cluster is required';
  if (!target.cluster.trim()) errors['target.cluster'] = 'Target cluster is required';
  if (Object.keys(errors).length) return { ok: false, errors };
  const endpoint = (e: EndpointForm) => ({
    env: e.env.trim() || null,
    cluster: e.cluster.trim(),
    ...(e.namespace.trim() ? { namespace: e.namespace.trim() } : {}),
  });
  return { ok: true, value: { action, role, source: endpoint(source), target: endpoint(target) } };
}
