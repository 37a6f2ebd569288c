import { describe, expect, it } from 'vitest';
import { isTerminalStatus, type RunStatus, runStatuses } from './runs.ts';
import { webhookEventOf, webhookEventStatus } from './webhooks.ts';

describe('run webhook events', () => {
  it('has an event for every way a run ends, except a cancel the person did themselves', () => {
    const terminal = (Object.keys(runStatuses) as RunStatus[]).filter(isTerminalStatus);
    const silent = terminal.filter((s) => !webhookEventOf(s));
    expect(silent).toEqual(['cancelled']);
    expect(webhookEventOf('partially_succeeded')).toBe('run.partially_succeeded');
    expect(webhookEventOf('rejected')).toBe('run.rejected');
    expect(webhookEventOf('running')).toBeUndefined();
    for (const [event, status] of Object.entries(webhookEventStatus)) expect(event).toBe(`run.${status}`);
  });
});
