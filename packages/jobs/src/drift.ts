import type { Database } from '@dolly/db';
import type { Queues } from './queues.ts';
import { notifyDriftDetected } from './webhooks.ts';

/**
 * Drift that appeared or changed since the last report: one audit line (actor: who asked, or
 * nobody for the schedule) and a `drift.detected` delivery per subscribed webhook. Never throws:
 * the report is stored already, a lost notification must not turn the check into an error.
 */
export async function announceDrift(
  db: Database,
  queues: Queues,
  report: { id: string; tenantId: string; clusterId: string; fingerprint: string; createdAt: Date },
  opts: {
    actorUserId: string | null;
    tokenId?: string | null;
    requestId?: string | null;
    backoffMs?: number;
    onError?: (error: unknown) => void;
  },
): Promise<void> {
  try {
    const webhooks = await notifyDriftDetected(db, queues, report, {
      ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
    });
    await db.auditEntry.create({
      data: {
        tenantId: report.tenantId,
        actorUserId: opts.actorUserId,
        tokenId: opts.tokenId ?? null,
        action: 'drift.detected',
        targetType: 'clusters',
        targetId: report.clusterId,
        outcome: 'success',
        requestId: opts.requestId ?? null,
        detail: { reportId: report.id, fingerprint: report.fingerprint, webhooks },
      },
    });
  } catch (error) {
    opts.onError?.(error);
  }
}
