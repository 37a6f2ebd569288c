import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClonePlan, clonePlanSchema } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox } from './support/sync.ts';

let s: CliStack;
beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.close();
});

describe('dolly clustercloner (Cluster Cloner compatible)', () => {
  it('prints the JSON plan of a dry run by default and creates nothing', async () => {
    const r = await s.dolly(
      [
        'clustercloner',
        '--inputcloud',
        'AWS',
        '--inputscope',
        '111111111111',
        '--inputlocation',
        'us-east-1',
        '--outputcloud',
        'Azure',
        '--labelfilter',
        'env=prod',
        // A prod source into an account with no default environment counts as a clone into prod,
        // which only operators may plan (developers get the prod guard's refusal).
      ],
      { env: { DOLLY_TOKEN: s.tokens.operator } },
    );
    expect(r.code, r.stderr).toBe(0);
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(plan.items.map((i) => [i.source.cloud, i.source.name, i.target.cloud])).toEqual([
      ['aws', 'shop-prod', 'azure'],
    ]);
    expect(r.stderr).toMatch(/Dry run: plan \S+ is stored, nothing was created/);
    const runs = await s.dollyJson<unknown[]>(['runs', 'list', '--plan', plan.id!]);
    expect(runs).toEqual([]);
  });

  it('takes the Go spellings of the flags', async () => {
    const r = await s.dolly([
      'clustercloner',
      '-inputcloud=Azure',
      '-inputlocation',
      'westeurope',
      '-labelfilter=env:dev',
      '-outputcloud=gcp',
      '-outputscope=dolly-demo-prod',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as ClonePlan;
    expect(plan.items.map((i) => [i.source.name, i.target.cloud, i.target.scope])).toEqual([
      ['shop-dev', 'gcp', 'dolly-demo-prod'],
    ]);
  });

  it('creates the cluster with --nodryrun: progress on stderr, the created cluster as JSON, exit 0', async () => {
    const r = await s.dolly([
      'clustercloner',
      '--inputcloud',
      'AWS',
      '--inputscope',
      '111111111111',
      '--inputlocation',
      'us-west-2',
      '--outputcloud',
      'GCP',
      '--outputscope',
      'dolly-demo-prod',
      '--nodryrun',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/✔ control-plane succeeded/);
    const created = JSON.parse(r.stdout) as {
      cloud: string;
      scope: string;
      name: string;
      location: string;
      clusterId: string;
    }[];
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ cloud: 'gcp', scope: 'dolly-demo-prod', name: 'shop-dev' });
    const cluster = await s.dollyJson<{ id: string; location: string }>([
      'clusters',
      'get',
      `gcp/${created[0]!.location}/shop-dev`,
    ]);
    expect(cluster.id).toBe(created[0]!.clusterId);
    // …and it is really in the sandbox cloud.
    const state = (await s.sandbox.admin('GET', '/_sandbox/state')).json;
    expect(JSON.stringify(state)).toContain(`"${created[0]!.location}"`);
  });

  it('plans a Cluster Cloner export file offline with --inputfile', async () => {
    const r = await s.dolly(
      [
        'clustercloner',
        '--inputfile',
        'examples/cluster-cloner-export.json',
        '--outputcloud',
        'Azure',
        '--labelfilter',
        'team=web',
      ],
      {
        env: { DOLLY_URL: undefined, DOLLY_TOKEN: undefined },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(plan.items.map((i) => [i.source.name, i.target.cloud])).toEqual([['legacy-web', 'azure']]);
  });

  it('says which accounts exist when no account of the input cloud reaches the scope', async () => {
    const r = await s.dolly([
      'clustercloner',
      '--inputcloud',
      'GCP',
      '--inputscope',
      'no-such-project',
      '--outputcloud',
      'AWS',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no gcp account reaches scope "no-such-project"/);
    expect(r.stderr).toMatch(/hint: accounts: .*Sandbox Google Cloud.*\(dolly-demo-prod/);
  });

  it('refuses --nodryrun with --inputfile, saying why', async () => {
    const file = join(s.dir, 'cc.json');
    writeFileSync(file, '[]');
    const r = await s.dolly(['clustercloner', '--inputfile', file, '--outputcloud', 'AWS', '-nodryrun']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dolly creates clusters from its inventory/);
  });
});
