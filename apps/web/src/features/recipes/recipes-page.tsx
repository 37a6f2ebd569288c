import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StatusTag } from '../../components/status-badge.tsx';
import { type ClusterSummary, useInventory } from '../../lib/clusters.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { usePageTitle } from '../../lib/page-title.ts';
import type { Run } from '../../lib/runs.ts';
import { usePermission } from '../../lib/session-context.ts';
import { SelectField, TextField } from '../settings/components/field.tsx';
import { QueryState } from '../settings/components/loading.tsx';
import { fieldErrors, problemOf } from '../settings/problem.ts';
// the settings pages' form styles (st-*): the same fields, the same look
import '../settings/settings.css';
import { browserTimezone, type RecipeFormValues, recipeBody } from './recipe-form.ts';
import { type Recipe, recipeKeys, recipesApi, useRecipes } from './recipes-api.ts';

const clusterLabel = (c: ClusterSummary) =>
  `${c.cloud}/${c.location}/${c.name}${c.environment ? ` (${c.environment})` : ''}`;

/**
 * Environment recipes: saved refreshes (prod → dev) that run on a cron schedule under the
 * owner's role (docs/environments.md, "Scheduled refresh"). Everyone sees them; operators and
 * above save, switch on and off, and run them now.
 */
export function RecipesPage() {
  usePageTitle('Recipes');
  const recipes = useRecipes();
  const inventory = useInventory();
  const [started, setStarted] = useState<{ recipe: string; run: Run }>();
  const names = new Map((inventory.data ?? []).map((c) => [c.id, clusterLabel(c)]));
  return (
    <section aria-labelledby="recipes-heading">
      <h1 id="recipes-heading">Recipes</h1>
      <p className="muted">
        A recipe refreshes namespaces of one cluster into another on a schedule, e.g. nightly from prod into
        dev. Each run is admitted as its owner would be today: the clone policies, the prod guard and the
        owner's role at that moment. A refused run is recorded in the audit log and does not start.
      </p>
      {started && (
        <p role="status" className="card">
          Started a run of {started.recipe}: <Link to={`/runs/${started.run.id}`}>{started.run.title}</Link>
        </p>
      )}
      <QueryState isPending={recipes.isPending} error={recipes.error} what="recipes" />
      {recipes.data && (
        <RecipeTable
          recipes={recipes.data}
          clusterName={(id) => (id ? (names.get(id) ?? id) : '—')}
          onStarted={(recipe, run) => setStarted({ recipe: recipe.name, run })}
        />
      )}
      <CreateRecipeForm clusters={inventory.data ?? []} />
    </section>
  );
}

