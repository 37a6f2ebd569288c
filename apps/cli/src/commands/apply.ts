import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ApiError } from '@dolly/api-client';
import type { Command } from 'commander';
import type { DollyApi } from '../api/dolly-api.ts';
import type { ApplyPlanBody, EnvironmentWorkloads, Run } from '../api/types.ts';
import { type CommandKit, handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { readPlanFile } from '../plans/plan-file.ts';
import { promptLine } from '../prompt.ts';
import { isUuid } from '../refs.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import type { Runtime } from '../runtime.ts';
import { collect, parsePairs } from './migrate.ts';
import { runsTable } from './runs.ts';

/** `--with-namespaces` and its companions: the workloads of a clone with workloads, or none. */
export function workloadsOf(opts: ApplyOptions): EnvironmentWorkloads | undefined {
  if (!opts.withNamespaces?.length) {
    if (opts.namespaceMap.length || opts.includeSecrets || opts.copyVolumes || opts.readyTimeout)
      throw new CliError(
        '--namespace-map, --include-secrets, --copy-volumes and --ready-timeout need --with-namespaces',
      );
    return undefined;
  }
  const map = parsePairs(opts.namespaceMap, '--namespace-map');
  const timeout = opts.readyTimeout === undefined ? undefined : Number(opts.readyTimeout);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1))
    throw new CliError('--ready-timeout must be a positive whole number');
  return {
    namespaces: opts.withNamespaces,
    ...(Object.keys(map).length ? { namespaceMap: map } : {}),
    ...(opts.includeSecrets ? { includeSecrets: true } : {}),
    ...(opts.copyVolumes ? { copyVolumes: true } : {}),
    ...(timeout ? { readyTimeoutSec: timeout } : {}),
  };
}

export interface ApplyOptions {
  items?: string;
  withNamespaces?: string[];
  namespaceMap: string[];
  includeSecrets?: boolean;
  copyVolumes?: boolean;
  readyTimeout?: string;
  confirm?: string;
  idempotencyKey?: string;
  watch?: boolean;
}

export function parseItems(text: string): number[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!part.trim() || !Number.isInteger(n) || n < 0)
      throw new CliError(`--items: "${part}" is not an item index (0, 1, …)`);
    return n;
  });
}

/** A plan id as is; a file is first PUT to its plan so what is applied is exactly what was edited. */
async function planIdOf(kit: CommandKit, api: DollyApi, ref: string): Promise<string> {
  if (isUuid(ref) && !existsSync(ref)) return ref;
  if (!existsSync(ref)) throw new CliError(`"${ref}" is neither a plan id nor a file`);
  const edit = readPlanFile(ref);
  await api.putPlan(edit.planId, {
    document: edit.document,
    ...(edit.targetEnvironment !== undefined ? { targetEnvironment: edit.targetEnvironment } : {}),
  });
  kit.note(`Updated plan ${edit.planId} from ${ref}.`);
  return edit.planId;
}

/** Starts the runs of a plan (one per cluster) and reports or watches them. */
export async function applyPlan(
  kit: CommandKit,
  api: DollyApi,
  planId: string,
  opts: { items?: number[]; confirm?: string; idempotencyKey?: string; workloads?: EnvironmentWorkloads },
): Promise<Run[]> {
  // One key per invocation: a retried request after a network error cannot start the runs twice.
  const key = opts.idempotencyKey ?? randomUUID();
  const body: ApplyPlanBody = {
    ...(opts.items ? { items: opts.items } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
    ...(opts.workloads ? { workloads: opts.workloads } : {}),
  };
  let runs: Run[];
  try {
    ({ runs } = await api.applyPlan(planId, body, key));
  } catch (error) {
    // Creating into prod needs the target's name typed back: ask for it when someone is there.
    const wantsConfirm = error instanceof ApiError && error.problem.code === 'confirmation_required';
    if (!wantsConfirm || !kit.rt.stdin.isTTY || opts.confirm) throw error;
    kit.note(kit.pc.yellow(error.problem.detail ?? error.problem.title));
    const typed = await promptLine(kit.rt, 'Type it to confirm: ');
    ({ runs } = await api.applyPlan(planId, { ...body, confirm: typed }, key));
  }
  const waiting = runs.filter((r) => r.status === 'pending_approval');
  if (waiting.length)
    kit.note(
      `${waiting.length} run(s) wait for approval: ${waiting.map((r) => `dolly runs approve ${r.id}`).join('; ')}`,
    );
  return runs;
}

export function registerApplyCommand(program: Command, rt: Runtime): void {
  program
    .command('apply')
    .description('Create the clusters of a plan: one run per cluster, watched live with --watch')
    .argument(
      '<plan>',
      'plan id, or a plan file (dolly plan -o json, edited) that is saved to its plan first',
    )
    .option('--items <i,j>', 'only these plan items (0-based)')
    .option(
      '--with-namespaces <a,b>',
      'clone with workloads: then migrate these namespaces of the source into the new cluster (one item)',
      collect,
    )
    .option(
      '--namespace-map <from=to>',
      'with --with-namespaces: rename a namespace (repeatable)',
      collect,
      [],
    )
    .option('--include-secrets', 'with --with-namespaces: copy Secrets too (operator and above)')
    .option('--copy-volumes', "with --with-namespaces: copy each PVC's files (writes into the source)")
    .option('--ready-timeout <sec>', 'with --with-namespaces: how long workloads may take to become Ready')
    .option('--confirm <text>', 'typed confirmation, when the server asks for one')
    .option('--idempotency-key <key>', 'reuse to make a retried apply a no-op (default: a new key)')
    .option('-w, --watch', 'watch the runs to their end; the exit code is their outcome')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Exit codes with --watch: 0 succeeded, 1 failed, 2 cancelled, rejected or rolled back,
3 partially succeeded (some clusters created, some not). A clone a policy forbids exits 1
with the policy's message.

Examples:
  $ dolly apply 4c0f8a2e-… --watch
  $ dolly plan get 4c0f8a2e-… -o json > plan.json && $EDITOR plan.json && dolly apply plan.json --watch
  $ dolly apply plan.json --items 0 -o json
  $ dolly apply 4c0f8a2e-… --with-namespaces shop,payments --watch   # one environment run: clone, then migrate`,
    )
    .action(
      handle<ApplyOptions, [string]>(rt, async (kit, opts, ref) => {
        const workloads = workloadsOf(opts);
        const { api } = kit.session();
        const planId = await planIdOf(kit, api, ref);
        const runs = await applyPlan(kit, api, planId, {
          ...(opts.items ? { items: parseItems(opts.items) } : {}),
          ...(opts.confirm ? { confirm: opts.confirm } : {}),
          ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
          ...(workloads ? { workloads } : {}),
        });
        if (opts.watch)
          return watchToOutcome(
            kit,
            api,
            runs.map((r) => r.id),
          );
        kit.print({ runs }, () =>
          [
            runsTable(kit, runs),
            kit.pc.dim(`Watch: dolly runs watch ${runs.map((r) => r.id).join(' ')}`),
          ].join('\n'),
        );
        return 0;
      }),
    );
}
