import { runKinds, runStatuses } from '@dolly/contracts';
import type { RunListFilters } from '../../lib/runs.ts';

const statuses = Object.keys(runStatuses);

/** kind, status and planId from the URL; unknown values are ignored rather than sent to the API. */
export function parseRunFilters(params: URLSearchParams): RunListFilters {
  const kind = params.get('kind');
  const status = params.get('status');
  const planId = params.get('planId');
  return {
    ...((runKinds as readonly string[]).includes(kind ?? '') ? { kind: kind as RunListFilters['kind'] } : {}),
    ...(statuses.includes(status ?? '') ? { status: status as RunListFilters['status'] } : {}),
    ...(planId && /^[0-9a-f-]{36}$/i.test(planId) ? { planId } : {}),
  };
}

export function runFilterParams(filters: RunListFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.status) params.set('status', filters.status);
  if (filters.planId) params.set('planId', filters.planId);
  return params;
}
