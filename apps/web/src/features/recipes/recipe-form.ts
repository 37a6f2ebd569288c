import type { NewRecipe } from './recipes-api.ts';

export interface RecipeFormValues {
  name: string;
  sourceClusterId: string;
  targetClusterId: string;
  namespaces: string;
  namespaceMap: string;
  includeSecrets: boolean;
  schedule: string;
  timezone: string;
}

/** The browser's own zone: what "02:00" means to the person filling in the form. */
export const browserTimezone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The POST body from the form, or the problems keyed by the API's field paths (without `body.`)
 * so they land under the same fields the server's would. The server checks everything again.
 */
export function recipeBody(
  v: RecipeFormValues,
): { ok: true; body: NewRecipe } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!v.name.trim()) errors.name = 'Name is required';
  if (!v.sourceClusterId) errors.sourceClusterId = 'Choose the cluster the namespaces come from';
  if (!v.targetClusterId) errors.targetClusterId = 'Choose the cluster to refresh';
  const namespaces = list(v.namespaces);
  if (!namespaces.length) errors['spec.workloads.namespaces'] = 'Name at least one namespace';
  const namespaceMap: Record<string, string> = {};
  for (const pair of list(v.namespaceMap)) {
    const [from, to, ...rest] = pair.split('=').map((s) => s.trim());
    if (!from || !to || rest.length) errors['spec.workloads.namespaceMap'] = `"${pair}" is not from=to`;
    else namespaceMap[from] = to;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name: v.name.trim(),
      sourceClusterId: v.sourceClusterId,
      targetClusterId: v.targetClusterId,
      spec: {
        workloads: {
          namespaces,
          ...(Object.keys(namespaceMap).length ? { namespaceMap } : {}),
          ...(v.includeSecrets ? { includeSecrets: true } : {}),
        },
      },
      schedule: v.schedule.trim() || null,
      timezone: v.timezone.trim() || 'UTC',
    },
  };
}
