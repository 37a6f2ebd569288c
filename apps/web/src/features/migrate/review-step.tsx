import { useMutation } from '@tanstack/react-query';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { downloadText } from '../../lib/format.ts';
import { dryRunMigrationYaml } from './migrate-api.ts';
import type { MigrationBody } from './migrate-state.ts';
import { PlanObjectsTable } from './plan-objects-table.tsx';
import { PlanVolumes, PlanWarnings, PreflightChecks, SkippedObjects } from './plan-checks.tsx';
import { type MigrationPlan, planSummaryText } from './plan-view.ts';

interface Props {
  plan: MigrationPlan;
  body: MigrationBody;
  onRerun: () => void;
  rerunning: boolean;
}

/** Step 4: the dry-run document: namespaces, objects and their changes, checks, warnings. */
export function ReviewStep({ plan, body, onRerun, rerunning }: Props) {
  const yaml = useMutation({
    mutationFn: () => dryRunMigrationYaml(body),
    onSuccess: (text) =>
      downloadText(
        `migration-plan-${plan.source.name}-to-${plan.target.name}.yaml`,
        text,
        'application/yaml',
      ),
  });
  return (
    <div className="wizard-step review">
      <p>
        <strong>{plan.source.name}</strong> ({plan.source.cloud}) → <strong>{plan.target.name}</strong> (
        {plan.target.cloud}). Nothing is written until you start it.
      </p>
      <p role="status">{planSummaryText(plan)}</p>
      <div className="toolbar">
        <button type="button" className="secondary" disabled={yaml.isPending} onClick={() => yaml.mutate()}>
          {yaml.isPending ? 'Preparing…' : 'Download YAML'}
        </button>
        <button type="button" className="secondary" disabled={rerunning} onClick={onRerun}>
          {rerunning ? 'Running the dry run…' : 'Run the dry run again'}
        </button>
      </div>
      <ProblemAlert error={yaml.error} />
      <section aria-labelledby="namespaces-heading">
        <h3 id="namespaces-heading">Namespaces</h3>
        <ul aria-label="Namespaces">
          {plan.namespaces.map((n) => (
            <li key={n.source}>
              <code>{n.source}</code> → <code>{n.target}</code>{' '}
              <span className="muted small">
                {n.existsInTarget ? '(exists in the target)' : '(created in the target)'}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <PreflightChecks preflight={plan.preflight} />
      <PlanWarnings warnings={plan.warnings} />
      <section aria-labelledby="objects-heading">
        <h3 id="objects-heading">Objects ({plan.objects.length})</h3>
        <PlanObjectsTable objects={plan.objects} />
      </section>
      <SkippedObjects skipped={plan.skipped} />
      <PlanVolumes volumes={plan.volumes} />
    </div>
  );
}
