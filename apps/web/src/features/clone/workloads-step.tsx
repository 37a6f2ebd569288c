import type { Role } from '@dolly/authz';
import { useId } from 'react';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { sourceWritePermission } from '../migrate/migrate-state.ts';
import { NamespaceFields } from '../migrate/namespace-fields.tsx';
import type { WorkloadsSelection } from './wizard-state.ts';

interface Props {
  workloads: WorkloadsSelection;
  onChange: (workloads: WorkloadsSelection) => void;
  sources: readonly ClusterSummary[];
  role: Role;
}

/**
 * Optional step: migrate namespaces of the source into the clone once it exists. Apply then
 * starts one run (a clone, then a migration) that is retried and rolled back as one.
 */
export function WorkloadsStep({ workloads, onChange, sources, role }: Props) {
  const [source] = sources;
  const copyId = useId();
  // a volume copy runs mover pods in the source: refused where the API would refuse it
  const copy = sourceWritePermission(role, source, { copyVolumes: true });
  return (
    <div className="wizard-step">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={workloads.enabled}
          onChange={(e) =>
            onChange({
              ...workloads,
              enabled: e.target.checked,
              namespacesText: workloads.namespacesText || 'shop',
            })
          }
        />
        Also migrate namespaces into the clone
      </label>
      {workloads.enabled && (
        <>
          <p className="muted small">
            {sources.length === 1 && source
              ? `From ${source.name}: copied into the new cluster once it is ready.`
              : 'A clone with workloads takes exactly one source cluster.'}
          </p>
          <NamespaceFields
            namespacesText={workloads.namespacesText}
            includeSecrets={workloads.includeSecrets}
            onChange={(patch) => onChange({ ...workloads, ...patch })}
            role={role}
          />
          <div className="migrate-option">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={workloads.copyVolumes && copy.allowed}
                disabled={!copy.allowed}
                aria-describedby={copy.allowed ? undefined : copyId}
                onChange={(e) => onChange({ ...workloads, copyVolumes: e.target.checked })}
              />
              Copy volumes (each PVC's files)
            </label>
            {!copy.allowed && <DisabledReason id={copyId} reason={copy.reason} />}
          </div>
        </>
      )}
    </div>
  );
}
