/**
 * The run events of a real clone against the sandbox clouds reach a tenant's webhooks: held for
 * approval (with the link an approver opens), succeeded after approval, rolled back.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

const PUBLIC_URL = 'https://dolly.example.test';
const suffix = `-${Date.now().toString(36).slice(-5)}`;
const received: { path: string; event: string; signature: string; raw: string }[] = [];
let receiver: Server;
let base: string;
let s: CloudStack;
const hooks: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        event: String(req.headers['x-dolly-event']),
        signature: String(req.headers['x-dolly-signature']),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  s = await startCloudStack({ overrides: { DOLLY_PUBLIC_URL: PUBLIC_URL, DOLLY_WEBHOOK_BACKOFF_MS: '100' } });
  await s.sync();
}, 90_000);

afterAll(async () => {
  for (const id of hooks) await s?.api('owner', 'DELETE', `/api/v1/webhooks/${id}`);
  await s?.close();
  receiver?.close();
});

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function addHook(path: string, format: 'json' | 'slack', events: string[]) {
  const res = await s.api<{ id: string; secret: string }>('owner', 'POST', '/api/v1/webhooks', {
    url: `${base}${path}`,
    format,
    events,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  hooks.push(res.body.id);
  return res.body;
}

/** A developer's clone that a policy holds for approval; the policy goes when `use` is done. */
async function withHeldRun(tag: string, use: (runId: string) => Promise<void>) {
  const policy = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', {
    name: `webhook-${tag}${suffix}`,
    effect: 'allow',
    roles: ['developer'],
    source: { env: ['prod'] },
    target: { env: ['staging'] },
    requireApproval: true,
    priority: 10,
  });
  expect(policy.status).toBe(201);
  try {
    const plan = await s.api<{ id: string }>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
      target: { accountId: s.account('azure').id, environment: 'staging', nameSuffix: `-${tag}${suffix}` },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const applied = await s.api<{ runs: RunView[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    expect(applied.body.runs[0]?.status).toBe('pending_approval');
    await use(applied.body.runs[0]?.id ?? '');
  } finally {
    await s.api('owner', 'DELETE', `/api/v1/policies/${policy.body.id}`);
  }
}

const signatureOf = (secret: string, raw: string) =>
  `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

describe('run events to webhooks', () => {
  it('tells approvers where to approve, then reports success and the rollback', async () => {
    const json = await addHook('/json', 'json', ['run.pending_approval', 'run.succeeded', 'run.rolled_back']);
    const slack = await addHook('/slack', 'slack', ['run.pending_approval']);

    await withHeldRun('wh', async (runId) => {
      const link = `${PUBLIC_URL}/runs/${runId}`;

      const toSlack = await waitFor('the slack approval message', () =>
        received.find((r) => r.path === '/slack' && r.raw.includes(runId)),
      );
      expect(toSlack.signature).toBe(signatureOf(slack.secret, toSlack.raw));
      const text = (JSON.parse(toSlack.raw) as { text: string }).text;
      expect(text).toContain('waiting for approval');
      expect(text).toContain(`<${link}|`);

      const waiting = await waitFor('the json approval event', () =>
        received.find(
          (r) => r.path === '/json' && r.event === 'run.pending_approval' && r.raw.includes(runId),
        ),
      );
      expect(JSON.parse(waiting.raw)).toMatchObject({
        event: 'run.pending_approval',
        run: { id: runId, kind: 'clone', status: 'pending_approval', url: link },
      });

      const approved = await s.api('operator', 'POST', `/api/v1/runs/${runId}/approve`, {});
      expect(approved.status).toBe(202);
      expect((await s.waitRun(runId)).status).toBe('succeeded');
      const done = await waitFor('the succeeded event', () =>
        received.find((r) => r.path === '/json' && r.event === 'run.succeeded' && r.raw.includes(runId)),
      );
      expect(done.signature).toBe(signatureOf(json.secret, done.raw));

      const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${runId}/rollback`, {});
      expect(rb.status, JSON.stringify(rb.body)).toBe(202);
      expect((await s.waitRun(rb.body.id)).status).toBe('succeeded');
      const rolledBack = await waitFor('the rolled back event', () =>
        received.find((r) => r.path === '/json' && r.event === 'run.rolled_back' && r.raw.includes(runId)),
      );
      expect(JSON.parse(rolledBack.raw)).toMatchObject({
        run: { id: runId, status: 'rolled_back', url: link },
      });
      // the slack hook only asked for approvals
      expect(received.filter((r) => r.path === '/slack')).toHaveLength(1);
      // each event once for the run, however many status writes and retries were behind it
      await new Promise((r) => setTimeout(r, 500));
      const forRun = received.filter((r) => r.path === '/json' && r.raw.includes(`"id":"${runId}"`));
      expect(forRun.map((r) => r.event).sort()).toEqual([
        'run.pending_approval',
        'run.rolled_back',
        'run.succeeded',
      ]);
    });
  }, 120_000);

  it('tells the tenant’s webhooks that an approver rejected a run', async () => {
    const json = await addHook('/rejected-json', 'json', ['run.rejected']);
    const slack = await addHook('/rejected-slack', 'slack', ['run.rejected']);
    await withHeldRun('rj', async (runId) => {
      const rejected = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${runId}/reject`, {
        reason: 'not this week',
      });
      expect(rejected.status, JSON.stringify(rejected.body)).toBe(202);
      expect(rejected.body.status).toBe('rejected');

      const got = await waitFor('the rejected event', () =>
        received.find((r) => r.path === '/rejected-json' && r.raw.includes(runId)),
      );
      expect(got.event).toBe('run.rejected');
      expect(got.signature).toBe(signatureOf(json.secret, got.raw));
      expect(JSON.parse(got.raw)).toMatchObject({
        event: 'run.rejected',
        run: { id: runId, kind: 'clone', status: 'rejected', url: `${PUBLIC_URL}/runs/${runId}` },
      });
      const toSlack = await waitFor('the slack rejection', () =>
        received.find((r) => r.path === '/rejected-slack' && r.raw.includes(runId)),
      );
      expect(toSlack.signature).toBe(signatureOf(slack.secret, toSlack.raw));
      expect((JSON.parse(toSlack.raw) as { text: string }).text).toContain('was rejected by an approver');
    });
  }, 120_000);
});
