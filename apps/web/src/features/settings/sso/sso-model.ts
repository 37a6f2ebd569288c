import type { components, paths } from '@dolly/api-client';
import { isRole, type Role } from '@dolly/authz';

export type SsoConfig = components['schemas']['SsoConfig'];
export type GroupRole = SsoConfig['groupRoles'][number];
export type SsoConfigBody = paths['/api/v1/sso']['put']['requestBody']['content']['application/json'];

/** Group mappings are edited as lines of `group = role`, the way an admin reads them. */
export function formatGroupRoles(mapping: readonly GroupRole[]): string {
  return mapping.map((m) => `${m.group} = ${m.role}`).join('\n');
}

export function parseGroupRoles(text: string): { mapping: GroupRole[]; problem?: string } {
  const mapping: GroupRole[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.lastIndexOf('=');
    const group = line.slice(0, at).trim();
    const role = line
      .slice(at + 1)
      .trim()
      .toLowerCase();
    if (at <= 0 || !group) return { mapping, problem: `Line ${i + 1}: write group = role` };
    if (!isRole(role)) return { mapping, problem: `Line ${i + 1}: ${role || 'nothing'} is not a role` };
    mapping.push({ group, role: role as Role });
  }
  return { mapping };
}
