import { Link } from 'react-router';
import { CloudBadge, EnvBadge } from '../../components/cloud-badge.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { groupByRegion } from './region-groups.ts';

/** The fleet grouped by geography and region: where clusters run, across clouds. */
export function RegionView({ clusters }: { clusters: readonly ClusterSummary[] }) {
  const groups = groupByRegion(clusters);
  if (groups.length === 0) return <p className="muted">No cluster matches these filters.</p>;
  return (
    <div className="region-view">
      {groups.map((g) => (
        <section key={g.area} className="card" aria-labelledby={`area-${g.area}`}>
          <h2 id={`area-${g.area}`}>
            {g.area} <span className="muted small">{g.clusters} clusters</span>
          </h2>
          <ul className="regions">
            {g.regions.map((r) => (
              <li key={`${r.cloud}:${r.region}`}>
                <h3>
                  <CloudBadge cloud={r.cloud} /> {r.region}{' '}
                  <span className="muted small">
                    {r.clusters.length} clusters · {r.nodes} nodes
                  </span>
                </h3>
                <ul className="region-clusters">
                  {r.clusters.map((c) => (
                    <li key={c.id}>
                      <Link to={`/clusters/${c.id}`}>{c.name}</Link> <EnvBadge env={c.environment} />{' '}
                      <span className="muted small">
                        {c.location !== r.region ? `${c.location} · ` : ''}
                        {c.nodes} nodes
                      </span>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