function RecipeTable({
  recipes,
  clusterName,
  onStarted,
}: {
  recipes: Recipe[];
  clusterName: (id: string | null) => string;
  onStarted: (recipe: Recipe, run: Run) => void;
}) {
  const may = usePermission('manageRecipes');
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: recipeKeys.all });
  const run = useMutation({
    mutationFn: (r: Recipe) => recipesApi.run(r.id),
    onSuccess: async (created, r) => {
      onStarted(r, created);
      await refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (r: Recipe) => recipesApi.setEnabled(r.id, !r.enabled),
    onSuccess: refresh,
  });
  return (
    <>
      <ProblemAlert error={run.error ?? toggle.error} />
      <div className="table-scroll">
        <table className="data-table">
          <caption className="visually-hidden">Environment recipes</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">From → to</th>
              <th scope="col">Namespaces</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              <th scope="col">Owner</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {recipes.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No recipes yet.
                </td>
              </tr>
            )}
            {recipes.map((r) => (
              <tr key={r.id} data-recipe={r.name}>
                <th scope="row">{r.name}</th>
                <td>
                  {clusterName(r.sourceClusterId)} →{' '}
                  {r.recreateCluster ? 'a new clone' : clusterName(r.targetClusterId)}
                </td>
                <td>{r.spec.workloads?.namespaces?.join(', ') ?? '—'}</td>
                <td>
                  {r.schedule ? (
                    <>
                      <code>{r.schedule}</code> <span className="muted">({r.timezone})</span>
                    </>
                  ) : (
                    'On demand'
                  )}
                  {!r.enabled && <span className="muted"> · off</span>}
                </td>
                <td>
                  {r.enabled && r.nextRunAt ? (
                    <time dateTime={r.nextRunAt} title={formatDateTime(r.nextRunAt)}>
                      {formatDateTime(r.nextRunAt)}
                    </time>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {r.lastRun ? (
                    <Link to={`/runs/${r.lastRun.id}`} title={formatDateTime(r.lastRun.createdAt)}>
                      <StatusTag status={r.lastRun.status} /> {formatRelative(r.lastRun.createdAt)}
                    </Link>
                  ) : (
                    'Never'
                  )}
                </td>
                <td>{r.owner.email ?? '—'}</td>
                <td>
                  <ActionButton
                    permission={may}
                    compact
                    busy={run.isPending && run.variables?.id === r.id}
                    onClick={() => run.mutate(r)}
                    aria-label={`Run ${r.name} now`}
                  >
                    Run now
                  </ActionButton>{' '}
                  <ActionButton
                    permission={may}
                    compact
                    className="secondary"
                    busy={toggle.isPending && toggle.variables?.id === r.id}
                    onClick={() => toggle.mutate(r)}
                    aria-label={`${r.enabled ? 'Disable' : 'Enable'} ${r.name}`}
                  >
                    {r.enabled ? 'Disable' : 'Enable'}
                  </ActionButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const FIELDS = [
  'name',
  'sourceClusterId',
  'targetClusterId',
  'spec.workloads.namespaces',
  'spec.workloads.namespaceMap',
  'spec.workloads.includeSecrets',
  'spec.workloads',
  'schedule',
  'timezone',
] as const;

function CreateRecipeForm({ clusters }: { clusters: ClusterSummary[] }) {
  const may = usePermission('manageRecipes');
  const client = useQueryClient();
  const [values, setValues] = useState<RecipeFormValues>({
    name: '',
    sourceClusterId: '',
    targetClusterId: '',
    namespaces: '',
    namespaceMap: '',
    includeSecrets: false,
    schedule: '0 2 * * *',
    timezone: browserTimezone(),
  });
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<RecipeFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const create = useMutation({
    mutationFn: recipesApi.create,
    onSuccess: async () => {
      set({ name: '', namespaces: '', namespaceMap: '' });
      await client.invalidateQueries({ queryKey: recipeKeys.all });
    },
  });
  const server = fieldErrors(problemOf(create.error), FIELDS);
  const errors: Record<string, string | undefined> = { ...server.byPath, ...localErrors };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const built = recipeBody(values);
    setLocalErrors(built.ok ? {} : built.errors);
    if (built.ok) create.mutate(built.body);
  };
  if (!may.allowed) return <p className="muted">{may.reason}. Ask an operator to save a recipe.</p>;
  const options = (
    <>
      <option value="">Choose a cluster…</option>
      {clusters.map((c) => (
        <option key={c.id} value={c.id}>
          {clusterLabel(c)}
        </option>
      ))}
    </>
  );
  return (
    <form className="st-card st-form settings" onSubmit={submit} noValidate aria-label="Create a recipe">
      <h2>New recipe</h2>
      <ProblemAlert error={create.error} />
      <div className="st-row">
        <TextField
          label="Name"
          hint="Unique in the tenant, e.g. nightly shop prod → dev."
          value={values.name}
          onChange={(e) => set({ name: e.target.value })}
          error={errors.name}
          autoComplete="off"
        />
        <SelectField
          label="Source cluster"
          value={values.sourceClusterId}
          onChange={(e) => set({ sourceClusterId: e.target.value })}
          error={errors.sourceClusterId}
        >
          {options}
        </SelectField>
        <SelectField
          label="Target cluster"
          hint="Refreshed on every run."
          value={values.targetClusterId}
          onChange={(e) => set({ targetClusterId: e.target.value })}
          error={errors.targetClusterId}
        >
          {options}
        </SelectField>
      </div>
      <div className="st-row">
        <TextField
          label="Namespaces"
          hint="Names or globs, comma-separated: shop, team-*."
          value={values.namespaces}
          onChange={(e) => set({ namespaces: e.target.value })}
          error={errors['spec.workloads.namespaces'] ?? errors['spec.workloads']}
        />
        <TextField
          label="Rename namespaces"
          optional
          hint="from=to, comma-separated: shop=shop-dev."
          value={values.namespaceMap}
          onChange={(e) => set({ namespaceMap: e.target.value })}
          error={errors['spec.workloads.namespaceMap']}
        />
      </div>
      <div className="st-field">
        <label className="st-check">
          <input
            type="checkbox"
            checked={values.includeSecrets}
            onChange={(e) => set({ includeSecrets: e.target.checked })}
          />
          <span>Copy Secrets (needs the operator role)</span>
        </label>
        {errors['spec.workloads.includeSecrets'] && (
          <span className="st-error">{errors['spec.workloads.includeSecrets']}</span>
        )}
      </div>
      <div className="st-row">
        <TextField
          label="Schedule"
          optional
          hint="Five-field cron (minute hour day month weekday): 0 2 * * * is every night at 02:00. Empty: on demand only."
          value={values.schedule}
          onChange={(e) => set({ schedule: e.target.value })}
          error={errors.schedule}
        />
        <TextField
          label="Time zone"
          hint="IANA name, e.g. Europe/Berlin or UTC."
          value={values.timezone}
          onChange={(e) => set({ timezone: e.target.value })}
          error={errors.timezone}
        />
      </div>
      <div className="st-form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Saving…' : 'Save recipe'}
        </button>
      </div>
    </form>
  );
}
