import { type Action, type AppAbility, defineAbilitiesFor, type Role, type Subject } from '@dolly/authz';

interface UiActionRule {
  action: Action;
  subject: Subject;
  /** Completes "<Role>s cannot …" when the role lacks the ability. */
  denied: string;
}

/**
 * What the dashboard offers, mapped to the ability the API checks for it (the `auth` of each
 * route). The web uses the same @dolly/authz module as the API, so a button is disabled exactly
 * when the request would be refused, and it says why.
 */
export const uiActions = {
  startRun: { action: 'create', subject: 'Run', denied: 'start runs' },
  clone: { action: 'clone', subject: 'Cluster', denied: 'clone clusters' },
  // The API checks `clone` for a drift check: whoever may make a clone may compare it.
  checkDrift: { action: 'clone', subject: 'Cluster', denied: 'check drift' },
  editPlan: { action: 'update', subject: 'Plan', denied: 'edit plans' },
  syncInventory: { action: 'update', subject: 'Cluster', denied: 'sync the inventory' },
  // importing needs what syncing needs (operators and above), said in its own words
  importCluster: { action: 'update', subject: 'Cluster', denied: 'import clusters' },
  downloadKubeconfig: { action: 'update', subject: 'Cluster', denied: 'download kubeconfigs' },
  setEnvironment: { action: 'update', subject: 'Cluster', denied: "change a cluster's environment" },
  cancelRun: { action: 'cancel', subject: 'Run', denied: 'cancel runs' },
  retryRun: { action: 'retry', subject: 'Run', denied: 'retry runs' },
  // The API checks `retry` for a rollback: whoever may resume a run may also undo it.
  rollbackRun: { action: 'retry', subject: 'Run', denied: 'roll back runs' },
  approveRun: { action: 'approve', subject: 'Run', denied: 'approve or reject runs' },
  manageRecipes: { action: 'create', subject: 'Recipe', denied: 'save or run environment recipes' },
} as const satisfies Record<string, UiActionRule>;
export type UiAction = keyof typeof uiActions;

export type Permission = { allowed: true } | { allowed: false; reason: string };

export const rolePlural: Record<Role, string> = {
  owner: 'Owners',
  admin: 'Admins',
  operator: 'Operators',
  developer: 'Developers',
  viewer: 'Viewers',
};

const abilities = new Map<Role, AppAbility>();
function abilityOf(role: Role): AppAbility {
  let ability = abilities.get(role);
  if (!ability) {
    ability = defineAbilitiesFor(role);
    abilities.set(role, ability);
  }
  return ability;
}

/** May `role` do `what`? When not, the reason in words, e.g. "Viewers cannot start runs". */
export function permission(role: Role, what: UiAction): Permission {
  const rule: UiActionRule = uiActions[what];
  if (abilityOf(role).can(rule.action, rule.subject)) return { allowed: true };
  return { allowed: false, reason: `${rolePlural[role]} cannot ${rule.denied}` };
}

/** Combines checks: the first refusal wins (role first, then the state of the thing). */
export function firstRefusal(...checks: (Permission | undefined)[]): Permission {
  for (const check of checks) if (check && !check.allowed) return check;
  return { allowed: true };
}

export function refuse(reason: string): Permission {
  return { allowed: false, reason };
}
