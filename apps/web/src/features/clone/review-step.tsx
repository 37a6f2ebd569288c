import { useState } from 'react';
import { cloudLabel } from '../../components/cloud-badge.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { Segmented } from '../../components/segmented.tsx';
// The subpath: the package's index would bundle the whole catalog snapshot into the dashboard.
import { planCatalogLine } from '@dolly/model/plan-catalog';
import { preflightLines } from '@dolly/model/preflight';
import type { CloudAccount } from '../../lib/clusters.ts';
import { formatDateTime } from '../../lib/format.ts';
import { planDocument, type StoredPlan } from '../../lib/plans.ts';
import { usePermission } from '../../lib/session-context.ts';
import { costSummaryText, planCostView } from './plan-cost.ts';
import { PlanCostTable } from './plan-cost-table.tsx';
import { PlanDiffTable } from './plan-diff-table.tsx';
import { PlanJsonEditor } from './plan-json-editor.tsx';
import { countNotes } from './plan-rows.ts';

interface Props {
  plan: StoredPlan;
  onPlanChange: (plan: StoredPlan) => void;
  /** The wizard options could not be applied to the plan (422 from PUT /plans/{id}). */
  optionsError?: unknown;
  accounts: readonly CloudAccount[];
}

/** Step 4: the plan, source beside target with every decision's reason, or as editable JSON. */
export function ReviewStep({ plan, onPlanChange, optionsError, accounts }: Props) {
  const [view, setView] = useState<'table' | 'json'>('table');
  const [onlyChanges, setOnlyChanges] = useState(true);
  const canEdit = usePermission('editPlan');
  const document = planDocument(plan);
  const account = accounts.find((a) => a.id === plan.targetAccountId);
  return (
    <div className="wizard-step review">
      <p>
        {document.items.length} cluster{document.items.length === 1 ? '' : 's'} into{' '}
        <strong>{account ? `${account.name} (${cloudLabel(account.cloud)})` : 'the target account'}</strong>,
        environment <strong>{plan.targetEnvironment ?? 'none'}</strong>. Nothing is created until you confirm.
      </p>
      <p
        className={document.catalog?.source === 'live' ? 'muted small' : 'note'}
        data-plan-catalog={document.catalog?.source ?? 'snapshot'}
      >
        {planCatalogLine(document.catalog, { formatTime: formatDateTime })}
      </p>
      <PreflightNote preflight={document.preflight} />
      {plan.requiresApproval && (
        <p className="note">
          <span aria-hidden="true">! </span>A clone policy requires an operator's approval: the runs will wait
          as Pending approval.
        </p>
      )}
      {optionsError !== undefined && (
        <div>
          <p className="note">Your options could not be applied to the plan; it is shown as Dolly made it.</p>
          <ProblemAlert error={optionsError} stripPath="body.document." />
        </div>
      )}
      <div className="toolbar">
        <Segmented
          label="Plan view"
          value={view}
          options={[
            { value: 'table', label: 'Side by side' },
            { value: 'json', label: 'JSON' },
          ]}
          onChange={setView}
        />
        {view === 'table' && (
          <label className="checkbox">
            <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} />
            Only changed fields and notes
          </label>
        )}
      </div>
      {view === 'table' ? (
        document.items.map((item, i) => {
          const counts = countNotes(item);
          const cost = planCostView(item);
          return (
            <section
              key={`${item.source.scope}/${item.source.location}/${item.source.name}`}
              className="plan-item"
              aria-labelledby={`plan-item-${i}`}
            >
              <h3 id={`plan-item-${i}`}>
                {item.source.name}{' '}
                <span className="muted small">
                  ({item.source.cloud} {item.source.location})
                </span>{' '}
                → {item.target.name}{' '}
                <span className="muted small">
                  ({item.target.cloud} {item.target.location})
                </span>
              </h3>
              <p className="muted small">
                {counts.decisions} decisions ·{' '}
                <span className={counts.warnings ? 'tone-attention' : undefined}>
                  {counts.warnings} warnings
                </span>{' '}
                · <span className={counts.dropped ? 'tone-danger' : undefined}>{counts.dropped} dropped</span>
                {cost.status === 'ok' && (
                  <>
                    {' · '}
                    <span data-cost-summary="">Cost {costSummaryText(cost)}</span>
                  </>
                )}
              </p>
              <PlanCostTable item={item} />
              <PlanDiffTable item={item} onlyChanges={onlyChanges} />
            </section>
          );
        })
      ) : (
        <PlanJsonEditor key={plan.updatedAt} plan={plan} onSaved={onPlanChange} permission={canEdit} />
      )}
    </div>
  );
}

/** What the target account lacks, with the fix for each; apply refuses while a blocker remains. */
function PreflightNote({ preflight }: { preflight: ReturnType<typeof planDocument>['preflight'] }) {
  const [head, ...rest] = preflightLines(preflight);
  const blocked = preflight?.findings.some((f) => f.severity === 'blocker') ?? false;
  return (
    <div className={blocked ? 'note' : 'muted small'} data-plan-preflight={blocked ? 'blocked' : 'ok'}>
      <p>{head}</p>
      {rest.length > 0 && <pre className="preflight-findings">{rest.join('\n')}</pre>}
    </div>
  );
}
