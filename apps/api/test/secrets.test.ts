import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CloudStack, type RunView, type Who, startCloudStack } from './support/cloud-stack.ts';

/**
 * Stored cloud credentials never leave the vault except into SDK clients: not in an answer, a log
 * line (API and worker, at debug level), a run event, a step checkpoint or error, or a job payload.
 */
const logLines: string[] = [];
const answers: string[] = [];
let s: CloudStack;

beforeAll(async () => {
  s = await startCloudStack({ logStream: { write: (line: string) => void logLines.push(line) } });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

async function call<T>(who: Who, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await s.api<T>(who, method, url, body);
  answers.push(JSON.stringify(res.body ?? null));
  return res;
}

function storedSecrets(): string[] {
  const out: string[] = [];
  for (const a of s.sandbox.accounts) {
    for (const [k, v] of Object.entries(a.credentials)) {
      if (!/secret|private|key/i.test(k) || /id$/i.test(k)) continue;
      if (typeof v === 'string' && v.length >= 12) out.push(v);
      // a PEM is checked line by line: a log would rarely carry it whole
      if (typeof v === 'string' && v.includes('-----BEGIN'))
        out.push(...v.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')));
    }
  }
  return out;
}

it('keeps every stored secret out of answers, logs, run events, checkpoints and job payloads', async () => {
  const secrets = storedSecrets();
  expect(secrets.length).toBeGreaterThanOrEqual(3);

  const sync = await call<RunView>('operator', 'POST', '/api/v1/inventory/sync', {
    accountIds: ['aws', 'azure', 'gcp'].map((c) => s.account(c as 'aws').id),
  });
  await s.waitRun(sync.body.id);
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    await call('owner', 'POST', `/api/v1/accounts/${s.account(cloud).id}/test`, {});
    await call('viewer', 'GET', `/api/v1/accounts/${s.account(cloud).id}`);
  }
  await call('viewer', 'GET', '/api/v1/accounts');
  // a clone that fails in the cloud, so errors and their details go through every channel too
  await s.sandbox.admin('POST', '/_sandbox/faults', {
    cloud: 'azure',
    operation: '*',
    kind: 'async-failure',
    count: 1,
  });
  const plan = await call<{ id: string }>('developer', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
    target: {
      accountId: s.account('azure').id,
      environment: 'dev',
      nameSuffix: `-sec${Date.now().toString(36).slice(-4)}`,
    },
  });
  const applied = await call<{ runs: RunView[] }>(
    'developer',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  const runId = applied.body.runs[0]?.id ?? '';
  const failed = await s.waitRun(runId);
  await s.sandbox.admin('DELETE', '/_sandbox/faults');
  expect(['failed', 'succeeded']).toContain(failed.status);
  const rollback = await call<RunView>('developer', 'POST', `/api/v1/runs/${runId}/rollback`, {});
  await s.waitRun(rollback.body.id);
  await call('viewer', 'GET', `/api/v1/runs/${runId}`);
  await call('viewer', 'GET', `/api/v1/runs/${runId}/events?after=0`);
  await call('viewer', 'GET', '/api/v1/runs?limit=200');
  await call('owner', 'GET', '/api/v1/audit?limit=200');

  const runs = await s.h.db.run.findMany({
    where: { tenantId: s.tenant.id },
    include: { events: true, steps: true, resources: true },
  });
  const stored = JSON.stringify(runs, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const jobKeys = await s.h.redis.keys(`${s.h.prefix}:runs:*`);
  const payloads: string[] = [];
  for (const key of jobKeys) {
    if ((await s.h.redis.type(key)) === 'hash') payloads.push(JSON.stringify(await s.h.redis.hgetall(key)));
  }
  expect(logLines.length, 'log lines').toBeGreaterThan(0);
  expect(payloads.length, `job payloads under ${s.h.prefix}`).toBeGreaterThan(0);
  const haystacks = {
    answers: answers.join('\n'),
    logs: logLines.join(''),
    runs: stored,
    jobs: payloads.join('\n'),
  };
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of secrets)
      expect(text.includes(secret), `a stored secret appears in ${where}`).toBe(false);
  }
}, 120_000);
