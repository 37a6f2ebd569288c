import type { Command } from 'commander';
import { Option } from 'commander';
import type { ApiToken } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderTable } from '../output/table.ts';
import { since } from '../output/time.ts';
import type { Runtime } from '../runtime.ts';

const ROLES = ['owner', 'admin', 'operator', 'developer', 'viewer'] as const;

const state = (t: ApiToken, now: number): string =>
  t.revokedAt
    ? 'revoked'
    : t.expiresAt && Date.parse(t.expiresAt) < now
      ? 'expired'
      : t.expiresAt
        ? `expires ${t.expiresAt.slice(0, 10)}`
        : 'active';

export function registerTokensCommand(program: Command, rt: Runtime): void {
  const tokens = program
    .command('tokens')
    .alias('token')
    .description('API tokens for scripts and CI (shown once, stored hashed, revocable)')
    .addHelpText(
      'after',
      `
Examples:
  $ dolly tokens list
  $ dolly tokens create ci-pipeline --role operator --expires-in-days 90
  $ dolly tokens create ci --role developer -o json | jq -r .token
  $ dolly tokens revoke 6f1c2f7e-…`,
    );

  tokens
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List tokens (admins see all of the tenant, others their own)')
    .addOption(outputOption())
    .action(
      handle<object>(rt, async (kit) => {
        const items = await kit.session().api.listTokens();
        const now = Date.now();
        kit.print(items, () =>
          renderTable(
            items,
            [
              { header: 'name', value: (t) => t.name },
              { header: 'role', value: (t) => t.role },
              { header: 'prefix', value: (t) => t.prefix },
              { header: 'state', value: (t) => state(t, now) },
              { header: 'last used', value: (t) => since(t.lastUsedAt, now) || 'never' },
              { header: 'created by', value: (t) => t.createdBy },
              { header: 'id', value: (t) => t.id },
            ],
            'No API tokens.',
          ),
        );
        return 0;
      }),
    );

  tokens
    .command('create')
    .description('Create a token; the secret is printed once')
    .argument('<name>', 'what the token is for, e.g. ci-pipeline')
    .addOption(new Option('--role <role>', 'at most your own role').choices(ROLES).makeOptionMandatory())
    .option('--expires-in-days <days>', 'expiry (default: never)')
    .addOption(outputOption())
    .action(
      handle<{ role: ApiToken['role']; expiresInDays?: string }, [string]>(rt, async (kit, opts, name) => {
        const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
        if (days !== undefined && (!Number.isInteger(days) || days < 1))
          throw new CliError('--expires-in-days must be a whole number of days');
        const created = await kit
          .session()
          .api.createToken({ name, role: opts.role, ...(days ? { expiresInDays: days } : {}) });
        kit.print(created, () => created.token);
        if (kit.format === 'table')
          kit.note(`Token "${created.name}" (${created.role}) created. It is shown only once: store it now.`);
        return 0;
      }),
    );

  tokens
    .command('revoke')
    .description('Revoke a token; scripts using it get 401 from now on')
    .argument('<id>', 'token id (dolly tokens list)')
    .action(
      handle<object, [string]>(rt, async (kit, _opts, id) => {
        await kit.session().api.revokeToken(id);
        kit.note(`Revoked token ${id}.`);
        return 0;
      }),
    );
}
