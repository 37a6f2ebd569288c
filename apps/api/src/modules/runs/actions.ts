import { DollyError, isTerminalStatus, migrationRequestSchema, runSchema } from '@dolly/contracts';
import type { Run } from '@dolly/db';
import { copyFinishedSteps, createRunNotifier, requestCancel } from '@dolly/jobs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { type Principal, requirePrincipal } from '../../plugins/auth.ts';
import {
  admitCloneRun,
  admitEnvironmentRun,
  admitMigration,
  admitRollback,
  type CloneRunInputLike,
  environmentRunInputSchema,
  reusableChildStep,
} from '@dolly/runs';
import { peopleOf, runTitle, toRunDto } from './serialize.ts';
import { assertMayActOn, idempotencyHeaders, idempotencyKeyOf, startRun } from './start.ts';

const RETRYABLE = new Set(['failed', 'cancelled', 'partially_succeeded']);
const ROLLBACKABLE = new Set(['failed', 'cancelled', 'succeeded', 'partially_succeeded']);

const reasonBody = z
  .object({ reason: z.string().max(500).optional().meta({ example: 'Change window is tomorrow' }) })
  .default({});

/** Cancel, retry, roll back, approve and reject: each answers with the run it affected or started. */
export function runActionRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const responses = { 202: runSchema, ...problemResponses };

  async function findRun(tenantId: string, id: string) {
    const run = await deps.db.run.findFirst({ where: { id, tenantId } });
    if (!run) throw new DollyError('not_found', `No run ${id}`);
    return run;
  }
  const dto = async (run: Run) => toRunDto(run, await peopleOf(deps.db, [run]));

  r.post(
    '/api/v1/runs/:id/cancel',
    {
      config: { auth: { can: 'cancel', on: 'Run' }, audit: 'run.cancel' },
      schema: {
        tags: ['runs'],
        summary: 'Cancel a run: queued and pending runs stop at once, running ones within seconds',
        description:
          'A running run goes to `cancelling`; the worker holding it aborts the cloud call in flight and ends it `cancelled`. Retry or roll back afterwards.',
        params: idParams,
        body: reasonBody,
        response: responses,
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const run = await findRun(p.tenantId, request.params.id);
      assertMayActOn(p, run, 'cancel');
      if (run.status === 'cancelling') return reply.status(202).send(await dto(run));
      if (isTerminalStatus(run.status))
        throw new DollyError(
          'invalid_state',
          `The run is ${run.status}; only unfinished runs can be cancelled`,
        );
      return reply.status(202).send(await dto(await requestCancel(deps, run, request.body.reason)));
    },
  );

  r.post(
    '/api/v1/runs/:id/retry',
    {
      config: { auth: { can: 'retry', on: 'Run' }, audit: 'run.retry' },
      schema: {
        tags: ['runs'],
        summary: 'Retry a failed or cancelled run from the step that failed',
        description:
          'Starts a new run (`parentRunId` = this one) that reuses every finished step of this run and continues from the failed one. The permission and policy checks run again.',
        params: idParams,
        headers: idempotencyHeaders,
        response: responses,
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const run = await findRun(p.tenantId, request.params.id);
      assertMayActOn(p, run, 'retry');
      if (run.kind === 'selftest') throw new DollyError('invalid_state', 'Start a new self-test instead');
      if (!RETRYABLE.has(run.status))
        throw new DollyError(
          'invalid_state',
          `The run is ${run.status}; only failed or cancelled runs can be retried`,
        );
      const active = await deps.db.run.findFirst({
        where: {
          parentRunId: run.id,
          kind: run.kind,
          status: { notIn: ['failed', 'cancelled', 'rejected'] },
        },
      });
      if (active) throw new DollyError('conflict', `Run ${active.id} already retries this run`);
      const { requireApproval } = await readmit(p, run);
      const input = run.input as Record<string, unknown>;
      const title = runTitle(run).replace(/^(Retry: )*/, 'Retry: ');
      const retry = await startRun(deps, p, {
        kind: run.kind as 'sync' | 'clone' | 'rollback' | 'migrate' | 'environment',
        input: { ...input, title },
        ...(run.planId ? { planId: run.planId } : {}),
        ...(run.planItemIndex === null ? {} : { planItemIndex: run.planItemIndex }),
        // A rollback's retry rolls back the same run; other retries chain to the run they resume.
        parentRunId: run.kind === 'rollback' && run.parentRunId ? run.parentRunId : run.id,
        needsApproval: requireApproval,
        ...(idempotencyKeyOf(request) ? { idempotencyKey: idempotencyKeyOf(request) } : {}),
        sameRequest: (existing) =>
          existing.parentRunId === run.id || existing.parentRunId === run.parentRunId,
        ...(run.kind === 'rollback'
          ? {}
          : {
              beforeQueue: async (created: Run) =>
                copyFinishedSteps(
                  deps.db,
                  deps.appendRunEvent,
                  run.id,
                  created.id,
                  run.kind === 'environment' ? reusableChildStep : undefined,
                ),
            }),
      });
      await deps.appendRunEvent(run.id, 'info', `Retried as run ${retry.id}`, {
        data: { retriedBy: retry.id },
      });
      return reply.status(202).send(await dto(retry));
    },
  );

  r.post(
    '/api/v1/runs/:id/rollback',
    {
      config: { auth: { can: 'retry', on: 'Run' }, audit: 'run.rollback' },
      schema: {
        tags: ['runs'],
        summary: 'Undo a clone or a migration: delete exactly what the run created, newest first',
        description:
          'Starts a rollback run (`parentRunId` = this one). A clone: deletes the cloud resources in its ledger (and those of the runs it retried), newest first. A migration: deletes the objects it created (labelled with its id) and scales a cut-over source back up. A clone with workloads (`environment`): rolls back its migrate child, then its clone child, each as a rollback run of its own.',
        params: idParams,
        headers: idempotencyHeaders,
        response: responses,
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const run = await findRun(p.tenantId, request.params.id);
      if (run.kind !== 'clone' && run.kind !== 'migrate' && run.kind !== 'environment')
        throw new DollyError('invalid_state', `A ${run.kind} run has nothing to roll back`);
      if (!ROLLBACKABLE.has(run.status))
        throw new DollyError('invalid_state', `The run is ${run.status}; stop it before rolling it back`);
      const active = await deps.db.run.findFirst({
        where: {
          parentRunId: run.id,
          kind: 'rollback',
          status: { in: ['queued', 'running', 'waiting', 'cancelling'] },
        },
      });
      if (active) throw new DollyError('conflict', `Rollback ${active.id} is already under way`);
      await admitRollback(deps.db, { tenantId: p.tenantId, role: p.role, userId: p.userId, run });
      const rollback = await startRun(deps, p, {
        kind: 'rollback',
        input: { title: `Roll back: ${runTitle(run).replace(/^Retry: /, '')}`, rollsBack: run.id },
        parentRunId: run.id,
        ...(idempotencyKeyOf(request) ? { idempotencyKey: idempotencyKeyOf(request) } : {}),
        sameRequest: (existing) => existing.parentRunId === run.id,
      });
      return reply.status(202).send(await dto(rollback));
    },
  );

  r.post(
    '/api/v1/runs/:id/approve',
    {
      config: { auth: { can: 'approve', on: 'Run' }, audit: 'run.approve' },
      schema: {
        tags: ['runs'],
        summary: 'Approve a run a clone policy holds for approval; it is queued at once',
        params: idParams,
        body: reasonBody,
        response: responses,
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await decide(requirePrincipal(request), request.params.id, 'approve', request.body.reason)),
  );

  r.post(
    '/api/v1/runs/:id/reject',
    {
      config: { auth: { can: 'approve', on: 'Run' }, audit: 'run.reject' },
      schema: {
        tags: ['runs'],
        summary: 'Reject a run pending approval; it ends without touching any cloud',
        params: idParams,
        body: reasonBody,
        response: responses,
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await decide(requirePrincipal(request), request.params.id, 'reject', request.body.reason)),
  );

  /**
   * Approve (queue it now) or reject (end it untouched) a run a policy held. The status guard in
   * the update makes two approvers racing each other decide once.
   */
  async function decide(p: Principal, id: string, decision: 'approve' | 'reject', reason?: string) {
    const run = await findRun(p.tenantId, id);
    const verb = decision === 'approve' ? 'approved' : 'rejected';
    if (run.status !== 'pending_approval')
      throw new DollyError(
        'invalid_state',
        `The run is ${run.status}; only runs pending approval can be ${verb}`,
      );
    if (decision === 'approve' && run.requestedById === p.userId)
      throw new DollyError('forbidden', 'Another operator must approve a run you requested');
    const now = new Date();
    const updated = await deps.db.run.updateMany({
      where: { id: run.id, status: 'pending_approval' },
      data:
        decision === 'approve'
          ? { status: 'queued', approvedById: p.userId, approvedAt: now }
          : { status: 'rejected', finishedAt: now, approvedById: p.userId, approvedAt: now },
    });
    if (updated.count === 0) throw new DollyError('invalid_state', 'The run was decided in the meantime');
    const by = (await deps.db.user.findUnique({ where: { id: p.userId } }))?.email ?? p.userId;
    const status = decision === 'approve' ? 'queued' : 'rejected';
    await deps.appendRunEvent(
      run.id,
      decision === 'approve' ? 'info' : 'warn',
      `${verb[0]?.toUpperCase()}${verb.slice(1)} by ${by}${reason ? `: ${reason}` : ''}`,
      {
        data: { status },
      },
    );
    if (decision === 'approve')
      await deps.queues.enqueue('runs', run.kind as 'clone', { runId: run.id, tenantId: p.tenantId });
    else {
      await deps.appendRunEvent.notify(run.id);
      // a rejection ends the run here, not in the worker: tell the tenant's webhooks from here too
      await createRunNotifier(deps.db, deps.queues, {
        backoffMs: deps.config.DOLLY_WEBHOOK_BACKOFF_MS,
      })(run.id, 'rejected');
    }
    return dto(await deps.db.run.findUniqueOrThrow({ where: { id: run.id } }));
  }

  /** A retry is admitted like the run it repeats, with the retrier's role and today's inventory. */
  async function readmit(p: Principal, run: Run): Promise<{ requireApproval: boolean }> {
    const who = { tenantId: p.tenantId, role: p.role };
    if (run.kind === 'clone')
      return admitCloneRun(deps.db, { ...who, input: run.input as unknown as CloneRunInputLike });
    if (run.kind === 'environment')
      return admitEnvironmentRun(deps.db, { ...who, input: environmentRunInputSchema.parse(run.input) });
    if (run.kind === 'migrate')
      return admitMigration(deps.db, { ...who, request: migrationRequestSchema.parse(run.input) });
    if (run.kind === 'rollback' && run.parentRunId)
      return admitRollback(deps.db, {
        ...who,
        userId: p.userId,
        run: await findRun(p.tenantId, run.parentRunId),
      });
    return { requireApproval: false };
  }
}
