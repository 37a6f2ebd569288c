import { describe, expect, it } from 'vitest';
import { groupsFromClaims, roleForGroups } from './role-mapping.ts';

const mapping = [
  { group: 'dolly-viewers', role: 'viewer' as const },
  { group: 'dolly-admins', role: 'admin' as const },
  { group: 'dolly-ops', role: 'operator' as const },
];

describe('roleForGroups', () => {
  it.each([
    [['dolly-ops'], null, 'operator'],
    [['dolly-viewers', 'dolly-admins', 'dolly-ops'], null, 'admin'],
    [['unrelated'], 'viewer', 'viewer'],
    [['unrelated'], null, null],
    [[], 'developer', 'developer'],
  ] as const)('groups %j with default %s give %s', (groups, fallback, expected) => {
    expect(roleForGroups(groups, mapping, fallback)).toBe(expected);
  });
});

describe('groupsFromClaims', () => {
  it('reads an array, a single string, and nothing', () => {
    expect(groupsFromClaims({ groups: ['a', 3, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFromClaims({ roles: 'a' }, 'roles')).toEqual(['a']);
    expect(groupsFromClaims({}, 'groups')).toEqual([]);
  });
});
