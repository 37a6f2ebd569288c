import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClonePlan, bundledCatalog, clonePlanSchema, validatePlan } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox, uniqueSuffix } from './support/sync.ts';

type StoredPlan = {
  id: string;
  targetEnvironment: string | null;
  requiresApproval: boolean;
  document: ClonePlan;
};
type Run = {
  id: string;
  kind: string;
  status: string;
  planId: string | null;
  parentRunId: string | null;
  result?: { clusterId?: string };
};

let s: CliStack;
const suffix = uniqueSuffix();
const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.close();
});

/** AWS shop-dev into the Azure account as a dev cluster: allowed for developers, no approval. */
const planArgs = (nameSuffix: string) => [
  'plan',
  '--source-cluster',
  'aws/us-west-2/shop-dev',
  '--target-account',
  'Sandbox Azure',
  '--target-environment',
  'dev',
  '--name-suffix',
  nameSuffix,
];

describe('dolly plan', () => {
  it('plans a clone of an inventory cluster, stored and explained', async () => {
    const plan = await s.dollyJson<StoredPlan>(planArgs(`${suffix}a`));
    expect(plan.targetEnvironment).toBe('dev');
    expect(plan.document.id).toBe(plan.id);
    const item = plan.document.items[0]!;
    expect(item.target).toMatchObject({ cloud: 'azure', name: `shop-dev${suffix}a` });
    expect(item.decisions.find((d) => d.path === 'nodePools[0].machineType')?.reason).toMatch(/vCPU/);

    const table = await s.dolly(['plan', 'get', plan.id, '-o', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/shop-dev \(EKS us-west-2\)\s+→\s+shop-dev.* \(AKS /);
    expect(table.stdout).toContain(`dolly apply ${plan.id} --watch`);
    // The sandbox answers AKS's version list: the plan was made with it, and says when.
    expect(plan.document.catalog).toMatchObject({ source: 'live', account: 'Sandbox Azure' });
    expect(table.stdout).toContain(`Catalog: live from Sandbox Azure at ${plan.document.catalog?.fetchedAt}`);
  });

  it("selects by account, location and labels, like Cluster Cloner's flags", async () => {
    const plan = await s.dollyJson<StoredPlan>([
      'plan',
      '--source-account',
      'Sandbox AWS',
      '--source-location',
      'us-east-1',
      '--label-filter',
      'env=prod,team=shop',
      '--target-account',
      'Sandbox Azure',
      '--target-location',
      'northeurope',
      '--target-environment',
      'dev',
    ]);
    expect(plan.document.items.map((i) => [i.source.name, i.target.location])).toEqual([
      ['shop-prod', 'northeurope'],
    ]);
  });

  it('still plans offline from a file, with no server at all', async () => {
    const r = await s.dolly(['plan', '--source', 'examples/gke-shop-prod.json', '--target-cloud', 'aws'], {
      env: { DOLLY_URL: undefined, DOLLY_TOKEN: undefined },
    });
    expect(r.code, r.stderr).toBe(0);
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(validatePlan(plan, bundledCatalog).ok).toBe(true);
  });

  it('refuses mixing the offline file with inventory flags', async () => {
    const r = await s.dolly([
      'plan',
      '--source',
      'examples/gke-shop-prod.json',
      '--target-account',
      'Sandbox AWS',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--source plans offline; --target-account need the inventory/);
  });

  it('exits non-zero with the policy message when a developer clones into prod', async () => {
    const r = await s.dolly([
      'plan',
      '--source-cluster',
      'azure/westeurope/shop-prod',
      '--target-account',
      'Sandbox AWS',
      '--target-environment',
      'prod',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: A clone policy forbids this \(403 policy_denied\)$/m);
    expect(r.stderr).toMatch(/Developers cannot clone into prod \[rule: /);
  });
});

describe('dolly apply and runs', () => {
  let cloneRun: Run;

  it('applies a plan and watches it to success with exit code 0', async () => {
    const plan = await s.dollyJson<StoredPlan>(planArgs(`${suffix}b`));
    const r = await s.dolly(['apply', plan.id, '--watch', '-o', 'table']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/✔ control-plane succeeded in/);
    expect(r.stdout).toMatch(/✔ Succeeded in .*: Clone shop-dev \(aws us-west-2\) → shop-dev.*b \(azure /);

    const runs = await s.dollyJson<Run[]>(['runs', 'list', '--plan', plan.id]);
    expect(runs).toHaveLength(1);
    cloneRun = await s.dollyJson<Run>(['runs', 'get', runs[0]!.id]);
    expect(cloneRun).toMatchObject({ kind: 'clone', status: 'succeeded', planId: plan.id });
    // The clone is in the inventory straight away (read back by the run).
    const created = await s.dollyJson<{ name: string; environment: string }[]>([
      'clusters',
      'list',
      '--cloud',
      'azure',
      '-q',
      `shop-dev${suffix}b`,
    ]);
    expect(created).toMatchObject([{ name: `shop-dev${suffix}b`, environment: 'dev' }]);
  });

  it('applies an edited plan file: saved to the plan first, then created as edited', async () => {
    const plan = await s.dollyJson<StoredPlan>(planArgs(`${suffix}c`));
    const file = join(s.dir, 'plan.json');
    writeFileSync(file, (await s.dolly(['plan', 'get', plan.id, '-o', 'json'])).stdout);
    const edited = JSON.parse(readFileSync(file, 'utf8')) as StoredPlan;
    edited.document.items[0]!.target.nodePools[0]!.nodeCount = 3;
    writeFileSync(file, JSON.stringify(edited, null, 2));

    const r = await s.dolly(['apply', file, '--watch']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Updated plan ${plan.id} from ${file}.`);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'clone', status: 'succeeded' });
    const stored = await s.dollyJson<StoredPlan>(['plan', 'get', plan.id]);
    expect(stored.document.items[0]!.target.nodePools[0]!.nodeCount).toBe(3);
  });

  it('refuses an edit the target cloud cannot take, naming the field', async () => {
    const plan = await s.dollyJson<StoredPlan>(planArgs(`${suffix}d`));
    plan.document.items[0]!.target.nodePools[0]!.machineType = 'Standard_Z99';
    const file = join(s.dir, 'bad-plan.json');
    writeFileSync(file, JSON.stringify(plan.document));
    const r = await s.dolly(['apply', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/422 unprocessable/);
    expect(r.stderr).toMatch(
      /body\.document\.items\[0\]\.target\.nodePools\[0\]\.machineType: unknown azure machine type "Standard_Z99"/,
    );
  });

  it('exits 1 when the run fails, with the step, the cloud message and what to do next', async () => {
    // shop-dev already exists in the Azure resource group and was not created by this plan.
    const plan = await s.dollyJson<StoredPlan>([
      'plan',
      '--source-cluster',
      'aws/us-west-2/shop-dev',
      '--target-account',
      'Sandbox Azure',
      '--target-location',
      'westeurope',
      '--target-environment',
      'dev',
    ]);
    const r = await s.dolly(['apply', plan.id, '--watch', '-o', 'table']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ control-plane failed after .*already exists/);
    expect(r.stdout).toMatch(/✖ Failed in .*\n {2}control-plane: AKS cluster .*shop-dev already exists/);
    expect(r.stdout).toMatch(/resume: dolly runs retry \S+ {3}undo: dolly runs rollback \S+/);
  });

  it('asks for the typed confirmation before creating into prod', async () => {
    const name = `shop-dev${suffix}g`;
    const plan = await s.dollyJson<StoredPlan>(
      [...planArgs(`${suffix}g`).slice(0, -4), '--target-environment', 'prod', '--name-suffix', `${suffix}g`],
      operator(),
    );
    const refused = await s.dolly(['apply', plan.id], operator());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/confirmation_required/);
    expect(refused.stderr).toContain(`repeat the cluster name "${name}"`);
    const confirmed = await s.dolly(['apply', plan.id, '--confirm', name, '--watch'], operator());
    expect(confirmed.code, confirmed.stderr).toBe(0);
  });

  it('rolls a clone back as an operator and watches the rollback to its end', async () => {
    const r = await s.dolly(['runs', 'rollback', cloneRun.id, '--watch', '-o', 'json'], operator());
    expect(r.code, r.stderr).toBe(0);
    const rollback = JSON.parse(r.stdout) as Run;
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', parentRunId: cloneRun.id });
    expect(r.stderr).toMatch(/rollback started run /);
  });
});

describe('approval', () => {
  const env = `cli-approval${suffix}`;
  let policyId: string;
  beforeAll(async () => {
    const res = await s.harness.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      headers: { authorization: `Bearer ${s.tokens.admin}` },
      payload: {
        name: `cli test approval ${suffix}`,
        effect: 'allow',
        roles: ['developer'],
        target: { env: [env] },
        requireApproval: true,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    policyId = (res.json() as { id: string }).id;
  });
  afterAll(async () => {
    await s.harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/policies/${policyId}`,
      headers: { authorization: `Bearer ${s.tokens.admin}` },
    });
  });

  const pendingRun = async (nameSuffix: string): Promise<Run> => {
    const plan = await s.dollyJson<StoredPlan>([
      ...planArgs(nameSuffix).slice(0, -4),
      '--target-environment',
      env,
      '--name-suffix',
      nameSuffix,
    ]);
    expect(plan.requiresApproval).toBe(true);
    const r = await s.dolly(['apply', plan.id, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 run\(s\) wait for approval: dolly runs approve /);
    const [run] = (JSON.parse(r.stdout) as { runs: Run[] }).runs;
    expect(run?.status).toBe('pending_approval');
    return run!;
  };

  it('waits for an operator to approve, then watches to success', async () => {
    const run = await pendingRun(`${suffix}e`);
    const approved = await s.dollyJson<Run>(
      ['runs', 'approve', run.id, '--reason', 'ok for the test'],
      operator(),
    );
    expect(approved.status).not.toBe('pending_approval');
    const r = await s.dolly(['runs', 'watch', run.id, '-o', 'table']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ Succeeded/);
  });

  it('exits 2 when the run is rejected', async () => {
    const run = await pendingRun(`${suffix}f`);
    expect((await s.dolly(['runs', 'reject', run.id, '--reason', 'not today'], operator())).code).toBe(0);
    const r = await s.dolly(['runs', 'watch', run.id, '-o', 'table']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✖ Rejected/);
  });
});
