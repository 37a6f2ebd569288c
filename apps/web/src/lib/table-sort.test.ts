import { describe, expect, it } from 'vitest';
import { formatSort, nextSort, parseSort, sortBy } from './table-sort.ts';

describe('table sorting', () => {
  it('round-trips the sort through the URL form', () => {
    expect(parseSort('-nodes')).toEqual({ key: 'nodes', direction: 'desc' });
    expect(formatSort(parseSort('name'))).toBe('name');
    expect(parseSort('')).toBeUndefined();
  });
  it('toggles ascending then descending on the same column', () => {
    expect(nextSort(undefined, 'name')).toEqual({ key: 'name', direction: 'asc' });
    expect(nextSort({ key: 'name', direction: 'asc' }, 'name')).toEqual({ key: 'name', direction: 'desc' });
    expect(nextSort({ key: 'name', direction: 'desc' }, 'nodes')).toEqual({ key: 'nodes', direction: 'asc' });
  });
  it('sorts numbers and names naturally, empty values last in both directions', () => {
    const rows = [{ v: 'node-10' }, { v: '' }, { v: 'node-9' }, { v: 'Node-1' }];
    expect(sortBy(rows, (r) => r.v, 'asc').map((r) => r.v)).toEqual(['Node-1', 'node-9', 'node-10', '']);
    expect(sortBy(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual(['node-10', 'node-9', 'Node-1', '']);
    expect(sortBy([{ n: 3 }, { n: 12 }, { n: 1 }], (r) => r.n, 'asc').map((r) => r.n)).toEqual([1, 3, 12]);
  });
});
