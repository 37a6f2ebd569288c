import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { dolly, unwrap } from '../../lib/api-client.ts';
import { inventoryQueryKey } from '../../lib/clusters.ts';
import { usePermission } from '../../lib/session-context.ts';

/**
 * "Import cluster": an operator pastes a kubeconfig (on-prem, EKS Anywhere, k3s). The API tests
 * it before storing anything and refuses exec plugins, auth-providers and skipped TLS checks,
 * naming the field; the credential is sealed and never shown again.
 */
export function ImportClusterButton({ onClick }: { onClick: () => void }) {
  const allowed = usePermission('importCluster');
  return (
    <ActionButton permission={allowed} className="secondary" onClick={onClick}>
      Import cluster
    </ActionButton>
  );
}

export function ImportClusterForm({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [kubeconfig, setKubeconfig] = useState('');
  const [context, setContext] = useState('');
  const [environment, setEnvironment] = useState('dev');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        dolly.POST('/api/v1/clusters/import', {
          body: {
            name: name.trim(),
            kubeconfig,
            ...(context.trim() ? { context: context.trim() } : {}),
            ...(environment.trim() ? { environment: environment.trim() } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      setKubeconfig('');
      await client.invalidateQueries({ queryKey: inventoryQueryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="card import-cluster" onSubmit={submit} aria-label="Import cluster">
      <h2>Import a cluster by kubeconfig</h2>
      <p className="muted">
        Dolly keeps only the server, its CA and a token or client certificate, encrypted; it never runs exec
        plugins or auth-providers and never skips TLS verification. Imported clusters can be migrated, not
        cloned.
      </p>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
      </label>
      <label>
        Kubeconfig
        <textarea
          value={kubeconfig}
          onChange={(e) => setKubeconfig(e.target.value)}
          rows={8}
          required
          spellCheck={false}
          autoComplete="off"
        />
      </label>
      <label>
        Context <span className="muted">(optional; default the current one)</span>
        <input value={context} onChange={(e) => setContext(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Environment <span className="muted">(none is treated as prod)</span>
        <input value={environment} onChange={(e) => setEnvironment(e.target.value)} autoComplete="off" />
      </label>
      <ProblemAlert error={save.error} />
      {save.data && (
        <p role="status">
          Imported <Link to={`/clusters/${save.data.clusterId}`}>{save.data.name}</Link> (Kubernetes{' '}
          {save.data.kubernetesVersion}, {save.data.nodes} nodes); the credential is stored encrypted.
        </p>
      )}
      <div className="st-form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Testing the connection…' : 'Test and import'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
