import { DollyError, webhookEventSchema, webhookFormats } from '@dolly/contracts';
import type { Webhook, WebhookDelivery } from '@dolly/db';
import { enqueueDelivery, newWebhookSecret } from '@dolly/jobs';
import { checkTenantEndpoint } from '@dolly/providers';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';

const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    format: z.enum(webhookFormats),
    events: z.array(webhookEventSchema),
    enabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook', description: 'Where run events are posted. The signing secret is shown once.' });

const deliverySchema = z
  .object({
    id: z.uuid(),
    webhookId: z.uuid(),
    runId: z.uuid().nullable(),
    driftReportId: z.uuid().nullable().meta({ description: 'For `drift.detected`: the report it is about' }),
    driftClusterId: z
      .uuid()
      .nullable()
      .meta({ description: "For `drift.detected`: the report's clone (links to its drift section)" }),
    event: z.string().meta({ example: 'run.succeeded' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z
      .string()
      .nullable()
      .meta({ description: "Dolly's account of the failure; never the receiver's body" }),
    nextAttemptAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

const urlField = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .meta({
    description: 'https, on a public address (plain http or internal hosts only if the operator allows them)',
  });

const toDto = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  format: w.format,
  events: w.events.filter((e) => webhookEventSchema.safeParse(e).success) as z.infer<
    typeof webhookEventSchema
  >[],
  enabled: w.enabled,
  createdAt: w.createdAt.toISOString(),
});

const toDeliveryDto = (d: WebhookDelivery & { driftReport?: { clusterId: string } | null }) => ({
  id: d.id,
  webhookId: d.webhookId,
  runId: d.runId,
  driftReportId: d.driftReportId,
  driftClusterId: d.driftReport?.clusterId ?? null,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

export function webhookRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const find = async (tenantId: string, id: string) => {
    const w = await deps.db.webhook.findFirst({ where: { id, tenantId } });
    if (!w) throw new DollyError('not_found', `No webhook ${id}`);
    return w;
  };
  // A webhook URL is a request Dolly's workers make for the tenant: the same endpoint policy as
  // account endpoints now, and the egress check again when each delivery connects.
  const assertUrl = async (url: string) => {
    const verdict = await checkTenantEndpoint(url, deps.config.DOLLY_ENDPOINT_ALLOWLIST);
    if (!verdict.ok)
      throw new DollyError('validation_failed', 'The webhook URL is not one Dolly may call', [
        { path: 'body.url', message: verdict.reason },
      ]);
  };

  r.get(
    '/api/v1/webhooks',
    {
      config: { auth: { can: 'read', on: 'Webhook' } },
      schema: {
        tags: ['webhooks'],
        summary: "The tenant's webhooks (never their secrets)",
        response: { 200: z.object({ items: z.array(webhookSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await deps.db.webhook.findMany({
        where: { tenantId: p.tenantId },
        orderBy: { createdAt: 'asc' },
      });
      return { items: rows.map(toDto) };
    },
  );

  r.post(
    '/api/v1/webhooks',
    {
      config: { auth: { can: 'create', on: 'Webhook' }, audit: 'webhook.create' },
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook for run events; the signing secret is shown only in this response',
        body: z.object({
          url: urlField,
          format: z
            .enum(webhookFormats)
            .default('json')
            .meta({ description: 'slack: an incoming-webhook message' }),
          events: z.array(webhookEventSchema).min(1).max(10),
        }),
        response: {
          201: webhookSchema.extend({
            secret: z
              .string()
              .meta({ description: 'HMAC-SHA256 key of X-Dolly-Signature. Shown only here.' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      await assertUrl(request.body.url);
      const secret = newWebhookSecret();
      const sealed = deps.vault.seal(secret);
      const row = await deps.db.webhook.create({
        data: {
          tenantId: p.tenantId,
          url: request.body.url,
          format: request.body.format,
          events: [...new Set(request.body.events)],
          secretCipher: sealed.cipher,
          secretKeyId: sealed.keyId,
          createdById: p.userId,
        },
      });
      return reply.status(201).send({ ...toDto(row), secret });
    },
  );

  r.patch(
    '/api/v1/webhooks/:id',
    {
      config: { auth: { can: 'update', on: 'Webhook' }, audit: 'webhook.update' },
      schema: {
        tags: ['webhooks'],
        summary: 'Change the URL, format or events of a webhook, or pause it',
        params: idParams,
        body: z.object({
          url: urlField.optional(),
          format: z.enum(webhookFormats).optional(),
          events: z.array(webhookEventSchema).min(1).max(10).optional(),
          enabled: z.boolean().optional(),
        }),
        response: { 200: webhookSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const w = await find(p.tenantId, request.params.id);
      if (request.body.url) await assertUrl(request.body.url);
      const { events, ...rest } = request.body;
      const updated = await deps.db.webhook.update({
        where: { id: w.id },
        data: { ...rest, ...(events ? { events: [...new Set(events)] } : {}) },
      });
      return toDto(updated);
    },
  );

  r.delete(
    '/api/v1/webhooks/:id',
    {
      config: { auth: { can: 'delete', on: 'Webhook' }, audit: 'webhook.delete' },
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook and its delivery log',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const w = await find(p.tenantId, request.params.id);
      await deps.db.webhook.delete({ where: { id: w.id } });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/webhooks/:id/test',
    {
      config: { auth: { can: 'update', on: 'Webhook' }, audit: 'webhook.test' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a signed `ping` event; the delivery log shows how it went',
        params: idParams,
        response: { 202: deliverySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const w = await find(p.tenantId, request.params.id);
      const delivery = await deps.db.webhookDelivery.create({
        data: { webhookId: w.id, event: 'ping', nextAttemptAt: new Date() },
      });
      await enqueueDelivery(deps.queues, delivery.id, p.tenantId, deps.config.DOLLY_WEBHOOK_BACKOFF_MS);
      return reply.status(202).send(toDeliveryDto(delivery));
    },
  );

  r.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { auth: { can: 'read', on: 'Webhook' } },
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log of a webhook, newest first',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(deliverySchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const w = await find(p.tenantId, request.params.id);
      const rows = await deps.db.webhookDelivery.findMany({
        where: { webhookId: w.id },
        orderBy: { createdAt: 'desc' },
        take: request.query.limit,
        include: { driftReport: { select: { clusterId: true } } },
      });
      return { items: rows.map(toDeliveryDto) };
    },
  );
}
