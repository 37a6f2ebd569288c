import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EnvBadge } from '../../components/cloud-badge.tsx';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { dolly, unwrap } from '../../lib/api-client.ts';
import { type ClusterDetail, inventoryQueryKey } from '../../lib/clusters.ts';
import { usePermission } from '../../lib/session-context.ts';

const sources: Record<string, string> = {
  manual: 'set by hand',
  label: 'from the cluster labels',
  account: "from the account's default",
};

/** The cluster's environment decides the clone policies; operators can set it by hand. */
export function EnvironmentEditor({ cluster }: { cluster: ClusterDetail }) {
  const allowed = usePermission('setEnvironment');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(cluster.environment ?? '');
  const save = useMutation({
    mutationFn: (environment: string | null) =>
      unwrap(
        dolly.PATCH('/api/v1/clusters/{id}', { params: { path: { id: cluster.id } }, body: { environment } }),
      ),
    onSuccess: () => {
      setEditing(false);
      void client.invalidateQueries({ queryKey: ['cluster', cluster.id] });
      void client.invalidateQueries({ queryKey: inventoryQueryKey });
    },
  });
  if (!editing)
    return (
      <span className="inline-field">
        <EnvBadge env={cluster.environment} />
        {cluster.environmentSource && (
          <span className="muted small">
            {sources[cluster.environmentSource] ?? cluster.environmentSource}
          </span>
        )}
        <ActionButton permission={allowed} compact className="link" onClick={() => setEditing(true)}>
          Change
        </ActionButton>
      </span>
    );
  return (
    <form
      className="inline-field"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(value.trim() || null);
      }}
    >
      <label>
        <span className="visually-hidden">Environment</span>
        <input list="known-environments" value={value} onChange={(e) => setValue(e.target.value)} size={10} />
      </label>
      <datalist id="known-environments">
        <option value="prod" />
        <option value="staging" />
        <option value="dev" />
        <option value="test" />
      </datalist>
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      <button type="button" className="secondary" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <ProblemAlert error={save.error} />
    </form>
  );
}
