import type { NodePoolSpec } from '@dolly/model';
import { Link, useParams } from 'react-router';
import { CloudBadge } from '../../components/cloud-badge.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { type ClusterDetail, useCluster } from '../../lib/clusters.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import { ClusterActions } from './cluster-actions.tsx';
import { DriftSection } from './drift-section.tsx';
import { EnvironmentEditor } from './environment-editor.tsx';

export function ClusterPage() {
  const { clusterId = '' } = useParams();
  const cluster = useCluster(clusterId);
  usePageTitle(cluster.data?.name ?? 'Cluster');
  if (cluster.isPending) return <p role="status">Loading cluster…</p>;
  if (cluster.error) return <ProblemAlert error={cluster.error} />;
  const c = cluster.data;
  return (
    <section aria-labelledby="cluster-heading">
      <p className="breadcrumbs">
        <Link to="/inventory">Inventory</Link> / {c.name}
      </p>
      <div className="page-head">
        <h1 id="cluster-heading">
          {c.name} <CloudBadge cloud={c.cloud} />
        </h1>
        <ClusterActions cluster={c} />
      </div>
      <ClusterFacts cluster={c} />
      <NodePools cluster={c} />
      <DriftSection clusterId={c.id} />
    </section>
  );
}

function ClusterFacts({ cluster: c }: { cluster: ClusterDetail }) {
  return (
    <dl className="facts card">
      <dt>Account</dt>
      <dd>
        {c.accountName} <span className="muted">({c.scope})</span>
      </dd>
      <dt>Location</dt>
      <dd>{c.location}</dd>
      <dt>Environment</dt>
      <dd>
        <EnvironmentEditor cluster={c} />
      </dd>
      <dt>Kubernetes</dt>
      <dd>{c.kubernetesVersion}</dd>
      <dt>Cloud status</dt>
      <dd>{c.status ?? '—'}</dd>
      <dt>Nodes</dt>
      <dd>
        {c.nodes} in {c.pools} pools
      </dd>
      <dt>Last seen</dt>
      <dd>
        <time dateTime={c.lastSeenAt} title={formatDateTime(c.lastSeenAt)}>
          {formatRelative(c.lastSeenAt)}
        </time>
        {c.vanishedAt && (
          <strong className="error"> · gone from the cloud since {formatDateTime(c.vanishedAt)}</strong>
        )}
      </dd>
      <dt>Labels</dt>
      <dd>
        {Object.keys(c.labels).length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="chips">
            {Object.entries(c.labels).map(([k, v]) => (
              <li key={k}>
                <code>
                  {k}={v}
                </code>
              </li>
            ))}
          </ul>
        )}
      </dd>
    </dl>
  );
}

function poolSpec(spec: unknown): Partial<NodePoolSpec> {
  return spec && typeof spec === 'object' ? (spec as Partial<NodePoolSpec>) : {};
}

function NodePools({ cluster }: { cluster: ClusterDetail }) {
  return (
    <section aria-labelledby="pools-heading">
      <h2 id="pools-heading">Node pools</h2>
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Machine type</th>
              <th scope="col" className="num">
                Nodes
              </th>
              <th scope="col">Autoscaling</th>
              <th scope="col">Capacity</th>
              <th scope="col">Zones</th>
              <th scope="col">Labels and taints</th>
            </tr>
          </thead>
          <tbody>
            {cluster.nodePools.map((p) => {
              const spec = poolSpec(p.spec);
              return (
                <tr key={p.id} data-pool={p.name}>
                  <td>
                    {p.name}
                    {spec.mode === 'system' && <span className="muted small"> (system)</span>}
                  </td>
                  <td>
                    <code>{p.machineType}</code>
                    {spec.arch === 'arm64' && <span className="muted small"> arm64</span>}
                  </td>
                  <td className="num">{p.nodeCount}</td>
                  <td>
                    {spec.autoscaling ? `${spec.autoscaling.minNodes}–${spec.autoscaling.maxNodes}` : 'off'}
                  </td>
                  <td>{spec.spot ? 'Spot' : 'On-demand'}</td>
                  <td>{spec.zones?.join(', ') ?? '—'}</td>
                  <td className="small">
                    {Object.entries(spec.labels ?? {}).map(([k, v]) => (
                      <div key={k}>
                        <code>
                          {k}={v}
                        </code>
                      </div>
                    ))}
                    {(spec.taints ?? []).map((t) => (
                      <div key={`${t.key}:${t.effect}`}>
                        <code>
                          {t.key}
                          {t.value ? `=${t.value}` : ''}:{t.effect}
                        </code>{' '}
                        <span className="muted">taint</span>
                      </div>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
