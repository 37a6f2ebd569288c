import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  type WebhookEvent,
  type WebhookFormat,
  isRunWebhookEvent,
  webhookEventOf,
  webhookEventStatus,
  webhookEvents,
} from '@dolly/contracts';
import { assertEgressUrl, type EgressPolicy, egressAgents } from '@dolly/contracts/egress';
import type { CredentialVault, Database } from '@dolly/db';
import type { Queues } from './queues.ts';

export type DeliveryEvent = WebhookEvent | 'ping';

/** Delivery attempts per event, the first included; with the default backoff the last is ~5 min later. */
export const WEBHOOK_ATTEMPTS = 6;
export const WEBHOOK_BACKOFF_MS = 10_000;
const TIMEOUT_MS = 10_000;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

/** `sha256=<hex>` over the exact bytes sent: receivers verify before they parse. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Constant-time check of a signature header, as receivers (and Dolly's tests) do it. */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface DeliveryFacts {
  deliveryId: string;
  event: DeliveryEvent;
  occurredAt: Date;
  tenant: { id: string; slug: string; name: string };
  run?: { id: string; kind: string };
  /** For `drift.detected`: the report and the clusters it compares. */
  drift?: DriftFacts;
  /** The dashboard's address (DOLLY_PUBLIC_URL), for the link to the run page. */
  publicUrl: string;
}

export interface DriftFacts {
  reportId: string;
  cluster: { id: string; name: string };
  source: { id: string; name: string };
  findings: number;
  fingerprint: string;
}

