import { describe, expect, it } from 'vitest';
import { deliveryState, eventLabel, type WebhookDelivery, webhookFormProblems } from './webhook-model.ts';

const delivery = (over: Partial<WebhookDelivery>): WebhookDelivery => ({
  id: '0193a000-0000-7000-8000-000000000001',
  webhookId: '0193a000-0000-7000-8000-000000000002',
  runId: null,
  driftReportId: null,
  driftClusterId: null,
  event: 'run.failed',
  status: 'pending',
  attempts: 0,
  lastStatusCode: null,
  lastError: null,
  nextAttemptAt: null,
  createdAt: '2026-12-07T04:00:00.000Z',
  deliveredAt: null,
  ...over,
});

describe('webhook form', () => {
  it('asks for an http(s) URL and at least one event', () => {
    expect(webhookFormProblems({ url: '', events: [] })).toEqual({
      url: 'URL is required',
      events: 'Pick at least one event',
    });
    expect(webhookFormProblems({ url: 'ftp://x', events: ['run.failed'] }).url).toMatch(/http/);
    expect(webhookFormProblems({ url: ' https://hooks.example.com/x ', events: ['run.failed'] })).toEqual({});
  });
});

describe('delivery log', () => {
  it('tells pending, retrying, delivered and failed apart', () => {
    expect(deliveryState(delivery({})).label).toBe('Pending');
    expect(deliveryState(delivery({ attempts: 2, lastStatusCode: 500 })).label).toBe('Retrying');
    expect(deliveryState(delivery({ status: 'delivered', attempts: 1 })).tone).toBe('success');
    expect(deliveryState(delivery({ status: 'failed', attempts: 6 })).tone).toBe('danger');
  });

  it('names events in words', () => {
    expect(eventLabel('run.pending_approval')).toBe('Pending approval');
    expect(eventLabel('ping')).toBe('Test ping');
    expect(eventLabel('run.other')).toBe('run.other');
  });
});
