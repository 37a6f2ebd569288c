import type { paths } from '@dolly/api-client';

export type AuditOutcome = 'success' | 'denied' | 'failed';
export type AuditQuery = NonNullable<paths['/api/v1/audit']['get']['parameters']['query']>;

/** The audit page's filters, exactly as they sit in the URL so a filtered view can be shared. */
export interface AuditFilters {
  actor: string;
  action: string;
  outcome: AuditOutcome | '';
  /** first day shown, yyyy-mm-dd, local time */
  from: string;
  /** last day shown, yyyy-mm-dd, local time, inclusive */
  to: string;
  /** paging cursor: entries older than this id */
  before: string;
}

export const emptyAuditFilters: AuditFilters = {
  actor: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
  before: '',
};
export const auditPageSize = 50;

const outcomes: readonly string[] = ['success', 'denied', 'failed'];
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

export function auditFiltersFromSearch(search: URLSearchParams): AuditFilters {
  const get = (key: string) => search.get(key)?.trim() ?? '';
  const outcome = get('outcome');
  const before = get('before');
  return {
    actor: get('actor'),
    action: get('action'),
    outcome: outcomes.includes(outcome) ? (outcome as AuditOutcome) : '',
    from: isDay(get('from')) ? get('from') : '',
    to: isDay(get('to')) ? get('to') : '',
    before: /^\d+$/.test(before) ? before : '',
  };
}

/** Only the filters that are set go into the URL, in a stable order. */
export function auditFiltersToSearch(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ['actor', 'action', 'outcome', 'from', 'to', 'before'] as const) {
    const value = filters[key].trim();
    if (value) search.set(key, value);
  }
  return search;
}

function startOfDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

/** The API's query: local days become an inclusive instant range. */
export function auditApiQuery(filters: AuditFilters, limit = auditPageSize): AuditQuery {
  const query: AuditQuery = { limit };
  if (filters.actor.trim()) query.actor = filters.actor.trim();
  if (filters.action.trim()) query.action = filters.action.trim();
  if (filters.outcome) query.outcome = filters.outcome;
  if (filters.from) query.since = startOfDay(filters.from).toISOString();
  if (filters.to) {
    const end = startOfDay(filters.to);
    end.setDate(end.getDate() + 1);
    query.until = new Date(end.getTime() - 1).toISOString();
  }
  // Audit ids are bigints on the server; ids stay far below 2^53 so a number is exact.
  if (filters.before) query.before = Number(filters.before);
  return query;
}

/** GET /api/v1/audit/export with the same filters (all pages, so no cursor and no limit). */
export function auditExportUrl(filters: AuditFilters): string {
  const { limit: _limit, before: _before, ...query } = auditApiQuery(filters);
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const text = search.toString();
  return `/api/v1/audit/export${text ? `?${text}` : ''}`;
}

export function dateRangeError(filters: AuditFilters): string | undefined {
  if (filters.from && filters.to && filters.from > filters.to) return 'The first day is after the last day';
  return undefined;
}
