import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEgressPolicy } from '@dolly/contracts/egress';
import { describe, expect, it } from 'vitest';
import {
  type DeliveryFacts,
  postWebhook,
  runUrl,
  signWebhookBody,
  verifyWebhookSignature,
  webhookBody,
  webhookHeaders,
} from './webhooks.ts';

const facts: DeliveryFacts = {
  deliveryId: '0193a000-0000-7000-8000-000000000001',
  event: 'run.succeeded',
  occurredAt: new Date('2026-12-07T04:00:00.000Z'),
  tenant: { id: '0193a000-0000-7000-8000-0000000000aa', slug: 'demo', name: 'Demo Corp' },
  run: { id: '0193a000-0000-7000-8000-0000000000bb', kind: 'clone' },
  publicUrl: 'https://dolly.example.com/',
};

describe('webhook signing', () => {
  it('signs the raw body with HMAC-SHA256 as sha256=<hex>', () => {
    const body = '{"a":1}';
    const expected = createHmac('sha256', 'whsec_test').update(body).digest('hex');
    expect(signWebhookBody('whsec_test', body)).toBe(`sha256=${expected}`);
  });

  it('verifies its own signature and refuses another secret, another body or none', () => {
    const body = webhookBody('json', facts);
    const sig = signWebhookBody('s1', body);
    expect(verifyWebhookSignature('s1', body, sig)).toBe(true);
    expect(verifyWebhookSignature('s2', body, sig)).toBe(false);
    expect(verifyWebhookSignature('s1', `${body} `, sig)).toBe(false);
    expect(verifyWebhookSignature('s1', body, undefined)).toBe(false);
    expect(verifyWebhookSignature('s1', body, 'sha256=short')).toBe(false);
  });

  it('sends event, delivery id and the signature of exactly the body', () => {
    const body = webhookBody('json', facts);
    const headers = webhookHeaders('k', body, facts);
    expect(headers['x-dolly-event']).toBe('run.succeeded');
    expect(headers['x-dolly-delivery']).toBe(facts.deliveryId);
    expect(headers['x-dolly-signature']).toBe(signWebhookBody('k', body));
  });
});

describe('webhook bodies', () => {
  it('json: event, run with status and a link to the run page, tenant, time', () => {
    expect(JSON.parse(webhookBody('json', facts))).toEqual({
      id: facts.deliveryId,
      event: 'run.succeeded',
      run: {
        id: facts.run?.id,
        kind: 'clone',
        status: 'succeeded',
        url: `https://dolly.example.com/runs/${facts.run?.id}`,
      },
      tenant: { id: facts.tenant.id, slug: 'demo' },
      occurredAt: '2026-12-07T04:00:00.000Z',
    });
  });

  it('is the same bytes on every retry', () => {
    expect(webhookBody('json', facts)).toBe(webhookBody('json', { ...facts }));
  });

  it('slack: one text line with the event and a link an approver can open', () => {
    const body = JSON.parse(webhookBody('slack', { ...facts, event: 'run.pending_approval' })) as {
      text: string;
    };
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('waiting for approval');
    expect(body.text).toContain(`<https://dolly.example.com/runs/${facts.run?.id}|`);
  });

  it('ping: no run', () => {
    const { run: _run, ...noRun } = facts;
    expect(JSON.parse(webhookBody('json', { ...noRun, event: 'ping' }))).toMatchObject({
      event: 'ping',
      run: null,
    });
    expect(JSON.parse(webhookBody('slack', { ...noRun, event: 'ping' })).text).toContain('works');
  });

  it("drift.detected: no run, the report with links to the clone's drift section", () => {
    const { run: _run, ...noRun } = facts;
    const drift = {
      reportId: '0193a000-0000-7000-8000-0000000000cc',
      cluster: { id: 'c1', name: 'shop-prod-eks' },
      source: { id: 's1', name: 'shop-prod' },
      findings: 2,
      fingerprint: 'f'.repeat(64),
    };
    expect(JSON.parse(webhookBody('json', { ...noRun, event: 'drift.detected', drift }))).toMatchObject({
      event: 'drift.detected',
      run: null,
      drift: { ...drift, url: 'https://dolly.example.com/clusters/c1?tab=drift' },
    });
    const text = JSON.parse(webhookBody('slack', { ...noRun, event: 'drift.detected', drift }))
      .text as string;
    expect(text).toContain('drift on shop-prod-eks against its source shop-prod: 2 finding(s)');
    expect(text).toContain('<https://dolly.example.com/clusters/c1?tab=drift|');
  });

  it('builds run links without doubled slashes', () => {
    expect(runUrl('http://localhost:8080', 'r1')).toBe('http://localhost:8080/runs/r1');
    expect(runUrl('http://localhost:8080///', 'r1')).toBe('http://localhost:8080/runs/r1');
  });
});

describe('postWebhook', () => {
  it('refuses internal addresses at connect time unless allowed, and never reads the reply body', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end('secret internal detail');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const refused = await postWebhook(url, '{}', {}, parseEgressPolicy(''));
      expect(refused).toMatchObject({ ok: false, retryable: false });
      expect(refused.error).toContain('internal address');
      // a name that resolves to loopback is refused by the lookup, not only address literals
      const byName = await postWebhook(
        url.replace('127.0.0.1', 'localhost'),
        '{}',
        {},
        parseEgressPolicy(''),
      );
      expect(byName).toMatchObject({ ok: false, retryable: false });
      const allowed = await postWebhook(url, '{}', {}, parseEgressPolicy('127.0.0.1'));
      expect(allowed).toMatchObject({ ok: false, statusCode: 500, retryable: true });
      expect(allowed.error).not.toContain('secret internal detail');
    } finally {
      server.close();
    }
  });
});
