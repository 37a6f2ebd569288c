import { bundledCatalog, clonePlanSchema, planCatalogLine, preflightLines } from '@dolly/model';
import type { StoredPlan } from '../api/types.ts';
import type { CommandKit } from '../command-kit.ts';
import { renderPlanTable } from '../format/plan-table.ts';

/** A stored plan for people: every decision with its reason, then what to run next. */
export function storedPlanText(kit: CommandKit, plan: StoredPlan): string {
  const columns = kit.rt.stdout.columns ?? 140;
  const document = clonePlanSchema.parse(plan.document);
  const lines = [
    renderPlanTable(document, bundledCatalog, columns, kit.rt.color),
    '',
    planCatalogLine(document.catalog),
    ...preflightLines(document.preflight),
    `Plan ${plan.id}: ${plan.document.items.length} cluster(s) into ${
      plan.targetEnvironment ? `environment ${plan.targetEnvironment}` : 'an account without environment'
    }${plan.requiresApproval ? ', requires approval before anything is created' : ''}.`,
    kit.pc.dim(
      `Create with: dolly apply ${plan.id} --watch    Edit: dolly plan get ${plan.id} -o json > plan.json`,
    ),
  ];
  return lines.join('\n');
}
