import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox, uniqueSuffix } from './support/sync.ts';

// Needs /api/v1/recipes and the worker's migrate processor.
let s: CliStack;
const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });
const suffix = uniqueSuffix();
const name = `nightly-cli${suffix}`;
const ns = `shop-rcli${suffix}`.slice(0, 40);

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.harness.db.environmentRecipe.deleteMany({ where: { name: { endsWith: suffix } } });
  await s?.close();
});

const create = (extra: string[] = []) => [
  'recipes',
  'create',
  name,
  '--source-cluster',
  'aws/us-east-1/shop-prod',
  '--target-cluster',
  'aws/us-west-2/shop-dev',
  '-n',
  'shop',
  '--namespace-map',
  `shop=${ns}`,
  '--include-secrets',
  '--ready-timeout',
  '60',
  '--schedule',
  '0 2 * * *',
  '--timezone',
  'Europe/Berlin',
  ...extra,
];

describe('dolly recipes', () => {
  it('names the flag at fault, its own and the server’s', async () => {
    const noTarget = await s.dolly(
      ['recipes', 'create', name, '--source-cluster', 'aws/us-east-1/shop-prod', '-n', 'shop'],
      operator(),
    );
    expect(noTarget.code).toBe(1);
    expect(noTarget.stderr).toMatch(/--target-cluster: name the cluster to refresh/);
    const cron = await s.dolly(create(['--schedule', '0 2 * *']), operator());
    expect(cron.code).toBe(1);
    expect(cron.stderr).toMatch(/--schedule \(body\.schedule\): a five-field cron/);
    const tz = await s.dolly(create(['--timezone', 'Nowhere/Atlantis']), operator());
    expect(tz.stderr).toMatch(/--timezone \(body\.timezone\): .*not an IANA time zone/);
    const dev = await s.dolly(create());
    expect(dev.code).toBe(1);
    expect(dev.stderr).toMatch(/403 forbidden/);
  });

  it('creates, lists, runs now (watched to success), disables and deletes a recipe', async () => {
    const created = await s.dollyJson<{ id: string; nextRunAt: string; enabled: boolean }>(
      create(),
      operator(),
    );
    expect(created.enabled).toBe(true);
    expect(Date.parse(created.nextRunAt)).toBeGreaterThan(Date.now());

    const list = await s.dolly(['recipes', 'list', '-o', 'table'], {
      env: { DOLLY_TOKEN: s.tokens.developer },
    });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${name} +0 2 \\* \\* \\* \\(Europe/Berlin\\) +yes`));

    const run = await s.dolly(['recipes', 'run', name, '--watch', '-o', 'table'], operator());
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/✔ Succeeded/);
    const runs = await s.harness.db.run.findMany({ where: { recipeId: created.id } });
    expect(runs.map((r) => [r.kind, r.status])).toEqual([['migrate', 'succeeded']]);

    const shown = await s.dolly(['recipes', 'get', name, '-o', 'table'], operator());
    expect(shown.stdout).toMatch(/^Last run: +succeeded/m);
    expect(shown.stdout).toMatch(/^Source: +aws\/us-east-1\/shop-prod$/m);

    const off = await s.dollyJson<{ enabled: boolean; nextRunAt: string | null }>(
      ['recipes', 'update', name, '--disable'],
      operator(),
    );
    expect(off).toEqual(expect.objectContaining({ enabled: false, nextRunAt: null }));
    const nothing = await s.dolly(['recipes', 'update', name], operator());
    expect(nothing.stderr).toMatch(/nothing to change: give --name, --schedule/);

    const gone = await s.dolly(['recipes', 'delete', name], operator());
    expect(gone.code, gone.stderr).toBe(0);
    const missing = await s.dolly(['recipes', 'get', name], operator());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`no recipe "${name}"`));
  }, 240_000);
});
