import type { PolicyDecision, Role } from '@dolly/authz';
import type { ClonePolicyRule } from '@dolly/authz';
import { useQuery } from '@tanstack/react-query';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import { cloudLabel } from '../../components/cloud-badge.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import type { CloudAccount, ClusterSummary } from '../../lib/clusters.ts';
import { createPlan } from '../../lib/plans.ts';
import { decideClone } from '../../lib/policies.ts';
import { SelectField } from '../../components/select-field.tsx';
import {
  type CloneOptions,
  expectedTargetName,
  type SourceSelection,
  sourceBody,
  type TargetSelection,
} from './wizard-state.ts';

interface Props {
  target: TargetSelection;
  onChange: (target: TargetSelection) => void;
  source: SourceSelection;
  options: CloneOptions;
  sources: readonly ClusterSummary[];
  accounts: readonly CloudAccount[];
  inventory: readonly ClusterSummary[];
  role: Role;
  rules: ClonePolicyRule[];
}

const baseEnvironments = ['dev', 'staging', 'prod'];

/** The environments to offer: the usual ones, the account's default, and those in the inventory. */
function environmentChoices(account: CloudAccount | undefined, inventory: readonly ClusterSummary[]) {
  const all = new Set(baseEnvironments);
  if (account?.defaultEnvironment) all.add(account.defaultEnvironment);
  for (const c of inventory) if (c.environment) all.add(c.environment);
  return [...all];
}

function scopesOf(account: CloudAccount | undefined): string[] {
  const scopes = account?.settings.scopes;
  const list = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
  return [...new Set([...(account?.scope ? [account.scope] : []), ...list])];
}

/** Step 2: where the clones go: account, scope, environment (checked against policy) and location. */
export function TargetStep(props: Props) {
  const { target, onChange, accounts, sources, options, role, rules, inventory } = props;
  const account = accounts.find((a) => a.id === target.accountId);
  const decide = (env: string): PolicyDecision =>
    decideClone(
      role,
      rules,
      sources.map((s) => ({
        source: { env: s.environment, cluster: s.name },
        target: { env, cluster: expectedTargetName(s.name, options) },
      })),
    );
  const scopes = scopesOf(account);
  return (
    <div className="wizard-step">
      <SelectField
        label={'Target account'}
        value={target.accountId ?? ''}
        onChange={(e) => {
          const next = accounts.find((a) => a.id === e.target.value);
          const env = target.environment ?? next?.defaultEnvironment ?? undefined;
          onChange({
            ...target,
            accountId: next?.id,
            scope: next?.scope ?? undefined,
            environment: env && decide(env).allowed ? env : undefined,
          });
        }}
      >
        <option value="">Choose…</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({cloudLabel(a.cloud)}
            {a.defaultEnvironment ? `, ${a.defaultEnvironment}` : ''})
          </option>
        ))}
      </SelectField>
      {account && scopes.length > 0 && (
        <label>
          Scope{' '}
          <span className="muted small">(AWS account, Azure subscription/resource group, GCP project)</span>
          <select
            value={target.scope ?? ''}
            onChange={(e) => onChange({ ...target, scope: e.target.value || undefined })}
          >
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="env-choices">
        <legend>Target environment</legend>
        {environmentChoices(account, inventory).map((env) => {
          const decision = decide(env);
          const reasonId = `env-reason-${env}`;
          return (
            <div key={env} className="env-choice">
              <label className="radio">
                <input
                  type="radio"
                  name="target-env"
                  value={env}
                  checked={target.environment === env}
                  disabled={!decision.allowed}
                  aria-describedby={!decision.allowed || decision.requireApproval ? reasonId : undefined}
                  onChange={() => onChange({ ...target, environment: env })}
                />
                {env}
              </label>
              {!decision.allowed && <DisabledReason id={reasonId} reason={decision.reason} />}
              {decision.allowed && decision.requireApproval && (
                <span id={reasonId} className="note">
                  <span aria-hidden="true">! </span>
                  Needs approval: {decision.reason}
                </span>
              )}
            </div>
          );
        })}
      </fieldset>
      <LocationChoice
        {...props}
        account={account}
        allowed={target.environment ? decide(target.environment).allowed : false}
      />
    </div>
  );
}

function LocationChoice({
  target,
  onChange,
  source,
  account,
  allowed,
  inventory,
}: Props & { account: CloudAccount | undefined; allowed: boolean }) {
  const known = [
    ...new Set(inventory.filter((c) => c.cloud === account?.cloud).map((c) => c.location)),
  ].sort();
  return (
    <fieldset>
      <legend>Location</legend>
      <label className="radio">
        <input
          type="radio"
          name="location-mode"
          checked={target.location === undefined}
          onChange={() => onChange({ ...target, location: undefined })}
        />
        Suggested by the plan (nearest region, same country or geography first)
      </label>
      <label className="radio">
        <input
          type="radio"
          name="location-mode"
          checked={target.location !== undefined}
          onChange={() => onChange({ ...target, location: known[0] ?? '' })}
        />
        A location I choose
      </label>
      {target.location !== undefined && (
        <label>
          Target location
          <input
            list="target-locations"
            value={target.location}
            onChange={(e) => onChange({ ...target, location: e.target.value })}
            placeholder="us-east-1, westeurope, europe-west3…"
          />
          <datalist id="target-locations">
            {known.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </label>
      )}
      {target.location === undefined && account && allowed && (
        <LocationSuggestion source={source} target={target} />
      )}
    </fieldset>
  );
}

/**
 * Asks the API for a plan (nothing is created in a cloud) to show where each clone would go and
 * why. The plan of the review step is made again with every option.
 */
function LocationSuggestion({ source, target }: { source: SourceSelection; target: TargetSelection }) {
  const preview = useQuery({
    queryKey: ['plan-preview', sourceBody(source), target.accountId, target.scope, target.environment],
    queryFn: () =>
      createPlan({
        source: sourceBody(source),
        target: {
          accountId: target.accountId as string,
          ...(target.scope ? { scope: target.scope } : {}),
          ...(target.environment ? { environment: target.environment } : {}),
        },
      }),
    enabled: Boolean(target.accountId && target.environment),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  if (!target.environment)
    return <p className="muted small">Choose an environment to see the suggested location.</p>;
  if (preview.isPending)
    return (
      <p className="muted small" role="status">
        Planning…
      </p>
    );
  if (preview.error) return <ProblemAlert error={preview.error} />;
  return (
    <ul className="suggestions" aria-label="Suggested locations">
      {preview.data.document.items.map((item) => {
        const decision = item.decisions.find((d) => d.path === 'location');
        return (
          <li key={`${item.source.scope}/${item.source.location}/${item.source.name}`}>
            <strong>{item.source.name}</strong> →{' '}
            <strong data-testid="suggested-location">{item.target.location}</strong>
            <br />
            <span className="reason">{decision?.reason ?? 'Same location as the source'}</span>
          </li>
        );
      })}
    </ul>
  );
}
