import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { handle } from '../command-kit.ts';
import { outputOption } from '../output/format.ts';
import { resolveAccount } from '../refs.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import type { Runtime } from '../runtime.ts';
import { runDetail } from './runs.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerSyncCommand(program: Command, rt: Runtime): void {
  program
    .command('sync')
    .description(
      'Discover the clusters of the connected accounts (all, or the ones named) into the inventory',
    )
    .option('-a, --account <account>', 'account id or name; repeat for several (default: all)', collect, [])
    .option('-w, --watch', 'watch the sync run to its end; the exit code is its outcome')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Examples:
  $ dolly sync --watch
  $ dolly sync --account "Sandbox AWS" --account "Sandbox Azure" -o json`,
    )
    .action(
      handle<{ account: string[]; watch?: boolean }>(rt, async (kit, opts) => {
        const { api } = kit.session();
        const accountIds: string[] = [];
        for (const ref of opts.account) accountIds.push((await resolveAccount(api, ref)).id);
        const run = await api.syncInventory(accountIds.length ? { accountIds } : {}, randomUUID());
        if (opts.watch) return watchToOutcome(kit, api, [run.id]);
        kit.print(run, () => `${runDetail(kit, run)}\n${kit.pc.dim(`Watch: dolly runs watch ${run.id}`)}`);
        return 0;
      }),
    );
}
