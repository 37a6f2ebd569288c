import { z } from 'zod';

/** Run events a webhook can subscribe to. */
export const runWebhookEvents = [
  'run.pending_approval',
  'run.succeeded',
  'run.partially_succeeded',
  'run.failed',
  'run.rolled_back',
  'run.rejected',
] as const;
export type RunWebhookEvent = (typeof runWebhookEvents)[number];

/**
 * Everything a webhook can subscribe to: run events, and `drift.detected` (a clone's drift check
 * found drift that differs from the previous report's). `ping` is only ever sent by the test button.
 */
export const webhookEvents = [...runWebhookEvents, 'drift.detected'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];
export const webhookEventSchema = z.enum(webhookEvents);

/** The run status each event stands for: the body says what happened, not what the run is now. */
export const webhookEventStatus = {
  'run.pending_approval': 'pending_approval',
  'run.succeeded': 'succeeded',
  'run.partially_succeeded': 'partially_succeeded',
  'run.failed': 'failed',
  'run.rolled_back': 'rolled_back',
  'run.rejected': 'rejected',
} as const satisfies Record<RunWebhookEvent, string>;

export function isRunWebhookEvent(event: string): event is RunWebhookEvent {
  return (runWebhookEvents as readonly string[]).includes(event);
}

export function webhookEventOf(status: string): RunWebhookEvent | undefined {
  return runWebhookEvents.find((e) => webhookEventStatus[e] === status);
}

export const webhookFormats = ['json', 'slack'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

export const SIGNATURE_HEADER = 'x-dolly-signature';
export const EVENT_HEADER = 'x-dolly-event';
export const DELIVERY_HEADER = 'x-dolly-delivery';
