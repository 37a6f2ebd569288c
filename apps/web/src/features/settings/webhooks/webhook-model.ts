import type { components } from '@dolly/api-client';
import type { Tone } from '../components/state-label.tsx';

export type Webhook = components['schemas']['Webhook'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type WebhookEvent = Webhook['events'][number];
export type WebhookFormat = Webhook['format'];

export const eventOptions: { value: WebhookEvent; label: string }[] = [
  { value: 'run.pending_approval', label: 'Pending approval' },
  { value: 'run.succeeded', label: 'Succeeded' },
  { value: 'run.partially_succeeded', label: 'Partially succeeded' },
  { value: 'run.failed', label: 'Failed' },
  { value: 'run.rolled_back', label: 'Rolled back' },
  { value: 'run.rejected', label: 'Rejected' },
  { value: 'drift.detected', label: 'Drift detected' },
];

export function eventLabel(event: string): string {
  if (event === 'ping') return 'Test ping';
  return eventOptions.find((o) => o.value === event)?.label ?? event;
}

/** What the form can tell before the server does; the server still checks the address. */
export function webhookFormProblems(form: {
  url: string;
  events: readonly string[];
}): Record<string, string> {
  const problems: Record<string, string> = {};
  const url = form.url.trim();
  if (!url) problems.url = 'URL is required';
  else if (!/^https?:\/\/[^\s/]+/i.test(url))
    problems.url = 'Enter an http(s) URL, e.g. https://hooks.example.com/dolly';
  if (form.events.length === 0) problems.events = 'Pick at least one event';
  return problems;
}

/** One line per delivery: how it stands and, while pending, when it tries again. */
export function deliveryState(d: WebhookDelivery): { tone: Tone; label: string } {
  if (d.status === 'delivered') return { tone: 'success', label: 'Delivered' };
  if (d.status === 'failed') return { tone: 'danger', label: 'Failed' };
  return { tone: d.attempts > 0 ? 'attention' : 'progress', label: d.attempts > 0 ? 'Retrying' : 'Pending' };
}
