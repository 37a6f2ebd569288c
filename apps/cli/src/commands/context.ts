import type { Command } from 'commander';
import { handle } from '../command-kit.ts';
import { findContext, removeContext, saveConfig } from '../config/store.ts';
import { outputOption } from '../output/format.ts';
import { renderTable } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';
import { openConfig } from '../session.ts';

/** Enough of a token to tell two apart, never enough to use one. */
const tokenHint = (token: string): string => `${token.slice(0, 12)}…`;

export function registerContextCommand(program: Command, rt: Runtime): void {
  const context = program
    .command('context')
    .description('Servers and tenants this CLI is logged in to (one context each)')
    .addHelpText(
      'after',
      `
Examples:
  $ dolly context list
  $ dolly context use prod@dolly.example.com
  $ dolly --context demo@localhost:8080 clusters list
  $ dolly context delete demo@localhost:8080`,
    );

  context
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List contexts; * marks the current one')
    .addOption(outputOption())
    .action(
      handle<object>(rt, (kit) => {
        const { config } = openConfig(rt).loaded;
        const rows = config.contexts.map((c) => ({
          current: c.name === config.currentContext,
          name: c.name,
          url: c.url,
          tenant: c.tenant ?? null,
          user: c.user ?? null,
          role: c.role ?? null,
          token: tokenHint(c.token),
        }));
        kit.print({ currentContext: config.currentContext ?? null, contexts: rows }, () =>
          renderTable(
            rows,
            [
              { header: 'current', value: (r) => (r.current ? '*' : '') },
              { header: 'name', value: (r) => r.name },
              { header: 'url', value: (r) => r.url },
              { header: 'tenant', value: (r) => r.tenant ?? '' },
              { header: 'user', value: (r) => r.user ?? '' },
              { header: 'role', value: (r) => r.role ?? '' },
            ],
            'No contexts: run dolly login.',
          ),
        );
        return 0;
      }),
    );

  context
    .command('use')
    .description('Make a context the current one')
    .argument('<name>', 'context name')
    .action(
      handle<object, [string]>(rt, (kit, _opts, name) => {
        const handleCfg = openConfig(rt);
        const ctx = findContext(handleCfg.loaded.config, name);
        saveConfig(handleCfg.file, { ...handleCfg.loaded.config, currentContext: ctx.name });
        kit.note(`Switched to context "${ctx.name}" (${ctx.url}).`);
        return 0;
      }),
    );

  context
    .command('current')
    .description('Print the name of the current context')
    .action(
      handle<object>(rt, (kit) => {
        const current = openConfig(rt).loaded.config.currentContext;
        if (!current) {
          kit.note('No current context: run dolly login.');
          return 1;
        }
        kit.rt.stdout.write(`${current}\n`);
        return 0;
      }),
    );

  context
    .command('delete')
    .alias('rm')
    .description('Forget a context and its token (the token stays valid on the server: dolly tokens revoke)')
    .argument('<name>', 'context name')
    .action(
      handle<object, [string]>(rt, (kit, _opts, name) => {
        const handleCfg = openConfig(rt);
        saveConfig(handleCfg.file, removeContext(handleCfg.loaded.config, name));
        kit.note(`Deleted context "${name}".`);
        return 0;
      }),
    );
}