export function clusterUrl(publicUrl: string, clusterId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/clusters/${encodeURIComponent(clusterId)}`;
}

export function runUrl(publicUrl: string, runId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;
}

const slackWords: Record<DeliveryEvent, string> = {
  'run.pending_approval': 'is waiting for approval',
  'run.succeeded': 'succeeded',
  'run.partially_succeeded': 'only partially succeeded',
  'run.failed': 'failed',
  'run.rolled_back': 'was rolled back',
  'run.rejected': 'was rejected by an approver',
  'drift.detected': '',
  ping: '',
};

/** The body of one delivery; built from the delivery row, so every retry sends the same bytes. */
export function webhookBody(format: WebhookFormat, facts: DeliveryFacts): string {
  const run = facts.run
    ? {
        id: facts.run.id,
        kind: facts.run.kind,
        status: isRunWebhookEvent(facts.event) ? webhookEventStatus[facts.event] : null,
        url: runUrl(facts.publicUrl, facts.run.id),
      }
    : null;
  const drift =
    facts.event === 'drift.detected' && facts.drift
      ? { ...facts.drift, url: `${clusterUrl(facts.publicUrl, facts.drift.cluster.id)}?tab=drift` }
      : null;
  if (format === 'slack') {
    const text = drift
      ? `Dolly found drift on ${drift.cluster.name} against its source ${drift.source.name}: ${drift.findings} finding(s) (${facts.tenant.name}): <${drift.url}|open drift report>`
      : facts.event === 'ping' || !run
        ? `Dolly test notification for ${facts.tenant.name}: this webhook works.`
        : `Dolly ${run.kind} run ${slackWords[facts.event]} (${facts.tenant.name}): <${run.url}|open run ${run.id}>`;
    return JSON.stringify({ text });
  }
  return JSON.stringify({
    id: facts.deliveryId,
    event: facts.event,
    run,
    ...(facts.event === 'drift.detected' ? { drift } : {}),
    tenant: { id: facts.tenant.id, slug: facts.tenant.slug },
    occurredAt: facts.occurredAt.toISOString(),
  });
}

export function webhookHeaders(secret: string, body: string, facts: { deliveryId: string; event: string }) {
  return {
    'content-type': 'application/json',
    'user-agent': 'Dolly-Webhooks/1',
    [SIGNATURE_HEADER]: signWebhookBody(secret, body),
    [EVENT_HEADER]: facts.event,
    [DELIVERY_HEADER]: facts.deliveryId,
  };
}

/**
 * Records one delivery per subscribed webhook and enqueues it. Called after a run's status was
 * written: nothing is sent here, and a failure only costs the notification, never the run.
 */
export function createRunNotifier(
  db: Database,
  queues: Queues,
  opts: { backoffMs?: number; onError?: (error: unknown, runId: string) => void } = {},
) {
  return async function notifyRunStatus(runId: string, status: string): Promise<void> {
    const event = webhookEventOf(status);
    if (!event) return;
    try {
      const run = await db.run.findUnique({ where: { id: runId }, select: { tenantId: true } });
      if (!run) return;
      const hooks = await db.webhook.findMany({
        where: { tenantId: run.tenantId, enabled: true, events: { has: event } },
        select: { id: true },
      });
      for (const hook of hooks) {
        const delivery = await db.webhookDelivery.create({
          data: { webhookId: hook.id, runId, event, nextAttemptAt: new Date() },
        });
        await enqueueDelivery(queues, delivery.id, run.tenantId, opts.backoffMs);
      }
    } catch (error) {
      opts.onError?.(error, runId);
    }
  };
}

export type RunNotifier = ReturnType<typeof createRunNotifier>;

/**
 * Records a `drift.detected` delivery per subscribed webhook and enqueues it. Like run events: a
 * failure only costs the notification, never the report.
 */
export async function notifyDriftDetected(
  db: Database,
  queues: Queues,
  report: { id: string; tenantId: string; createdAt: Date },
  opts: { backoffMs?: number } = {},
): Promise<number> {
  const hooks = await db.webhook.findMany({
    where: { tenantId: report.tenantId, enabled: true, events: { has: 'drift.detected' } },
    select: { id: true },
  });
  for (const hook of hooks) {
    // One delivery per report and webhook: a second announcement of the same report reuses it.
    const existing = await db.webhookDelivery.findFirst({
      where: { webhookId: hook.id, driftReportId: report.id },
      select: { id: true },
    });
    const id =
      existing?.id ??
      (
        await db.webhookDelivery.create({
          data: {
            webhookId: hook.id,
            driftReportId: report.id,
            event: 'drift.detected',
            nextAttemptAt: new Date(),
          },
          select: { id: true },
        })
      ).id;
    await enqueueDelivery(queues, id, report.tenantId, opts.backoffMs);
  }
  return hooks.length;
}

async function driftFactsOf(
  db: Database,
  delivery: { driftReportId: string | null },
  tenantId: string,
): Promise<DriftFacts | undefined> {
  if (!delivery.driftReportId) return undefined;
  const report = await db.driftReport.findFirst({
    where: { id: delivery.driftReportId, tenantId },
    select: {
      id: true,
      clusterId: true,
      sourceClusterId: true,
      fingerprint: true,
      infra: true,
      workloads: true,
    },
  });
  if (!report) return undefined;
  const clusters = await db.cluster.findMany({
    where: { tenantId, id: { in: [report.clusterId, report.sourceClusterId] } },
    select: { id: true, name: true },
  });
  const name = (id: string) => clusters.find((c) => c.id === id)?.name ?? id;
  const count = (part: unknown) => (part as { findings?: unknown[] } | null)?.findings?.length ?? 0;
  const findings = count(report.infra) + count(report.workloads);
  return {
    reportId: report.id,
    cluster: { id: report.clusterId, name: name(report.clusterId) },
    source: { id: report.sourceClusterId, name: name(report.sourceClusterId) },
    findings,
    fingerprint: report.fingerprint,
  };
}

export function enqueueDelivery(queues: Queues, deliveryId: string, tenantId: string, backoffMs?: number) {
  return queues.enqueue(
    'webhooks',
    'deliver',
    { deliveryId, tenantId },
    {
      jobId: deliveryId,
      attempts: WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: backoffMs ?? WEBHOOK_BACKOFF_MS },
    },
  );
}

/** A delivery that must not be retried (the URL is refused, the webhook is gone). */
export class PermanentDeliveryError extends Error {}

export interface DeliveryAttempt {
  ok: boolean;
  statusCode?: number;
  error?: string;
  /** false when retrying cannot help (4xx other than 408/429, an address the policy refuses) */
  retryable: boolean;
}

/**
 * One POST through egress-checked agents: the connection is refused at connect time when the
 * host resolves to an internal address, however the URL looked when it was saved. Redirects are
 * not followed, and the response body is drained unread: it must never reach logs or the API.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  egress: EgressPolicy,
  timeoutMs = TIMEOUT_MS,
): Promise<DeliveryAttempt> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        throw new Error(`unsupported scheme ${u.protocol}`);
      assertEgressUrl(egress, u);
    } catch (error) {
      resolve({ ok: false, error: messageOf(error), retryable: false });
      return;
    }
    const agents = egressAgents(egress, { keepAlive: false });
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      u,
      {
        method: 'POST',
        agent: u.protocol === 'https:' ? agents.https : agents.http,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        const ok = code >= 200 && code < 300;
        resolve({
          ok,
          statusCode: code,
          ...(ok ? {} : { error: `receiver answered HTTP ${code}` }),
          // a redirect is not followed and will not go away by itself: like a 4xx, final
          retryable: !ok && (code >= 500 || code === 408 || code === 429),
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => {
      const refused = (error as { code?: string }).code === 'EDOLLY_EGRESS';
      resolve({ ok: false, error: messageOf(error), retryable: !refused });
    });
    req.end(body);
  });
}

function isWebhookEvent(event: string): event is WebhookEvent {
  return (webhookEvents as readonly string[]).includes(event);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * Sends one delivery and records the attempt on its row. Throws to make the queue retry (with
 * its backoff) while attempts remain; the row says pending with the next attempt's time until then.
 */
export async function attemptDelivery(
  deps: { db: Database; vault: CredentialVault; egress: EgressPolicy; publicUrl: string },
  job: { deliveryId: string; attemptsMade: number; maxAttempts: number; backoffMs: number },
): Promise<DeliveryAttempt> {
  const delivery = await deps.db.webhookDelivery.findUnique({
    where: { id: job.deliveryId },
    include: { webhook: { include: { tenant: true } }, run: { select: { id: true, kind: true } } },
  });
  if (!delivery) throw new PermanentDeliveryError(`delivery ${job.deliveryId} is gone`);
  if (delivery.status !== 'pending') return { ok: delivery.status === 'delivered', retryable: false };
  const { webhook } = delivery;
  const event: DeliveryEvent = isWebhookEvent(delivery.event) ? delivery.event : 'ping';
  const drift =
    event === 'drift.detected' ? await driftFactsOf(deps.db, delivery, webhook.tenantId) : undefined;
  if (event === 'drift.detected' && !drift) {
    await deps.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: { status: 'failed', lastError: 'the drift report is gone', nextAttemptAt: null },
    });
    return { ok: false, error: 'the drift report is gone', retryable: false };
  }
  const facts: DeliveryFacts = {
    deliveryId: delivery.id,
    event,
    occurredAt: delivery.createdAt,
    tenant: { id: webhook.tenant.id, slug: webhook.tenant.slug, name: webhook.tenant.name },
    ...(delivery.run ? { run: { id: delivery.run.id, kind: delivery.run.kind } } : {}),
    ...(drift ? { drift } : {}),
    publicUrl: deps.publicUrl,
  };
  const body = webhookBody(webhook.format, facts);
  const secret = deps.vault.open<string>({ cipher: webhook.secretCipher, keyId: webhook.secretKeyId });
  const result = webhook.enabled
    ? await postWebhook(webhook.url, body, webhookHeaders(secret, body, facts), deps.egress)
    : { ok: false, error: 'the webhook is disabled', retryable: false };
  const attempt = job.attemptsMade + 1;
  const last = !result.ok && (!result.retryable || attempt >= job.maxAttempts);
  await deps.db.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      attempts: attempt,
      lastStatusCode: result.statusCode ?? null,
      lastError: result.ok ? null : (result.error ?? null),
      status: result.ok ? 'delivered' : last ? 'failed' : 'pending',
      deliveredAt: result.ok ? new Date() : null,
      // BullMQ's exponential backoff: delay * 2^(attempts made - 1)
      nextAttemptAt: result.ok || last ? null : new Date(Date.now() + job.backoffMs * 2 ** (attempt - 1)),
    },
  });
  return result;
}
