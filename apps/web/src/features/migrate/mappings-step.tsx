import { useEffect, useId } from 'react';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { MapRowsEditor } from './map-rows-editor.tsx';
import type { Role } from '@dolly/authz';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { type MapField, type MigrateState, sourceWritePermission } from './migrate-state.ts';

interface Props {
  state: MigrateState;
  onChange: (patch: Partial<MigrateState>) => void;
  role: Role;
  source: ClusterSummary | undefined;
}

const maps: Record<MapField, { legend: string; hint: string; key: string; value: string }> = {
  storageClassMap: {
    legend: 'Storage class map',
    hint: 'Source storage class → target class.',
    key: 'Source class',
    value: 'Target class',
  },
  registryMap: {
    legend: 'Registry prefix map',
    hint: 'Image registry prefix → replacement, matched on "/" boundaries.',
    key: 'Source prefix',
    value: 'Target prefix',
  },
  nodePoolMap: {
    legend: 'Node pool map',
    hint: 'Source node pool → target pool, for node selectors and affinities.',
    key: 'Source pool',
    value: 'Target pool',
  },
  identityMap: {
    legend: 'Identity map',
    hint: 'ServiceAccount (namespace/name or name) → IAM role ARN, managed identity client id or Google service account.',
    key: 'ServiceAccount',
    value: 'Cloud identity',
  },
};

/** Step 3: what changes on the way (maps) and how the copy runs (volumes, cutover, limits). */
export function MappingsStep({ state, onChange, role, source }: Props) {
  const cutoverId = useId();
  const copyId = useId();
  // Both write into the source: disabled where the API would refuse them (a prod source, below operator).
  const copyAllowed = sourceWritePermission(role, source, { copyVolumes: true });
  const cutoverAllowed = sourceWritePermission(role, source, { cutover: true });
  const cutoverReason = !cutoverAllowed.allowed
    ? cutoverAllowed.reason
    : !state.copyVolumes
      ? 'Cutover needs copy volumes'
      : undefined;
  // Copying volumes is on by default; from a source it may not write into, it starts off (and the
  // reason shows) instead of blocking the step.
  const mustClear = (!copyAllowed.allowed && state.copyVolumes) || (!cutoverAllowed.allowed && state.cutover);
  useEffect(() => {
    if (mustClear)
      onChange({
        ...(copyAllowed.allowed ? {} : { copyVolumes: false }),
        ...(cutoverAllowed.allowed ? {} : { cutover: false }),
      });
  }, [mustClear, copyAllowed.allowed, cutoverAllowed.allowed, onChange]);
  return (
    <div className="wizard-step">
      {(Object.keys(maps) as MapField[]).map((field) => (
        <MapRowsEditor
          key={field}
          legend={maps[field].legend}
          hint={maps[field].hint}
          keyLabel={maps[field].key}
          valueLabel={maps[field].value}
          rows={state.maps[field]}
          onChange={(rows) => onChange({ maps: { ...state.maps, [field]: rows } })}
        />
      ))}
      <fieldset>
        <legend>Copy</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={state.copyVolumes}
            disabled={!copyAllowed.allowed}
            aria-describedby={copyAllowed.allowed ? undefined : copyId}
            onChange={(e) =>
              onChange({ copyVolumes: e.target.checked, ...(e.target.checked ? {} : { cutover: false }) })
            }
          />
          Copy volumes (each PVC's files)
        </label>
        {!copyAllowed.allowed && <DisabledReason id={copyId} reason={copyAllowed.reason} />}
        <div className="migrate-option">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={state.cutover}
              disabled={cutoverReason !== undefined}
              aria-describedby={cutoverReason ? cutoverId : undefined}
              onChange={(e) => onChange({ cutover: e.target.checked })}
            />
            Cutover: scale the source down, copy the final state, start the target
          </label>
          {cutoverReason && <DisabledReason id={cutoverId} reason={cutoverReason} />}
        </div>
        <div className="field-row">
          <label>
            Bandwidth limit (MiB/s) <span className="muted small">(empty: no cap)</span>
            <input
              type="number"
              min={0}
              step="any"
              inputMode="decimal"
              value={state.bandwidthMiB}
              onChange={(e) => onChange({ bandwidthMiB: e.target.value })}
            />
          </label>
          <label>
            Ready timeout (seconds)
            <input
              type="number"
              min={1}
              max={86400}
              step={1}
              value={state.readyTimeoutSec}
              onChange={(e) => onChange({ readyTimeoutSec: e.target.value })}
            />
          </label>
        </div>
      </fieldset>
    </div>
  );
}
