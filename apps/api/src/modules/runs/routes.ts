import {
  DollyError,
  isTerminalStatus,
  runEventSchema,
  runKindSchema,
  runSchema,
  runStatusSchema,
} from '@dolly/contracts';
import { toRunEventDto } from '@dolly/jobs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import type { RunStatus } from '@dolly/contracts';
import { environmentChildren, runChain } from '@dolly/runs';
import { peopleOf, runTitle, toRunDto } from './serialize.ts';
import { durationStats } from './stats.ts';

const idParams = z.object({ id: z.uuid() });
const PAGE = 500;

/** A live stream that heard nothing for this long reads Postgres itself. */
export const SSE_QUIET_POLL_MS = 3000;

export function runRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Open SSE streams end on shutdown so the server can close without waiting for clients.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of openStreams) close();
  });

  /** Another tenant's run answers 404, never 403. */
  async function findRun(tenantId: string, id: string) {
    const run = await deps.db.run.findFirst({
      where: { id, tenantId },
      include: { steps: { orderBy: { startedAt: 'asc' } }, resources: { orderBy: { createdAt: 'asc' } } },
    });
    if (!run) throw new DollyError('not_found', `No run ${id}`);
    return run;
  }

  r.get(
    '/api/v1/runs',
    {
      config: { auth: { can: 'read', on: 'Run' } },
      schema: {
        tags: ['runs'],
        summary: 'Runs of the tenant, newest first, with filters and cursor paging',
        querystring: z.object({
          kind: runKindSchema.optional(),
          status: z
            .string()
            .optional()
            .meta({ description: 'One status or several, comma-separated', example: 'failed,cancelled' }),
          planId: z.uuid().optional(),
          parentRunId: z.uuid().optional(),
          cursor: z.uuid().optional().meta({ description: '`nextCursor` of the previous page' }),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(runSchema), nextCursor: z.uuid().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const q = request.query;
      const statuses =
        q.status
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean) ?? [];
      const bad = statuses.filter((s) => !runStatusSchema.safeParse(s).success);
      if (bad.length)
        throw new DollyError('validation_failed', `Unknown status: ${bad.join(', ')}`, [
          { path: 'querystring.status', message: `one of ${runStatusSchema.options.join(', ')}` },
        ]);
      // uuid v7 ids sort by creation time, so the id is both the order and the cursor.
      const rows = await deps.db.run.findMany({
        where: {
          tenantId: p.tenantId,
          ...(q.kind ? { kind: q.kind } : {}),
          ...(statuses.length ? { status: { in: statuses as RunStatus[] } } : {}),
          ...(q.planId ? { planId: q.planId } : {}),
          ...(q.parentRunId ? { parentRunId: q.parentRunId } : {}),
          ...(q.cursor ? { id: { lt: q.cursor } } : {}),
        },
        orderBy: { id: 'desc' },
        take: q.limit + 1,
        include: { steps: { orderBy: { startedAt: 'asc' } } },
      });
      const page = rows.slice(0, q.limit);
      const people = await peopleOf(deps.db, page);
      return {
        items: page.map((run) => toRunDto(run, people)),
        nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  r.get(
    '/api/v1/runs/stats/durations',
    {
      config: { auth: { can: 'read', on: 'Run' } },
      schema: {
        tags: ['runs'],
        summary: "How long clone steps take per target cloud and operation, from this tenant's finished runs",
        querystring: z.object({ last: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: {
          200: z.object({
            runs: z.number().int(),
            items: z.array(
              z.object({
                cloud: z.string(),
                operation: z.string().meta({ example: 'control-plane' }),
                count: z.number().int(),
                p50Ms: z.number(),
                p90Ms: z.number(),
                maxMs: z.number(),
                meanMs: z.number(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const runs = await deps.db.run.findMany({
        where: { tenantId: p.tenantId, kind: 'clone', status: { in: ['succeeded', 'rolled_back'] } },
        orderBy: { id: 'desc' },
        take: request.query.last,
        include: { steps: { where: { status: 'succeeded' } } },
      });
      const samples = runs.flatMap((run) => {
        const cloud =
          (run.input as { item?: { target?: { cloud?: string } } }).item?.target?.cloud ?? 'unknown';
        return run.steps
          .filter((s) => s.startedAt && s.finishedAt)
          .map((s) => ({
            cloud,
            stepKey: s.key,
            ms: (s.finishedAt?.getTime() ?? 0) - (s.startedAt?.getTime() ?? 0),
          }));
      });
      return { runs: runs.length, items: durationStats(samples) };
    },
  );

  r.get(
    '/api/v1/runs/:id',
    {
      config: { auth: { can: 'read', on: 'Run' } },
      schema: {
        tags: ['runs'],
        summary: 'A run with its steps (and, for a clone with workloads, its child runs)',
        params: idParams,
        response: { 200: runSchema },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const run = await findRun(tenantId, request.params.id);
      const dto = toRunDto(run, await peopleOf(deps.db, [run]));
      if (run.kind !== 'environment') return dto;
      const children = await environmentChildren(
        deps.db,
        tenantId,
        await runChain(deps.db, tenantId, run.id),
      );
      return {
        ...dto,
        children: children.map((c) => ({
          id: c.run.id,
          kind: c.run.kind,
          status: c.run.status,
          title: runTitle(c.run),
          step: c.step,
        })),
      };
    },
  );

  r.get(
    '/api/v1/runs/:id/events',
    {
      config: { auth: { can: 'read', on: 'Run' } },
      schema: {
        tags: ['runs'],
        summary: 'Run events: a JSON page after an id, or a live SSE stream (Accept: text/event-stream)',
        description:
          'SSE events carry `id:` (the event id); reconnect with `Last-Event-ID` to replay what was missed. ' +
          'The stream sends `event: end` once the run reached a final state and every event was sent.',
        params: idParams,
        querystring: z.object({ after: z.coerce.bigint().min(0n).optional().meta({ type: 'integer' }) }),
        response: {
          200: z.object({
            events: z.array(runEventSchema),
            run: z.object({ status: runSchema.shape.status }),
            nextAfter: z.string(),
          }),
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const run = await findRun(principal.tenantId, request.params.id);
      const lastEventId = request.headers['last-event-id'];
      let after =
        request.query.after ??
        (typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? BigInt(lastEventId) : 0n);
      const readPage = () =>
        deps.db.runEvent.findMany({
          where: { runId: run.id, id: { gt: after } },
          orderBy: { id: 'asc' },
          take: PAGE,
        });

      if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
        const events = (await readPage()).map(toRunEventDto);
        const current = await deps.db.run.findUniqueOrThrow({
          where: { id: run.id },
          select: { status: true },
        });
        return { events, run: current, nextAfter: events.at(-1)?.id ?? after.toString() };
      }

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let closed = false;
      let draining = Promise.resolve();
      const drain = async () => {
        // Status first, events second: a final status is written after the run's last event,
        // so when the status read here is final, the event reads below see every event.
        const current = await deps.db.run.findUnique({ where: { id: run.id }, select: { status: true } });
        while (!closed) {
          const rows = await readPage();
          for (const row of rows) {
            raw.write(`id: ${row.id}\nevent: run-event\ndata: ${JSON.stringify(toRunEventDto(row))}\n\n`);
            after = row.id;
          }
          if (rows.length < PAGE) break;
        }
        if (current) raw.write(`event: run-status\ndata: ${JSON.stringify(current)}\n\n`);
        if (current && isTerminalStatus(current.status)) {
          raw.write('event: end\ndata: {}\n\n');
          close();
        }
      };
      let lastWake = Date.now();
      // Wake-ups are serialised so two drains never interleave and send an event twice.
      const wake = () => {
        lastWake = Date.now();
        draining = draining
          .then(drain)
          .catch((error) => request.log.warn({ err: error }, 'sse drain failed'));
      };
      // Pub/sub only wakes streams up; Postgres is the record. When Redis is restarting (or a
      // message was lost) the stream keeps going by reading Postgres itself after a quiet spell.
      const fallback = setInterval(() => {
        if (Date.now() - lastWake >= SSE_QUIET_POLL_MS) wake();
      }, SSE_QUIET_POLL_MS / 2);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      let unlisten: (() => Promise<void>) | undefined;
      const close = () => {
        if (closed) return;
        closed = true;
        openStreams.delete(close);
        clearInterval(heartbeat);
        clearInterval(fallback);
        void unlisten?.().catch(() => {});
        raw.end();
      };
      openStreams.add(close);
      request.raw.on('close', close);
      raw.write('retry: 2000\n\n');
      wake();
      // Not awaited before the first drain: with Redis down the subscription waits for the
      // reconnect, and the stream is served from Postgres meanwhile.
      deps.runEvents.listen(run.id, wake).then(
        (off) => {
          if (closed) void off().catch(() => {});
          else unlisten = off;
        },
        (error: unknown) => request.log.warn({ err: error }, 'sse subscribe failed; polling Postgres'),
      );
    },
  );
}
