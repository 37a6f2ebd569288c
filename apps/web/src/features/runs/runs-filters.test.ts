import { describe, expect, it } from 'vitest';
import { parseRunFilters, runFilterParams } from './runs-filters.ts';

describe('run list filters in the URL', () => {
  it('round-trips kind, status and plan', () => {
    const query = 'kind=clone&status=failed&planId=0b5e3a47-2f7c-4d0b-9a51-1c2d3e4f5a6b';
    const filters = parseRunFilters(new URLSearchParams(query));
    expect(filters).toEqual({
      kind: 'clone',
      status: 'failed',
      planId: '0b5e3a47-2f7c-4d0b-9a51-1c2d3e4f5a6b',
    });
    expect(runFilterParams(filters).toString()).toBe(query);
  });
  it('drops values the API would refuse', () => {
    expect(parseRunFilters(new URLSearchParams('kind=deploy&status=done&planId=x'))).toEqual({});
  });
});
