import { describe, expect, it } from 'vitest';
import {
  auditApiQuery,
  auditExportUrl,
  auditFiltersFromSearch,
  auditFiltersToSearch,
  dateRangeError,
  emptyAuditFilters,
} from './audit-filters.ts';

describe('audit filters in the URL', () => {
  it('round-trip through the query string', () => {
    const filters = {
      ...emptyAuditFilters,
      actor: 'admin@demo.dolly',
      action: 'token.',
      outcome: 'denied' as const,
      from: '2025-01-02',
      to: '2025-01-31',
      before: '1234',
    };
    const search = auditFiltersToSearch(filters);
    expect(search.toString()).toBe(
      'actor=admin%40demo.dolly&action=token.&outcome=denied&from=2025-01-02&to=2025-01-31&before=1234',
    );
    expect(auditFiltersFromSearch(search)).toEqual(filters);
  });

  it('leave out unset filters and ignore malformed ones', () => {
    expect(auditFiltersToSearch(emptyAuditFilters).toString()).toBe('');
    expect(
      auditFiltersFromSearch(new URLSearchParams('outcome=maybe&from=yesterday&before=abc&actor=%20x%20')),
    ).toEqual({
      ...emptyAuditFilters,
      actor: 'x',
    });
  });
});

describe('audit API query', () => {
  it('turns local days into an inclusive instant range', () => {
    const query = auditApiQuery({ ...emptyAuditFilters, from: '2025-01-02', to: '2025-01-02' });
    expect(query.since).toBe(new Date(2025, 0, 2).toISOString());
    expect(query.until).toBe(new Date(new Date(2025, 0, 3).getTime() - 1).toISOString());
    expect(query.limit).toBe(50);
  });

  it('passes the cursor as a number and the text filters trimmed', () => {
    expect(auditApiQuery({ ...emptyAuditFilters, action: ' member ', before: '77' }, 10)).toEqual({
      limit: 10,
      action: 'member',
      before: 77,
    });
  });

  it('exports with the filters but without paging', () => {
    expect(auditExportUrl({ ...emptyAuditFilters, outcome: 'failed', before: '9' })).toBe(
      '/api/v1/audit/export?outcome=failed',
    );
    expect(auditExportUrl(emptyAuditFilters)).toBe('/api/v1/audit/export');
  });

  it('refuses a reversed range', () => {
    expect(dateRangeError({ ...emptyAuditFilters, from: '2025-02-01', to: '2025-01-01' })).toBeDefined();
    expect(dateRangeError({ ...emptyAuditFilters, from: '2025-01-01', to: '2025-01-01' })).toBeUndefined();
  });
});
