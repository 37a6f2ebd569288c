import type { Role } from '@dolly/authz';
import { useId } from 'react';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { parseNamespaces, secretsPermission } from './migrate-state.ts';

interface Props {
  namespacesText: string;
  includeSecrets: boolean;
  onChange: (patch: { namespacesText?: string; includeSecrets?: boolean }) => void;
  role: Role;
}

/**
 * The namespaces to migrate (names or globs) and whether Secrets go with them: shared by the
 * migrate wizard and the clone wizard's Workloads step.
 */
export function NamespaceFields({ namespacesText, includeSecrets, onChange, role }: Props) {
  const secretsId = useId();
  const secrets = secretsPermission(role);
  const namespaces = parseNamespaces(namespacesText);
  return (
    <>
      <label>
        Namespaces <span className="muted small">(names or globs such as team-*, comma-separated)</span>
        <input
          value={namespacesText}
          placeholder="shop, team-*"
          spellCheck={false}
          onChange={(e) => onChange({ namespacesText: e.target.value })}
        />
      </label>
      <p className="muted small" role="status">
        {namespaces.length ? `Namespaces: ${namespaces.join(', ')}` : 'No namespace entered.'}
      </p>
      <div className="migrate-option">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={includeSecrets && secrets.allowed}
            disabled={!secrets.allowed}
            aria-describedby={secrets.allowed ? undefined : secretsId}
            onChange={(e) => onChange({ includeSecrets: e.target.checked })}
          />
          Include Secrets
        </label>
        {!secrets.allowed && <DisabledReason id={secretsId} reason={secrets.reason} />}
      </div>
    </>
  );
}
