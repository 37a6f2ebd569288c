import { runKinds, runStatuses } from '@dolly/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { type Column, DataTable } from '../../components/data-table.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StatusTag } from '../../components/status-badge.tsx';
import { elapsedMs, formatDateTime, formatDuration, formatRelative } from '../../lib/format.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import { fetchRuns, type Run, type RunListFilters } from '../../lib/runs.ts';
import { DurationChart } from './duration-chart.tsx';
import { SelectField } from '../../components/select-field.tsx';
import { parseRunFilters, runFilterParams } from './runs-filters.ts';

const columns: Column<Run>[] = [
  { key: 'status', header: 'Status', cell: (r) => <StatusTag status={r.status} /> },
  {
    key: 'title',
    header: 'Run',
    cell: (r) => <Link to={`/runs/${r.id}`}>{r.title || `${r.kind} ${r.id.slice(0, 8)}`}</Link>,
  },
  { key: 'kind', header: 'Kind', cell: (r) => r.kind },
  { key: 'requestedBy', header: 'Requested by', cell: (r) => r.requestedBy ?? '—' },
  {
    key: 'created',
    header: 'Created',
    cell: (r) => (
      <time dateTime={r.createdAt} title={formatDateTime(r.createdAt)}>
        {formatRelative(r.createdAt)}
      </time>
    ),
  },
  {
    key: 'duration',
    header: 'Duration',
    align: 'end',
    cell: (r) => {
      const ms = elapsedMs(r.startedAt, r.finishedAt);
      return ms === undefined ? '—' : formatDuration(ms);
    },
  },
];

export function RunsPage() {
  usePageTitle('Runs');
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseRunFilters(params), [params]);
  const update = (patch: Partial<RunListFilters>) =>
    setParams(runFilterParams({ ...filters, ...patch }), { replace: true });
  const runs = useInfiniteQuery({
    queryKey: ['runs', 'list', filters],
    queryFn: ({ pageParam }) => fetchRuns(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5000,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  return (
    <section aria-labelledby="runs-heading">
      <h1 id="runs-heading">Runs</h1>
      <search className="filters" aria-label="Filter runs">
        <SelectField
          label={'Kind'}
          value={filters.kind ?? ''}
          onChange={(e) => update({ kind: (e.target.value || undefined) as RunListFilters['kind'] })}
        >
          <option value="">All</option>
          {runKinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={'Status'}
          value={filters.status ?? ''}
          onChange={(e) => update({ status: (e.target.value || undefined) as RunListFilters['status'] })}
        >
          <option value="">All</option>
          {Object.entries(runStatuses).map(([key, info]) => (
            <option key={key} value={key}>
              {info.label}
            </option>
          ))}
        </SelectField>
        {filters.planId && (
          <span className="chips">
            <code>plan {filters.planId.slice(0, 8)}</code>
            <button
              type="button"
              className="chip-remove"
              aria-label="Show runs of every plan"
              onClick={() => update({ planId: undefined })}
            >
              ×
            </button>
          </span>
        )}
      </search>
      <ProblemAlert error={runs.error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        caption="Runs, newest first"
        empty={runs.isPending ? 'Loading runs…' : 'No run matches these filters'}
        rowProps={(r) => ({ 'data-run': r.id })}
      />
      {runs.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={runs.isFetchingNextPage}
          onClick={() => void runs.fetchNextPage()}
        >
          {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
      <section aria-labelledby="durations-heading" className="card">
        <h2 id="durations-heading">Clone durations</h2>
        <DurationChart />
      </section>
    </section>
  );
}
