import { ApiError, type RequestBody, type Schemas, unwrap } from '@dolly/api-client';
import { type Command, Option } from 'commander';
import type { DollyApi } from '../api/dolly-api.ts';
import type { Run } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { clusterPath, isUuid, resolveClusterId } from '../refs.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import type { Runtime } from '../runtime.ts';
import { collect, migrationBody } from './migrate.ts';
import { runDetail } from './runs.ts';

/** `dolly recipes`: environment recipes (docs/environments.md, "Scheduled refresh"). */
export type Recipe = Schemas['EnvironmentRecipe'];
type NewRecipe = RequestBody<'/api/v1/recipes', 'post'>;
export type RecipeBody = RequestBody<'/api/v1/recipes/{id}', 'patch'>;
type Workloads = NewRecipe['spec']['workloads'];

/** The flag each request field comes from: the server's field errors name the flag to fix. */
const FLAG_OF: [string, string][] = [
  ['body.name', '--name'],
  ['body.sourceClusterId', '--source-cluster'],
  ['body.targetClusterId', '--target-cluster'],
  ['body.schedule', '--schedule'],
  ['body.timezone', '--timezone'],
  ['body.spec.clone.planId', '--plan'],
  ['body.spec.clone.item', '--plan-item'],
  ['body.spec.clone.confirm', '--confirm'],
  ['body.spec.clone', '--plan'],
  ['body.spec.workloads.namespaces', '--namespace'],
  ['body.spec.workloads.excludeNamespaces', '--exclude-namespace'],
  ['body.spec.workloads.namespaceMap', '--namespace-map'],
  ['body.spec.workloads.labelSelector', '--selector'],
  ['body.spec.workloads.includeSecrets', '--include-secrets'],
  ['body.spec.workloads.copyVolumes', '--copy-volumes'],
  ['body.spec.workloads.cutover', '--copy-volumes'],
  ['body.spec.workloads.readyTimeoutSec', '--ready-timeout'],
];

export function flagOf(path: string): string | undefined {
  return FLAG_OF.find(([p]) => path === p || path.startsWith(`${p}.`))?.[1];
}

/** The server's refusal, each field error led by the flag that set it. */
function withFlags(error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return error;
  const errors = error.problem.errors.map((e) => {
    const flag = e.path ? flagOf(e.path) : undefined;
    return flag ? { ...e, path: `${flag} (${e.path})` } : e;
  });
  return new ApiError(error.status, { ...error.problem, errors });
}

function recipesApi({ client }: DollyApi) {
  const call = async <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
    try {
      return await unwrap(request);
    } catch (error) {
      throw withFlags(error);
    }
  };
  const at = (id: string) => ({ params: { path: { id } } });
  return {
    list: async (): Promise<Recipe[]> => (await call(client.GET('/api/v1/recipes'))).items,
    get: (id: string): Promise<Recipe> => call(client.GET('/api/v1/recipes/{id}', at(id))),
    create: (body: NewRecipe): Promise<Recipe> => call(client.POST('/api/v1/recipes', { body })),
    update: (id: string, body: RecipeBody): Promise<Recipe> =>
      call(client.PATCH('/api/v1/recipes/{id}', { ...at(id), body })),
    remove: async (id: string): Promise<void> => {
      await call(client.DELETE('/api/v1/recipes/{id}', at(id)));
    },
    run: (id: string): Promise<Run> => call(client.POST('/api/v1/recipes/{id}/run', at(id))),
    runs: async (id: string): Promise<Run[]> =>
      (await call(client.GET('/api/v1/recipes/{id}/runs', at(id)))).items,
  };
}

