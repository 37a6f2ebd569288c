import { randomUUID } from 'node:crypto';
import { runKinds } from '@dolly/contracts';
import { type Command, Option } from 'commander';
import type { Run, RunAction } from '../api/types.ts';
import { type CommandKit, handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { elapsed, since } from '../output/time.ts';
import { statusText } from '../run/outcome.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import type { Runtime } from '../runtime.ts';

export function runsTable(kit: CommandKit, runs: Run[]): string {
  const now = Date.now();
  return renderTable(
    runs,
    [
      { header: 'id', value: (r) => r.id },
      { header: 'kind', value: (r) => r.kind },
      { header: 'status', value: (r) => statusText(r.status, kit.pc) },
      { header: 'title', value: (r) => r.title ?? '' },
      { header: 'created', value: (r) => since(r.createdAt, now) },
      { header: 'duration', value: (r) => elapsed(r.startedAt, r.finishedAt, now) },
    ],
    'No runs.',
  );
}

const text = (v: unknown): string | undefined =>
  v === undefined || v === null
    ? undefined
    : typeof v === 'string'
      ? v
      : typeof v === 'object' && 'message' in v && typeof v.message === 'string'
        ? v.message
        : JSON.stringify(v);

export function runDetail(kit: CommandKit, r: Run): string {
  const now = Date.now();
  return [
    renderFields([
      ['Run', r.id],
      ['Title', r.title],
      ['Status', statusText(r.status, kit.pc)],
      ['Kind', r.kind],
      [
        'Plan',
        r.planId ? `${r.planId}${r.planItemIndex != null ? ` item ${r.planItemIndex}` : ''}` : undefined,
      ],
      ['Parent run', r.parentRunId],
      [
        'Child runs',
        r.children?.length
          ? r.children.map((c) => `${c.step}: ${c.id} (${c.status.replace('_', ' ')})`).join('\n')
          : undefined,
      ],
      ['Requested by', r.requestedBy],
      ['Approved by', r.approvedBy ? `${r.approvedBy} at ${r.approvedAt ?? '?'}` : undefined],
      [
        'Resources',
        r.resources?.length
          ? `${r.resources.filter((x) => !x.deletedAt).length} live of ${r.resources.length} created`
          : undefined,
      ],
      ['Created', r.createdAt],
      ['Started', r.startedAt],
      ['Finished', r.finishedAt],
      ['Duration', elapsed(r.startedAt, r.finishedAt, now)],
      [
        'Error',
        r.error === undefined ? undefined : `${text(r.error)}${r.errorClass ? ` (${r.errorClass})` : ''}`,
      ],
    ]),
    '',
    renderTable(
      r.steps ?? [],
      [
        { header: 'step', value: (s) => s.key },
        { header: 'status', value: (s) => s.status },
        { header: 'attempt', value: (s) => String(s.attempt) },
        { header: 'duration', value: (s) => elapsed(s.startedAt, s.finishedAt, now) },
        { header: 'error', value: (s) => text(s.error) ?? '' },
      ],
      'No steps yet.',
    ),
  ].join('\n');
}

export function registerRunsCommand(program: Command, rt: Runtime): void {
  const runs = program
    .command('runs')
    .alias('run')
    .description('Long operations (sync, clone, rollback, migrate): list, inspect, watch, steer')
    .addHelpText(
      'after',
      `
Exit codes of watch (and of every --watch): 0 succeeded, 1 failed, 2 cancelled, rejected or
rolled back, 3 partially succeeded; 130 when you stop watching with Ctrl-C (the run goes on).

Examples:
  $ dolly runs list --status running
  $ dolly runs watch 0b6f…   # live steps, exits with the run's outcome
  $ dolly runs retry 0b6f… --watch
  $ dolly runs rollback 0b6f… --watch
  $ dolly runs approve 0b6f…`,
    );

  runs
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List runs, newest first')
    .addOption(new Option('--kind <kind>', 'only runs of this kind').choices(runKinds))
    .option('--status <status>', 'e.g. running, failed, pending_approval')
    .option('--plan <id>', 'runs of one plan')
    .option('--limit <n>', 'how many', '50')
    .addOption(outputOption())
    .action(
      handle<{ kind?: Run['kind']; status?: string; plan?: string; limit: string }>(rt, async (kit, opts) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive number');
        const page = await kit.session().api.listRuns({
          ...(opts.kind ? { kind: opts.kind } : {}),
          ...(opts.status ? { status: opts.status } : {}),
          ...(opts.plan ? { planId: opts.plan } : {}),
          limit,
        });
        kit.print(page.items, () => runsTable(kit, page.items));
        return 0;
      }),
    );

  runs
    .command('get')
    .description('One run with its steps')
    .argument('<id>', 'run id')
    .addOption(outputOption())
    .action(
      handle<object, [string]>(rt, async (kit, _opts, id) => {
        const run = await kit.session().api.getRun(id);
        kit.print(run, () => runDetail(kit, run));
        return 0;
      }),
    );

  runs
    .command('watch')
    .description('Live progress until the runs end; exits with their outcome')
    .argument('<ids...>', 'run ids')
    .addOption(outputOption())
    .action(
      handle<object, [string[]]>(rt, async (kit, _opts, ids) => watchToOutcome(kit, kit.session().api, ids)),
    );

  const act = (action: RunAction, description: string, extra?: (cmd: Command) => Command) => {
    const returnsNewRun = action === 'retry' || action === 'rollback';
    let cmd = runs
      .command(action)
      .description(description)
      .argument('<id>', 'run id')
      .addOption(outputOption());
    if (returnsNewRun) cmd = cmd.option('-w, --watch', 'watch the new run to its end (exit code = outcome)');
    if (extra) cmd = extra(cmd);
    cmd.action(
      handle<{ watch?: boolean; reason?: string }, [string]>(rt, async (kit, opts, id) => {
        const { api } = kit.session();
        // A fresh key per invocation: a request retried by the network never starts two runs.
        const run = await api.runAction(id, action, {
          idempotencyKey: randomUUID(),
          ...(opts.reason ? { reason: opts.reason } : {}),
        });
        if (returnsNewRun && run.id !== id) kit.note(`${action} started run ${run.id}`);
        if (opts.watch) return watchToOutcome(kit, api, [run.id]);
        kit.print(run, () => runDetail(kit, run));
        return 0;
      }),
    );
  };
  const reason = (c: Command) => c.option('--reason <text>', 'why, for the requester and the audit log');
  act('cancel', 'Cancel a run: the step in flight is stopped; retry or rollback later', reason);
  act('retry', 'Resume a failed or cancelled run from the step that failed (a new run)');
  act('rollback', 'Delete what a run created, in reverse order (a new run)');
  act('approve', 'Approve a run waiting for approval', reason);
  act('reject', 'Reject a run waiting for approval', reason);
}
