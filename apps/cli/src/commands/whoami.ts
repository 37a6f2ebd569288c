import type { Command } from 'commander';
import { handle } from '../command-kit.ts';
import { outputOption } from '../output/format.ts';
import { renderFields } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';

export function registerWhoamiCommand(program: Command, rt: Runtime): void {
  program
    .command('whoami')
    .description('Who the current token acts as: user, tenant, role and server')
    .addOption(outputOption())
    .action(
      handle<object>(rt, async (kit) => {
        const { api, target } = kit.session();
        const me = await api.me();
        const { csrfToken: _csrf, ...info } = me;
        kit.print({ ...info, url: target.url, context: target.context?.name ?? null }, () =>
          renderFields([
            ['User', `${me.user.name} <${me.user.email}>`],
            ['Tenant', `${me.tenant.name} (${me.tenant.slug})`],
            ['Role', me.role],
            ['Server', target.url],
            [
              'Context',
              target.context?.name ??
                `(from DOLLY_URL${target.tokenFrom === 'DOLLY_TOKEN' ? ' and DOLLY_TOKEN' : ''})`,
            ],
          ]),
        );
        return 0;
      }),
    );
}
