/**
 * Webhooks as a tenant admin meets them: added over REST, fired by real runs through the queue and
 * the worker, received by an HTTP server in this test that checks the signature like a customer's
 * receiver would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  /** when the receiver got it (ms) */
  at: number;
}
interface Delivery {
  id: string;
  runId: string | null;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

const PUBLIC_URL = 'https://dolly.example.test';
/** DOLLY_WEBHOOK_BACKOFF_MS of the harness: retries 100 ms apart (doubling) so six attempts fit */
const BACKOFF_MS = 100;
const LEAK = 'receiver-internal-detail-7f3a';
const received: Received[] = [];
/** answers per path, in order; the last repeats */
const script = new Map<string, number[]>();
let receiver: Server;
let base: string;
let h: Harness;
let owner: { cookie: string; csrf: string };
const created: string[] = [];

async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const res = await h.app.inject({
    method,
    url,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, headers: res.headers, body: (res.body ? res.json() : undefined) as T };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function addWebhook(path: string, events: string[], format: 'json' | 'slack' = 'json') {
  const res = await api<{ id: string; secret: string; url: string }>('POST', '/api/v1/webhooks', {
    url: `${base}${path}`,
    format,
    events,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  created.push(res.body.id);
  return res.body;
}

function verify(secret: string, r: Received) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-dolly-signature'] ?? ''));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const deliveries = async (id: string) =>
  (await api<{ items: Delivery[] }>('GET', `/api/v1/webhooks/${id}/deliveries`)).body.items;

async function selftest() {
  const res = await api<{ id: string }>('POST', '/api/v1/selftest', { note: 'webhooks' });
  expect(res.status).toBe(202);
  return res.body.id;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({
        path,
        headers: req.headers,
        raw: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const answers = script.get(path) ?? [200];
      const code = answers.length > 1 ? (answers.shift() as number) : (answers[0] ?? 200);
      res.statusCode = code;
      res.end(code >= 300 ? LEAK : 'ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // the API enqueues the ping, so it gets the backoff too
  h = await startHarness({ DOLLY_PUBLIC_URL: PUBLIC_URL, DOLLY_WEBHOOK_BACKOFF_MS: String(BACKOFF_MS) });
  owner = await login(h.app, 'owner@demo.dolly');
});

afterAll(async () => {
  // The demo tenant is shared with later suites: leave no webhooks behind.
  for (const id of created) await api('DELETE', `/api/v1/webhooks/${id}`).catch(() => undefined);
  await h?.close();
  receiver?.close();
});

describe('webhooks', () => {
  it('signs what a succeeded run sends, links the run page, and logs the delivery', async () => {
    const hook = await addWebhook('/ok', ['run.succeeded', 'run.failed']);
    expect(hook.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    const listed = await api<{ items: Record<string, unknown>[] }>('GET', '/api/v1/webhooks');
    const row = listed.body.items.find((w) => w.id === hook.id);
    expect(row).toMatchObject({ url: `${base}/ok`, format: 'json', enabled: true });
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);

    const runId = await selftest();
    const got = await waitFor('the succeeded event', () =>
      received.find((r) => r.path === '/ok' && r.raw.includes(runId)),
    );
    expect(verify(hook.secret, got)).toBe(true);
    expect(verify('whsec_wrong', got)).toBe(false);
    expect(got.headers['x-dolly-event']).toBe('run.succeeded');
    expect(got.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got.raw) as Record<string, unknown>;
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
    expect(body).toMatchObject({
      event: 'run.succeeded',
      run: { id: runId, kind: 'selftest', status: 'succeeded', url: `${PUBLIC_URL}/runs/${runId}` },
      tenant: { id: tenant.id, slug: 'demo' },
    });
    expect(Date.parse(String(body.occurredAt))).not.toBeNaN();

    const log = await waitFor('a delivered row', async () =>
      (await deliveries(hook.id)).find((d) => d.runId === runId && d.status === 'delivered'),
    );
    expect(got.headers['x-dolly-delivery']).toBe(log.id);
    expect(log).toMatchObject({ event: 'run.succeeded', attempts: 1, lastStatusCode: 200, lastError: null });
    // subscribed to failures too, but this run did not fail: one delivery, no more
    expect((await deliveries(hook.id)).filter((d) => d.runId === runId)).toHaveLength(1);
  });

  it('retries a receiver that fails, and records every attempt without its answer', async () => {
    script.set('/flaky', [500, 200]);
    script.set('/down', [503]);
    const flaky = await addWebhook('/flaky', ['run.succeeded']);
    const down = await addWebhook('/down', ['run.succeeded']);
    const runId = await selftest();
    // what the log says after each failed attempt: when the next one is due
    const scheduled = new Map<number, number>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const d = (await deliveries(down.id)).find((x) => x.runId === runId);
        if (d?.status === 'pending' && d.attempts > 0 && d.nextAttemptAt)
          scheduled.set(d.attempts, Date.parse(d.nextAttemptAt));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const flakyLog = await waitFor('the flaky delivery to succeed', async () =>
      (await deliveries(flaky.id)).find((d) => d.runId === runId && d.status === 'delivered'),
    );
    expect(flakyLog).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    const attempts = received.filter((r) => r.path === '/flaky' && r.raw.includes(runId));
    expect(attempts).toHaveLength(2);
    // a retry is the same delivery: same id, same bytes, same signature
    expect(attempts[1]?.raw).toBe(attempts[0]?.raw);
    expect(attempts[1]?.headers['x-dolly-delivery']).toBe(attempts[0]?.headers['x-dolly-delivery']);
    expect(attempts.every((a) => verify(flaky.secret, a))).toBe(true);

    const downLog = await waitFor('the down delivery to give up', async () =>
      (await deliveries(down.id)).find((d) => d.runId === runId && d.status === 'failed'),
    );
    watching = false;
    await watch;
    expect(downLog).toMatchObject({ attempts: 6, lastStatusCode: 503, nextAttemptAt: null });
    // Backoff: attempt n+1 comes no sooner than BACKOFF_MS * 2^(n-1) after attempt n, and the log
    // said so in advance (nextAttemptAt after the attempt it follows, the wait doubling each time).
    const times = received.filter((r) => r.path === '/down' && r.raw.includes(runId)).map((r) => r.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(BACKOFF_MS * 2 ** i * 0.9);
    expect(scheduled.size).toBeGreaterThanOrEqual(2);
    const waits = [...scheduled].sort(([a], [b]) => a - b);
    for (const [attempt, next] of waits) {
      const wait = next - (times[attempt - 1] as number);
      expect(wait).toBeGreaterThanOrEqual(BACKOFF_MS * 2 ** (attempt - 1));
      expect(wait).toBeLessThan(BACKOFF_MS * 2 ** (attempt - 1) + 1000);
    }
    const waitOf = ([attempt, next]: [number, number]) => next - (times[attempt - 1] as number);
    for (let i = 1; i < waits.length; i++)
      expect(waitOf(waits[i] as [number, number])).toBeGreaterThan(waitOf(waits[i - 1] as [number, number]));
    expect(downLog.lastError).toContain('503');
    expect(JSON.stringify(await deliveries(down.id))).not.toContain(LEAK);
    expect(received.filter((r) => r.path === '/down' && r.raw.includes(runId))).toHaveLength(6);
  });

  it('reports a failed run', async () => {
    const hook = await addWebhook('/failed', ['run.failed']);
    // an account whose cloud answers nothing: its sync fails
    const account = await api<{ id: string }>('POST', '/api/v1/accounts', {
      name: `webhook-dead-${Date.now()}`,
      cloud: 'aws',
      endpoint: 'http://127.0.0.1:9',
      credentials: {
        kind: 'aws-access-key',
        accessKeyId: 'AKIAWEBHOOKTEST0000',
        secretAccessKey: 'webhook-test-secret-key',
      },
      settings: { regions: ['us-east-1'] },
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    try {
      const sync = await api<{ id: string }>('POST', '/api/v1/inventory/sync', {
        accountIds: [account.body.id],
      });
      expect(sync.status, JSON.stringify(sync.body)).toBe(202);
      const got = await waitFor(
        'the failed event',
        () => received.find((r) => r.path === '/failed' && r.raw.includes(sync.body.id)),
        60_000,
      );
      expect(verify(hook.secret, got)).toBe(true);
      expect(JSON.parse(got.raw)).toMatchObject({
        event: 'run.failed',
        run: { id: sync.body.id, kind: 'sync', status: 'failed', url: `${PUBLIC_URL}/runs/${sync.body.id}` },
      });
    } finally {
      await api('DELETE', `/api/v1/accounts/${account.body.id}`);
    }
  }, 90_000);

  it('sends a signed ping from the test button, also in Slack format', async () => {
    const hook = await addWebhook('/slack', ['run.pending_approval'], 'slack');
    const res = await api<Delivery>('POST', `/api/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event: 'ping', status: 'pending', attempts: 0 });
    const got = await waitFor('the ping', () =>
      received.find((r) => r.path === '/slack' && r.headers['x-dolly-delivery'] === res.body.id),
    );
    expect(verify(hook.secret, got)).toBe(true);
    expect(got.headers['x-dolly-event']).toBe('ping');
    expect(Object.keys(JSON.parse(got.raw) as object)).toEqual(['text']);
  });

  it('refuses private and link-local URLs with problem+json', async () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.8/hook',
      'https://[::1]/hook',
      'http://hooks.example.com/plain-http',
    ]) {
      const res = await api<{ code: string; errors: { path: string; message: string }[] }>(
        'POST',
        '/api/v1/webhooks',
        { url, events: ['run.failed'] },
      );
      expect(res.status, url).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors[0]?.path).toBe('body.url');
    }
    const hook = await addWebhook('/ok2', ['run.failed']);
    const patched = await api('PATCH', `/api/v1/webhooks/${hook.id}`, { url: 'https://169.254.169.254/x' });
    expect(patched.status).toBe(400);
  });

  it('checks the address again when it connects (a URL that turned internal after it was saved)', async () => {
    const hook = await addWebhook('/later', ['run.failed']);
    // what DNS rebinding or an older row amounts to: a stored URL on an internal address
    await h.db.webhook.update({ where: { id: hook.id }, data: { url: 'http://10.255.255.1:9/hook' } });
    const ping = await api<Delivery>('POST', `/api/v1/webhooks/${hook.id}/test`);
    const log = await waitFor('the refused delivery', async () =>
      (await deliveries(hook.id)).find((d) => d.id === ping.body.id && d.status === 'failed'),
    );
    // refused for good at once: retrying cannot make the address public
    expect(log).toMatchObject({ attempts: 1, lastStatusCode: null });
    expect(log.lastError).toContain('internal address');
  });

  it('is for admins, audits create and delete, and deleting stops deliveries', async () => {
    const operator = await login(h.app, 'operator@demo.dolly');
    const denied = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrf },
      payload: { url: `${base}/nope`, events: ['run.failed'] },
    });
    expect(denied.statusCode).toBe(403);

    const hook = await addWebhook('/gone', ['run.succeeded']);
    expect((await api('DELETE', `/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    const actions = (
      await h.db.auditEntry.findMany({
        where: {
          action: { in: ['webhook.create', 'webhook.delete'] },
          createdAt: { gte: new Date(Date.now() - 60_000) },
        },
      })
    ).map((a) => a.action);
    expect(actions).toContain('webhook.create');
    expect(actions).toContain('webhook.delete');

    const runId = await selftest();
    await waitFor('the run to finish', async () => {
      const run = await h.db.run.findUniqueOrThrow({ where: { id: runId } });
      return run.status === 'succeeded' ? run : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(0);
  });
});
