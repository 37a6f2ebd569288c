import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { dolly, unwrap } from '../../lib/api-client.ts';
import type { ClusterDetail } from '../../lib/clusters.ts';
import { downloadText, formatDateTime } from '../../lib/format.ts';
import { useCurrentSession, usePermission } from '../../lib/session-context.ts';
import { migratePermission } from '../migrate/migrate-state.ts';

/**
 * "Clone…" and "Migrate namespaces…" open their wizards with this cluster as the source;
 * "Kubeconfig" downloads credentials.
 */
export function ClusterActions({ cluster }: { cluster: ClusterDetail }) {
  const navigate = useNavigate();
  const canClone = usePermission('clone');
  const canMigrate = migratePermission(useCurrentSession().role);
  const canKubeconfig = usePermission('downloadKubeconfig');
  const kubeconfig = useMutation({
    mutationFn: () =>
      unwrap(dolly.GET('/api/v1/clusters/{id}/kubeconfig', { params: { path: { id: cluster.id } } })),
    onSuccess: (k) => downloadText(`${cluster.name}.kubeconfig.yaml`, k.kubeconfig, 'application/yaml'),
  });
  return (
    <div className="toolbar">
      <ActionButton permission={canClone} onClick={() => navigate(`/clone?source=${cluster.id}`)}>
        Clone…
      </ActionButton>
      <ActionButton
        permission={canMigrate}
        className="secondary"
        onClick={() => navigate(`/migrate?source=${cluster.id}`)}
      >
        Migrate namespaces…
      </ActionButton>
      <ActionButton
        permission={canKubeconfig}
        busy={kubeconfig.isPending}
        className="secondary"
        onClick={() => kubeconfig.mutate()}
      >
        Kubeconfig
      </ActionButton>
      {kubeconfig.data && (
        <span className="muted" role="status">
          Downloaded {cluster.name}.kubeconfig.yaml
          {kubeconfig.data.expiresAt
            ? `; its token expires ${formatDateTime(kubeconfig.data.expiresAt)}`
            : ''}
          .
        </span>
      )}
      <ProblemAlert error={kubeconfig.error} />
    </div>
  );
}