/** A recipe by id or by its name (exact), as `dolly recipes list` shows it. */
async function resolveRecipe(api: ReturnType<typeof recipesApi>, ref: string): Promise<Recipe> {
  if (isUuid(ref)) return api.get(ref);
  const all = await api.list();
  const match = all.find((r) => r.name === ref);
  if (match) return match;
  throw new CliError(
    `no recipe "${ref}"`,
    1,
    all.length ? `recipes: ${all.map((r) => r.name).join(', ')}` : 'create one with dolly recipes create',
  );
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');
const scheduleText = (r: Recipe) => (r.schedule ? `${r.schedule} (${r.timezone})` : 'on demand');

export function recipesTable(items: Recipe[]): string {
  return renderTable(
    items,
    [
      { header: 'name', value: (r) => r.name },
      { header: 'schedule', value: scheduleText },
      { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no') },
      { header: 'next run', value: (r) => (r.enabled ? when(r.nextRunAt) : '—') },
      { header: 'last run', value: (r) => r.lastRun?.status ?? '—' },
      { header: 'owner', value: (r) => r.owner.email ?? r.owner.id },
      { header: 'id', value: (r) => r.id },
    ],
    'No environment recipes. Create one: dolly recipes create <name> --source-cluster … --target-cluster … -n <ns> --schedule "0 2 * * *"',
  );
}

/** `names`: cluster id → cloud/location/name, where known. */
export function recipeDetail(r: Recipe, names: Map<string, string> = new Map()): string {
  const cluster = (id: string | null) => (id ? (names.get(id) ?? id) : null);
  return renderFields([
    ['Recipe', r.name],
    ['Id', r.id],
    ['Owner', r.owner.email ?? r.owner.id],
    ['Source', cluster(r.sourceClusterId)],
    [
      'Target',
      r.recreateCluster ? `re-created from plan ${r.spec.clone?.planId ?? '?'}` : cluster(r.targetClusterId),
    ],
    ['Namespaces', r.spec.workloads?.namespaces?.join(', ')],
    ['Schedule', scheduleText(r)],
    ['Enabled', r.enabled ? 'yes' : 'no'],
    ['Next run', r.enabled ? when(r.nextRunAt) : '—'],
    ['Last run', r.lastRun ? `${r.lastRun.status} (${r.lastRun.id})` : 'never'],
  ]);
}

interface WorkloadFlags {
  namespace: string[];
  excludeNamespace: string[];
  namespaceMap: string[];
  selector?: string;
  existing?: 'skip' | 'update';
  includeSecrets?: boolean;
  copyVolumes?: boolean;
  readyTimeout?: string;
}

interface CreateFlags extends WorkloadFlags {
  sourceCluster?: string;
  targetCluster?: string;
  recreate?: boolean;
  plan?: string;
  planItem?: string;
  confirm?: string;
  schedule?: string;
  timezone?: string;
  disabled?: boolean;
}

/** The migration part of a recipe from the same flags `dolly migrate` takes (and checks). */
function workloadsOf(flags: WorkloadFlags): Workloads {
  const {
    sourceClusterId: _s,
    targetClusterId: _t,
    dryRun: _d,
    ...workloads
  } = migrationBody(
    {
      ...flags,
      sourceCluster: '',
      targetCluster: '',
      includeKind: [],
      excludeKind: [],
      storageClassMap: [],
      registryMap: [],
      identityMap: [],
      nodePoolMap: [],
      ingressClassMap: [],
    },
    '',
    '',
  );
  return workloads;
}

function planItem(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('--plan-item must be a whole number (0 for the first item)');
  return n;
}

function withWorkloadFlags(cmd: Command): Command {
  const repeat = 'repeat or comma-separate';
  return cmd
    .option('-n, --namespace <ns>', `namespace name or glob; ${repeat}`, collect, [])
    .option('--exclude-namespace <ns>', `namespace name or glob to leave out; ${repeat}`, collect, [])
    .option('--namespace-map <from=to>', `rename namespaces on the way; ${repeat}`, collect, [])
    .option('-l, --selector <selector>', 'Kubernetes label selector for the namespaced objects')
    .addOption(new Option('--existing <mode>', 'objects already in the target').choices(['skip', 'update']))
    .option('--include-secrets', 'copy Secrets (operator and above)')
    .option('--copy-volumes', "copy each volume's files")
    .option('--ready-timeout <seconds>', 'how long workloads may take to become Ready');
}

export function registerRecipesCommand(program: Command, rt: Runtime): void {
  const recipes = program
    .command('recipes')
    .alias('recipe')
    .description('Environment recipes: a refresh (prod → dev) saved and run on a cron schedule')
    .addHelpText(
      'after',
      `
A recipe runs as its owner (who created it): every scheduled run is admitted again with the owner's
role and the tenant's policies of that day, and is refused (an audit line, no run) otherwise.
Creating, changing and running recipes needs the operator role; anyone may list them.

Examples:
  $ dolly recipes create nightly-shop --source-cluster aws/us-east-1/shop-prod \\
      --target-cluster aws/us-west-2/shop-dev -n shop --namespace-map shop=shop-dev \\
      --schedule "0 2 * * *" --timezone Europe/Berlin
  $ dolly recipes list
  $ dolly recipes run nightly-shop --watch
  $ dolly recipes update nightly-shop --disable`,
    );

  recipes
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List recipes with their schedule, next run and last run')
    .addOption(outputOption())
    .action(
      handle<object>(rt, async (kit) => {
        const items = await recipesApi(kit.session().api).list();
        kit.print(items, () => recipesTable(items));
        return 0;
      }),
    );

  recipes
    .command('get')
    .argument('<recipe>', 'id or name')
    .description('Show a recipe and its recent runs')
    .addOption(outputOption())
    .action(
      handle<object, [string]>(rt, async (kit, _opts, ref) => {
        const session = kit.session();
        const api = recipesApi(session.api);
        const recipe = await resolveRecipe(api, ref);
        const runs = await api.runs(recipe.id);
        const names = new Map<string, string>();
        for (const id of [recipe.sourceClusterId, recipe.targetClusterId])
          if (id)
            await session.api
              .getCluster(id)
              .then((c) => names.set(id, clusterPath(c)))
              .catch(() => undefined);
        kit.print({ ...recipe, runs }, () =>
          [
            recipeDetail(recipe, names),
            '',
            renderTable(
              runs.slice(0, 10),
              [
                { header: 'run', value: (r) => r.id },
                { header: 'status', value: (r) => r.status },
                { header: 'created', value: (r) => when(r.createdAt) },
              ],
              'No runs yet.',
            ),
          ].join('\n'),
        );
        return 0;
      }),
    );

  withWorkloadFlags(
    recipes
      .command('create')
      .argument('<name>', 'unique in the tenant, e.g. nightly-shop')
      .description('Save a recipe; you become its owner')
      .option('--source-cluster <cluster>', 'id, name or cloud/location/name')
      .option('--target-cluster <cluster>', 'the cluster refreshed on every run')
      .option('--recreate', 'clone --plan first on every run, then migrate into the new cluster')
      .option('--plan <id>', 'with --recreate: the clone plan')
      .option('--plan-item <n>', 'with --recreate: the plan item (default 0)')
      .option('--confirm <name>', 'with --recreate into prod: the typed confirmation')
      .option('--schedule <cron>', 'five-field cron, e.g. "0 2 * * *" (default: on demand only)')
      .option('--timezone <zone>', 'IANA time zone of the schedule (default UTC)')
      .option('--disabled', 'save it switched off'),
  )
    .addOption(outputOption())
    .action(
      handle<CreateFlags, [string]>(rt, async (kit, flags, name) => {
        if (!flags.sourceCluster)
          throw new CliError('--source-cluster: name the cluster the namespaces come from');
        if (!flags.namespace.length) throw new CliError('--namespace: give at least one namespace (or glob)');
        if (flags.recreate ? !flags.plan : !flags.targetCluster)
          throw new CliError(
            flags.recreate
              ? '--plan: a recipe with --recreate clones a plan item; name the plan'
              : '--target-cluster: name the cluster to refresh (or use --recreate with --plan)',
          );
        if (!flags.recreate && flags.plan) throw new CliError('--plan only goes with --recreate');
        const { api } = kit.session();
        const body: NewRecipe = {
          name,
          sourceClusterId: await resolveClusterId(api, flags.sourceCluster),
          targetClusterId: flags.targetCluster ? await resolveClusterId(api, flags.targetCluster) : null,
          recreateCluster: flags.recreate === true,
          spec: {
            workloads: workloadsOf(flags),
            ...(flags.recreate && flags.plan
              ? {
                  clone: {
                    planId: flags.plan,
                    item: planItem(flags.planItem),
                    ...(flags.confirm ? { confirm: flags.confirm } : {}),
                  },
                }
              : {}),
          },
          schedule: flags.schedule ?? null,
          ...(flags.timezone ? { timezone: flags.timezone } : {}),
          enabled: flags.disabled !== true,
        };
        const created = await recipesApi(api).create(body);
        kit.print(created, () => recipeDetail(created));
        return 0;
      }),
    );

  recipes
    .command('update')
    .argument('<recipe>', 'id or name')
    .description('Change the schedule, switch a recipe on or off, or rename it')
    .option('--name <name>', 'a new name')
    .option('--schedule <cron>', 'five-field cron, e.g. "0 2 * * *"')
    .option('--no-schedule', 'on demand only')
    .option('--timezone <zone>', 'IANA time zone of the schedule')
    .option('--enable', 'switch it on')
    .option('--disable', 'switch it off (its schedule stops)')
    .addOption(outputOption())
    .action(
      handle<
        { name?: string; schedule?: string | false; timezone?: string; enable?: boolean; disable?: boolean },
        [string]
      >(rt, async (kit, flags, ref) => {
        if (flags.enable && flags.disable) throw new CliError('--enable and --disable: pick one');
        const body: RecipeBody = {
          ...(flags.name ? { name: flags.name } : {}),
          // commander: --no-schedule gives false; no flag at all leaves it undefined (default true)
          ...(flags.schedule === false ? { schedule: null } : {}),
          ...(typeof flags.schedule === 'string' ? { schedule: flags.schedule } : {}),
          ...(flags.timezone ? { timezone: flags.timezone } : {}),
          ...(flags.enable ? { enabled: true } : {}),
          ...(flags.disable ? { enabled: false } : {}),
        };
        if (Object.keys(body).length === 0)
          throw new CliError(
            'nothing to change: give --name, --schedule, --no-schedule, --timezone, --enable or --disable',
          );
        const api = recipesApi(kit.session().api);
        const recipe = await resolveRecipe(api, ref);
        const updated = await api.update(recipe.id, body);
        kit.print(updated, () => recipeDetail(updated));
        return 0;
      }),
    );

  recipes
    .command('delete')
    .alias('rm')
    .argument('<recipe>', 'id or name')
    .description('Delete a recipe and its schedule (its runs stay)')
    .action(
      handle<object, [string]>(rt, async (kit, _opts, ref) => {
        const api = recipesApi(kit.session().api);
        const recipe = await resolveRecipe(api, ref);
        await api.remove(recipe.id);
        kit.note(`Deleted recipe ${recipe.name}`);
        return 0;
      }),
    );

  recipes
    .command('run')
    .argument('<recipe>', 'id or name')
    .description('Run a recipe now, with your role; a policy may hold it for approval')
    .option('-w, --watch', 'watch the run to its end; the exit code is its outcome')
    .addOption(outputOption())
    .action(
      handle<{ watch?: boolean }, [string]>(rt, async (kit, flags, ref) => {
        const session = kit.session();
        const api = recipesApi(session.api);
        const run = await api.run((await resolveRecipe(api, ref)).id);
        if (flags.watch) return watchToOutcome(kit, session.api, [run.id]);
        kit.print(run, () => `${runDetail(kit, run)}\n${kit.pc.dim(`Watch: dolly runs watch ${run.id}`)}`);
        return 0;
      }),
    );
}
