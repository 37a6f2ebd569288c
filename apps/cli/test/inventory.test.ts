import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox } from './support/sync.ts';

type Cluster = {
  id: string;
  cloud: string;
  location: string;
  name: string;
  environment: string | null;
  labels: Record<string, string>;
};
type Account = { id: string; name: string; cloud: string };

let s: CliStack;
beforeAll(async () => {
  s = await startCliStack();
});
afterAll(async () => {
  await s?.close();
});

const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });

describe('dolly accounts', () => {
  it('lists the connected accounts without their credentials', async () => {
    const accounts = await s.dollyJson<Account[]>(['accounts', 'list']);
    expect(accounts.map((a) => a.name)).toEqual(
      expect.arrayContaining(['Sandbox AWS', 'Sandbox Azure', 'Sandbox Google Cloud']),
    );
    expect(JSON.stringify(accounts)).not.toMatch(/secretAccessKey|clientSecret|private_key/);
  });

  it('gets one by name, as YAML', async () => {
    const r = await s.dolly(['accounts', 'get', 'Sandbox Azure', '-o', 'yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name: Sandbox Azure$/m);
    expect(r.stdout).toMatch(/^cloud: azure$/m);
  });

  it('tests the credentials against the cloud (admins)', async () => {
    const r = await s.dollyJson<{ ok: boolean; scopes: string[] }>(['accounts', 'test', 'Sandbox AWS'], {
      env: { DOLLY_TOKEN: s.tokens.admin },
    });
    expect(r.ok).toBe(true);
    expect(r.scopes).toContain('111111111111');
  });

  it('names an unknown account and lists the known ones', async () => {
    const r = await s.dolly(['accounts', 'get', 'Nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no cloud account "Nope"/);
    expect(r.stderr).toMatch(/accounts: .*Sandbox AWS/);
  });
});

describe('dolly sync', () => {
  it('is refused to a developer with the reason', async () => {
    const r = await s.dolly(['sync']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: Not allowed \(403 forbidden\)\n {2}The developer role cannot update Cluster/,
    );
  });

  it('watches the sync run to success, then the inventory has the sandbox fleet', async () => {
    const r = await s.dolly(
      ['sync', '--account', 'Sandbox AWS', '--account', 'Sandbox Azure', '--watch', '-o', 'table'],
      operator(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ discover:Sandbox AWS succeeded in/);
    expect(r.stdout).toMatch(/✔ Succeeded in .*: Inventory sync/);

    const clusters = await s.dollyJson<Cluster[]>(['clusters', 'list']);
    const names = clusters.map((c) => `${c.cloud}/${c.location}/${c.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'aws/us-east-1/shop-prod',
        'aws/us-west-2/shop-dev',
        'azure/westeurope/shop-prod',
        'azure/westeurope/shop-dev',
      ]),
    );
  });

  it('prints only the final run as JSON on stdout with -o json, progress on stderr', async () => {
    const r = await s.dolly(['sync', '--account', 'Sandbox AWS', '--watch', '-o', 'json'], operator());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'sync', status: 'succeeded' });
    expect(r.stderr).toMatch(/discover:Sandbox AWS/);
  });
});

describe('dolly clusters', () => {
  beforeAll(async () => {
    await syncSandbox(s);
  });

  it('filters by cloud, environment, label and location', async () => {
    const prodAws = await s.dollyJson<Cluster[]>(['clusters', 'list', '--cloud', 'aws', '--env', 'prod']);
    expect(prodAws.map((c) => c.name)).toEqual(['shop-prod']);
    const shopWesteurope = await s.dollyJson<Cluster[]>([
      'clusters',
      'list',
      '--label',
      'team=shop,env=dev',
      '--location',
      'westeurope',
    ]);
    expect(shopWesteurope.map((c) => `${c.cloud}/${c.name}`)).toEqual(['azure/shop-dev']);
    const byAccount = await s.dollyJson<Cluster[]>([
      'clusters',
      'list',
      '--account',
      'Sandbox Azure',
      '-q',
      'prod',
    ]);
    expect(byAccount.map((c) => c.name)).toEqual(['shop-prod']);
  });

  it('prints a table for people', async () => {
    const r = await s.dolly(['clusters', 'list', '--cloud', 'aws', '-o', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^NAME\s+CLOUD\s+LOCATION\s+SCOPE\s+ENV\s+VERSION\s+POOLS\s+NODES/,
    );
    expect(r.stdout).toMatch(/shop-prod\s+aws\s+us-east-1\s+111111111111\s+prod/);
  });

  it('gets a cluster by cloud/location/name with its node pools', async () => {
    const c = await s.dollyJson<{ name: string; nodePools: { name: string }[] }>([
      'clusters',
      'get',
      'aws/us-east-1/shop-prod',
    ]);
    expect(c.nodePools.map((p) => p.name).sort()).toEqual(['general', 'gpu', 'spot']);
    const table = await s.dolly(['clusters', 'get', 'aws/us-east-1/shop-prod', '-o', 'table']);
    expect(table.stdout).toMatch(/^Name:\s+shop-prod$/m);
    expect(table.stdout).toMatch(/gpu\s+\S+\s+\d+/);
  });

  it('asks which one when a name is ambiguous', async () => {
    const r = await s.dolly(['clusters', 'get', 'shop-prod']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"shop-prod" names \d+ clusters/);
    expect(r.stderr).toMatch(/aws\/us-east-1\/shop-prod \(/);
  });

  it('prints a kubeconfig for an operator, refuses a developer', async () => {
    const r = await s.dolly(['clusters', 'kubeconfig', 'aws/us-east-1/shop-prod'], operator());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^apiVersion: v1/m);
    expect(r.stdout).toMatch(/^kind: Config/m);
    const denied = await s.dolly(['clusters', 'kubeconfig', 'aws/us-east-1/shop-prod']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/403 forbidden/);
  });
});
