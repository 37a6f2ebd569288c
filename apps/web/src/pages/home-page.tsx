import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { CloudBadge } from '../components/cloud-badge.tsx';
import { ActionButton } from '../components/disabled-reason.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { StatusTag } from '../components/status-badge.tsx';
import { permission } from '../lib/abilities.ts';
import { type CloudId, useInventory } from '../lib/clusters.ts';
import { formatRelative } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { fetchRuns, startSelftest } from '../lib/runs.ts';
import type { SessionInfo } from '../lib/session.ts';

export function HomePage({ session }: { session: SessionInfo }) {
  usePageTitle('Overview');
  return (
    <section aria-labelledby="overview-heading">
      <h1 id="overview-heading">Overview</h1>
      <p>
        Signed in as <strong>{session.user.name}</strong> ({session.role}) in tenant{' '}
        <strong>{session.tenant.name}</strong>.
      </p>
      <div className="overview-grid">
        <FleetCard session={session} />
        <RecentRunsCard />
        <SelftestCard session={session} />
      </div>
    </section>
  );
}

function FleetCard({ session }: { session: SessionInfo }) {
  const inventory = useInventory();
  const clusters = inventory.data ?? [];
  const byCloud = new Map<CloudId, number>();
  for (const c of clusters) byCloud.set(c.cloud, (byCloud.get(c.cloud) ?? 0) + 1);
  const prod = clusters.filter((c) => c.environment === 'prod').length;
  const canClone = permission(session.role, 'clone');
  return (
    <div className="card">
      <h2>Fleet</h2>
      <ProblemAlert error={inventory.error} />
      {inventory.isPending && <p className="muted">Loading the fleet…</p>}
      <p hidden={inventory.isPending}>
        <strong>{clusters.length}</strong> clusters,{' '}
        <strong>{clusters.reduce((n, c) => n + c.nodes, 0)}</strong> nodes, {prod} in prod.
      </p>
      <ul className="inline-list">
        {[...byCloud].map(([cloud, n]) => (
          <li key={cloud}>
            <CloudBadge cloud={cloud} /> {n}
          </li>
        ))}
      </ul>
      <p className="toolbar">
        <Link to="/inventory">Open the inventory</Link>
        {canClone.allowed && <Link to="/clone">Clone clusters</Link>}
      </p>
    </div>
  );
}

function RecentRunsCard() {
  const runs = useQuery({
    queryKey: ['runs', 'recent'],
    queryFn: () => fetchRuns({}, undefined, 5),
    refetchInterval: 10_000,
  });
  return (
    <div className="card">
      <h2>Recent runs</h2>
      {runs.isPending && <p className="muted">Loading runs…</p>}
      {runs.error ? (
        <p className="muted">Runs cannot be listed right now.</p>
      ) : (
        <ul className="recent-runs">
          {(runs.data?.items ?? []).map((r) => (
            <li key={r.id}>
              <StatusTag status={r.status} /> <Link to={`/runs/${r.id}`}>{r.title || r.kind}</Link>{' '}
              <span className="muted small">{formatRelative(r.createdAt)}</span>
            </li>
          ))}
          {runs.data?.items.length === 0 && <li className="muted">No run yet.</li>}
        </ul>
      )}
      <Link to="/runs">All runs</Link>
    </div>
  );
}

function SelftestCard({ session }: { session: SessionInfo }) {
  const navigate = useNavigate();
  const selftest = useMutation({
    mutationFn: startSelftest,
    onSuccess: (run) => navigate(`/runs/${run.id}`),
  });
  return (
    <div className="card">
      <h2>Installation self-test</h2>
      <p>
        Runs a job through the queue and a worker, writes to the database and streams its progress back here.
      </p>
      <ActionButton
        permission={permission(session.role, 'startRun')}
        busy={selftest.isPending}
        onClick={() => selftest.mutate()}
      >
        Run self-test
      </ActionButton>
      <ProblemAlert error={selftest.error} />
    </div>
  );
}
