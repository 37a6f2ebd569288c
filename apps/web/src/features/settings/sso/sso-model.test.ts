import { describe, expect, it } from 'vitest';
import { formatGroupRoles, parseGroupRoles } from './sso-model.ts';

describe('group mapping lines', () => {
  it('round-trips group = role lines, skipping blank ones', () => {
    const { mapping } = parseGroupRoles('dolly-admins = admin\n\n ops team = Operator ');
    expect(mapping).toEqual([
      { group: 'dolly-admins', role: 'admin' },
      { group: 'ops team', role: 'operator' },
    ]);
    expect(formatGroupRoles(mapping)).toBe('dolly-admins = admin\nops team = operator');
  });

  it('names the line that is not a mapping', () => {
    expect(parseGroupRoles('a = admin\nb = boss').problem).toBe('Line 2: boss is not a role');
    expect(parseGroupRoles('just-a-group').problem).toBe('Line 1: write group = role');
  });
});
