import { evaluateSourceWrites, type Role, roleAtLeast } from '@dolly/authz';
import { migrationRequestSchema } from '@dolly/contracts';
import type { Database, Run, RunResource } from '@dolly/db';
import { z } from 'zod';
import { AdmissionError } from './admission-error.ts';
import { environmentChildren, ROLLBACKABLE_STATUSES } from './environment.ts';
import { assessPairs, denied, loadAdmissionContext, type PolicyOutcome } from './policy.ts';

/** The run rolled back and the runs it retried: a retry adopts and records what its parent made. */
export async function runChain(db: Database, tenantId: string, runId: string): Promise<Run[]> {
  const chain: Run[] = [];
  let next: string | null = runId;
  while (next && chain.length < 50) {
    const run: Run | null = await db.run.findFirst({ where: { id: next, tenantId } });
    if (!run || (chain[0] && run.kind !== chain[0].kind)) break;
    chain.push(run);
    next = run.parentRunId;
  }
  return chain;
}

/** What rollback may delete: resources the chain created, never ones it only adopted. */
export async function createdByChain(db: Database, chain: Run[]): Promise<RunResource[]> {
  return db.runResource.findMany({
    where: { runId: { in: chain.map((r) => r.id) }, deletedAt: null, origin: 'created' },
  });
}

const cloneInput = z.object({
  sourceClusterId: z.string().nullable().optional(),
  targetEnvironment: z.string().nullable().optional(),
  item: z.object({ source: z.object({ name: z.string() }), target: z.object({ name: z.string() }) }),
});

export interface RollbackAdmission extends PolicyOutcome {
  chain: Run[];
  resources: RunResource[];
}

/**
 * Rolling back deletes in the target (and, after a cutover, scales the source back up): a write
 * like the run itself, checked again now for `role` against the clusters as the inventory has
 * them. Developers roll back only runs they started.
 */
export async function admitRollback(
  db: Database,
  req: { tenantId: string; role: Role; userId: string | null; run: Run },
): Promise<RollbackAdmission> {
  const { run, role } = req;
  if (!roleAtLeast(role, 'operator') && run.requestedById !== req.userId)
    throw new AdmissionError('forbidden', 'Developers can only roll back runs they started');
  const ctx = await loadAdmissionContext(db, req.tenantId);
  const chain = await runChain(db, req.tenantId, run.id);
  if (run.kind === 'environment') {
    // Undone child by child, each through its own rollback: both are admitted now, up front.
    const children = (await environmentChildren(db, req.tenantId, chain)).filter((c) =>
      ROLLBACKABLE_STATUSES.includes(c.run.status),
    );
    const outcomes = [];
    for (const child of children) outcomes.push(await admitRollback(db, { ...req, run: child.run }));
    return {
      chain,
      resources: [],
      requireApproval: outcomes.some((o) => o.requireApproval),
      decisions: outcomes.flatMap((o) => o.decisions),
    };
  }
  if (run.kind === 'migrate') {
    const request = migrationRequestSchema.parse(run.input);
    const [source, target] = await Promise.all(
      [request.sourceClusterId, request.targetClusterId].map((id) =>
        db.cluster.findFirst({ where: { id, tenantId: req.tenantId } }),
      ),
    );
    const writes = evaluateSourceWrites({
      role,
      source: { env: source?.environment ?? null, cluster: source?.name ?? request.sourceClusterId },
      writes: request.cutover ? ['scaling the cut-over source back up'] : [],
      settings: ctx.settings,
    });
    if (!writes.allowed) throw denied(writes);
    const outcome = assessPairs(
      ctx,
      role,
      'migrate',
      request.namespaces.map((n) => ({
        source: { env: source?.environment ?? null, cluster: source?.name ?? '', namespace: n },
        target: {
          env: target?.environment ?? null,
          cluster: target?.name ?? request.targetClusterId,
          namespace: request.namespaceMap?.[n] ?? n,
        },
      })),
    );
    return { ...outcome, chain, resources: [] };
  }
  const input = cloneInput.parse(run.input);
  const resources = await createdByChain(db, chain);
  const source = input.sourceClusterId
    ? await db.cluster.findFirst({ where: { id: input.sourceClusterId, tenantId: req.tenantId } })
    : null;
  // Each cluster to delete is judged by what the inventory says it is now; one the inventory
  // does not know is in the environment the run asked for, or unknown (prod).
  const clusters = resources.filter((r) => r.kind === 'cluster');
  const rows = await db.cluster.findMany({
    where: {
      tenantId: req.tenantId,
      OR: clusters.map((c) => {
        const loc = c.locator as { location?: string; cluster?: string };
        return { accountId: c.accountId, location: loc.location ?? '', name: loc.cluster ?? '' };
      }),
    },
  });
  const targets = clusters.length
    ? clusters.map((c) => {
        const loc = c.locator as { location?: string; cluster?: string };
        const row = rows.find(
          (r) => r.accountId === c.accountId && r.location === loc.location && r.name === loc.cluster,
        );
        return { env: row ? row.environment : (input.targetEnvironment ?? null), cluster: loc.cluster ?? '' };
      })
    : [{ env: input.targetEnvironment ?? null, cluster: input.item.target.name }];
  const outcome = assessPairs(
    ctx,
    role,
    'clone',
    targets.map((target) => ({
      source: { env: source?.environment ?? null, cluster: input.item.source.name },
      target,
    })),
  );
  return { ...outcome, chain, resources };
}
