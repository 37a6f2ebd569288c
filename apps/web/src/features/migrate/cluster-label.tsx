import { CloudBadge, EnvBadge } from '../../components/cloud-badge.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';

/** A cluster in one line: name, cloud, where it lives and its environment. */
export function ClusterLabel({ cluster }: { cluster: ClusterSummary }) {
  return (
    <>
      <strong>{cluster.name}</strong> <CloudBadge cloud={cluster.cloud} />{' '}
      <span className="muted small">
        {cluster.accountName} · {cluster.scope} · {cluster.location}
      </span>{' '}
      <EnvBadge env={cluster.environment} />
    </>
  );
}

/** The same in plain text, for <option>s. */
export function clusterOptionText(c: ClusterSummary): string {
  return `${c.name} (${c.cloud.toUpperCase()} ${c.scope}, ${c.location}${c.environment ? `, ${c.environment}` : ''})`;
}
