import { Link } from 'react-router';
import { CloudBadge, EnvBadge } from '../../components/cloud-badge.tsx';
import { type Column, DataTable } from '../../components/data-table.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import type { SortState } from '../../lib/table-sort.ts';

const columns: Column<ClusterSummary>[] = [
  {
    key: 'name',
    header: 'Name',
    sortValue: (c) => c.name,
    cell: (c) => (
      <>
        <Link to={`/clusters/${c.id}`}>{c.name}</Link>
        {c.drifted && (
          // The latest check found drift: straight to the cluster page's drift section.
          <>
            {' '}
            <Link
              to={`/clusters/${c.id}?tab=drift`}
              className="badge tone-danger"
              data-drift-badge="drifted"
              aria-label={`${c.name} drifted from its source: see the drift report`}
            >
              <span aria-hidden="true">!</span> Drifted
            </Link>
          </>
        )}
      </>
    ),
  },
  { key: 'cloud', header: 'Cloud', sortValue: (c) => c.cloud, cell: (c) => <CloudBadge cloud={c.cloud} /> },
  {
    key: 'account',
    header: 'Account',
    sortValue: (c) => `${c.accountName} ${c.scope}`,
    cell: (c) => (
      <>
        {c.accountName}
        <br />
        <span className="muted small">{c.scope}</span>
      </>
    ),
  },
  { key: 'location', header: 'Location', sortValue: (c) => c.location, cell: (c) => c.location },
  {
    key: 'env',
    header: 'Env',
    sortValue: (c) => c.environment,
    cell: (c) => <EnvBadge env={c.environment} />,
  },
  {
    key: 'version',
    header: 'Version',
    sortValue: (c) => c.kubernetesVersion,
    cell: (c) => c.kubernetesVersion,
  },
  { key: 'pools', header: 'Pools', align: 'end', sortValue: (c) => c.pools, cell: (c) => c.pools },
  { key: 'nodes', header: 'Nodes', align: 'end', sortValue: (c) => c.nodes, cell: (c) => c.nodes },
  {
    key: 'lastSeen',
    header: 'Last seen',
    sortValue: (c) => c.lastSeenAt,
    cell: (c) => (
      <time dateTime={c.lastSeenAt} title={formatDateTime(c.lastSeenAt)}>
        {formatRelative(c.lastSeenAt)}
      </time>
    ),
  },
];

export function ClusterTable({
  clusters,
  sort,
  onSortChange,
}: {
  clusters: readonly ClusterSummary[];
  sort: SortState | undefined;
  onSortChange: (sort: SortState) => void;
}) {
  return (
    <DataTable
      rows={clusters}
      columns={columns}
      rowKey={(c) => c.id}
      caption="Clusters across every cloud account"
      sort={sort ?? { key: 'name', direction: 'asc' }}
      onSortChange={onSortChange}
      empty="No cluster matches these filters"
      rowProps={(c) => ({ 'data-cluster': c.name })}
    />
  );
}
