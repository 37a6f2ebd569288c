import type { RunDto } from '@dolly/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function waitForRun(id: string, session: { cookie: string }, until: (run: RunDto) => boolean) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/runs/${id}`,
      headers: { cookie: session.cookie },
    });
    const run = res.json() as RunDto;
    if (until(run)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not reach the expected state`);
}

describe('health', () => {
  it('answers /healthz and /readyz while Postgres and Redis answer', async () => {
    expect((await h.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
  });

  it('answers /readyz 503 when Redis does not answer', async () => {
    const broken = await startHarness({ REDIS_URL: 'redis://127.0.0.1:1' }, { worker: false });
    try {
      for (const c of [broken.redis]) c.on('error', () => {});
      const res = await broken.app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'not_ready',
        checks: { postgres: { ok: true }, redis: { ok: false } },
      });
    } finally {
      await broken.close();
    }
  });

  it('exposes Prometheus metrics', async () => {
    await h.app.inject('/healthz');
    const res = await h.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('dolly_http_request_duration_seconds_bucket');
    expect(res.body).toContain('route="/healthz"');
  });
});

describe('errors are problem+json', () => {
  it('answers an unknown route with 404 route_not_found', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'route_not_found',
      type: 'https://dolly.dev/problems/route_not_found',
    });
  });

  it('names every bad field of a body', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nope', password: '' },
    });
    expect(res.statusCode).toBe(400);
    const problem = res.json() as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['body.email', 'body.password']);
  });

  it('refuses private routes without credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('echoes the request id', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'req-12345678' },
    });
    expect(res.headers['x-request-id']).toBe('req-12345678');
  });
});

describe('OpenAPI', () => {
  it('is generated from the route schemas', async () => {
    const doc = (await h.app.inject('/api/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/runs/{id}', '/api/v1/selftest', '/readyz']),
    );
    expect(doc.components.schemas).toHaveProperty('Problem');
    const ui = await h.app.inject('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });
});

describe('sessions', () => {
  it('rejects a wrong password without saying which part was wrong', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'owner@demo.dolly', password: 'wrong' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ detail: 'Wrong email or password' });
  });

  it('requires the CSRF token for mutating requests made with the cookie', async () => {
    const session = await login(h.app, 'developer@demo.dolly');
    const without = await h.app.inject({
      method: 'POST',
      url: '/api/v1/selftest',
      headers: { cookie: session.cookie },
      payload: {},
    });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'csrf_failed' });
  });

  it('lets a user switch between their tenants and nobody into a foreign one', async () => {
    const session = await login(h.app, 'owner@demo.dolly');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-tenant',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: { tenant: 'other' },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('a run end to end: API → queue → worker → Postgres → events', () => {
  it('runs the self-test to success with its steps and events', async () => {
    const session = await login(h.app, 'developer@demo.dolly');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/selftest',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: { note: 'from the test' },
    });
    expect(created.statusCode).toBe(202);
    const run = created.json() as RunDto;
    expect(run.status).toBe('queued');
    const done = await waitForRun(run.id, session, (r) => r.status === 'succeeded');
    expect(done.steps?.map((s) => [s.key, s.status])).toEqual([
      ['check-database', 'succeeded'],
      ['check-redis', 'succeeded'],
    ]);
    expect(done.result).toMatchObject({ note: 'from the test', redis: { roundTrip: true } });

    const page = await h.app.inject({
      method: 'GET',
      url: `/api/v1/runs/${run.id}/events?after=0`,
      headers: { cookie: session.cookie },
    });
    const { events } = page.json() as { events: { id: string; message: string }[] };
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining(['Self-test queued', 'Run started', 'All checks passed', 'Run succeeded']),
    );
    const afterThird = await h.app.inject({
      method: 'GET',
      url: `/api/v1/runs/${run.id}/events?after=${events[2]?.id}`,
      headers: { cookie: session.cookie },
    });
    expect((afterThird.json() as { events: unknown[] }).events).toHaveLength(events.length - 3);
  });

  it('streams events over SSE and replays from Last-Event-ID', async () => {
    const session = await login(h.app, 'operator@demo.dolly');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/selftest',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: {},
    });
    const run = created.json() as RunDto;
    await waitForRun(run.id, session, (r) => r.status === 'succeeded');
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const read = async (lastEventId?: string) => {
      const res = await fetch(`${address}/api/v1/runs/${run.id}/events`, {
        headers: {
          accept: 'text/event-stream',
          cookie: session.cookie,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      return res.text();
    };
    const full = await read();
    const ids = [...full.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(full).toContain('event: end');
    const replay = await read(ids[1]);
    expect([...replay.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual(ids.slice(2));
  });

  it("hides another tenant's run behind 404", async () => {
    const demo = await login(h.app, 'developer@demo.dolly');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/selftest',
      headers: { cookie: demo.cookie, 'x-csrf-token': demo.csrf },
      payload: {},
    });
    const other = await login(h.app, 'owner@other.dolly');
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/runs/${(created.json() as RunDto).id}`,
      headers: { cookie: other.cookie },
    });
    expect(res.statusCode).toBe(404);
  });

  it('does not let a viewer start runs', async () => {
    const viewer = await login(h.app, 'viewer@demo.dolly');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/selftest',
      headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });
});
