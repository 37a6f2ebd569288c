import { z } from 'zod';

/** Run events a webhook can subscribe to; `ping` is only ever sent by the test button. */
export const webhookEvents = [
  'run.pending_approval',
  'run.succeeded',
  'run.failed',
  'run.rolled_back',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];
export const webhookEventSchema = z.enum(webhookEvents);

/** The run status each event stands for: the body says what happened, not what the run is now. */
export const webhookEventStatus = {
  'run.pending_approval': 'pending_approval',
  'run.succeeded': 'succeeded',
  'run.failed': 'failed',
  'run.rolled_back': 'rolled_back',
} as const satisfies Record<WebhookEvent, string>;

export function webhookEventOf(status: string): WebhookEvent | undefined {
  return webhookEvents.find((e) => webhookEventStatus[e] === status);
}

export const webhookFormats = ['json', 'slack'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

export const SIGNATURE_HEADER = 'x-dolly-signature';
export const EVENT_HEADER = 'x-dolly-event';
export const DELIVERY_HEADER = 'x-dolly-delivery';
