import type { ResponseBody } from '@dolly/api-client';
import { isTerminalStatus, runStatuses } from '@dolly/contracts';
import { useQuery } from '@tanstack/react-query';
import { dolly, type Schemas, unwrap } from './api-client.ts';

export type Run = Schemas['Run'];
export type RunKind = Run['kind'];
export type RunStatus = Run['status'];
export { isTerminalStatus };

export function statusInfo(status: RunStatus) {
  return runStatuses[status];
}

export const runQueryKey = (runId: string) => ['run', runId] as const;

export async function fetchRun(runId: string): Promise<Run> {
  return unwrap(dolly.GET('/api/v1/runs/{id}', { params: { path: { id: runId } } }));
}

/** One run; while it is not finished it is re-read now and then in case the live stream stalls. */
export function useRun(runId: string, options: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: runQueryKey(runId),
    queryFn: () => fetchRun(runId),
    refetchInterval: (query) =>
      options.poll && query.state.data && !isTerminalStatus(query.state.data.status) ? 2000 : false,
  });
}

export interface RunListFilters {
  kind?: RunKind;
  status?: RunStatus;
  planId?: string;
}
export type RunPage = ResponseBody<'/api/v1/runs', 'get'>;

export async function fetchRuns(filters: RunListFilters, cursor?: string, limit = 50): Promise<RunPage> {
  const page = await unwrap(
    dolly.GET('/api/v1/runs', {
      params: {
        query: {
          limit,
          ...(filters.kind ? { kind: filters.kind } : {}),
          ...(filters.status ? { status: filters.status } : {}),
          ...(filters.planId ? { planId: filters.planId } : {}),
          ...(cursor ? { cursor } : {}),
        },
      },
    }),
  );
  return { items: page.items, nextCursor: page.nextCursor };
}

export type RunCommand = 'cancel' | 'retry' | 'rollback' | 'approve' | 'reject';

/**
 * Cancel, approve and reject answer the same run; retry and rollback answer the NEW run. Those
 * two carry an Idempotency-Key so a repeated click returns the run the first one started.
 */
export async function runCommand(runId: string, command: RunCommand, idempotencyKey: string): Promise<Run> {
  const path = { id: runId };
  switch (command) {
    case 'cancel':
      return unwrap(dolly.POST('/api/v1/runs/{id}/cancel', { params: { path }, body: {} }));
    case 'approve':
      return unwrap(dolly.POST('/api/v1/runs/{id}/approve', { params: { path }, body: {} }));
    case 'reject':
      return unwrap(dolly.POST('/api/v1/runs/{id}/reject', { params: { path }, body: {} }));
    case 'retry':
      return unwrap(
        dolly.POST('/api/v1/runs/{id}/retry', {
          params: { path, header: { 'idempotency-key': idempotencyKey } },
        }),
      );
    case 'rollback':
      return unwrap(
        dolly.POST('/api/v1/runs/{id}/rollback', {
          params: { path, header: { 'idempotency-key': idempotencyKey } },
        }),
      );
  }
}

export async function startSelftest(): Promise<Run> {
  return unwrap(dolly.POST('/api/v1/selftest', { body: {} }));
}

export async function startInventorySync(accountIds?: string[]): Promise<Run> {
  return unwrap(
    dolly.POST('/api/v1/inventory/sync', {
      params: { header: { 'idempotency-key': crypto.randomUUID() } },
      body: accountIds ? { accountIds } : {},
    }),
  );
}

export type DurationStatsItem = ResponseBody<'/api/v1/runs/stats/durations', 'get'>['items'][number];

/** Step durations per target cloud and operation, computed by the API from the tenant's finished clones. */
export async function fetchDurationStats(last = 200): Promise<{ runs: number; items: DurationStatsItem[] }> {
  return unwrap(dolly.GET('/api/v1/runs/stats/durations', { params: { query: { last } } }));
}
