import type { RunDto } from '@dolly/contracts';
import type { Database, Run, RunResource, RunStep } from '@dolly/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const defaultTitles: Record<Run['kind'], string> = {
  selftest: 'Self-test',
  sync: 'Inventory sync',
  clone: 'Clone',
  rollback: 'Rollback',
  migrate: 'Migration',
  environment: 'Environment',
};

/** Runs are created with `input.title`; older rows fall back to their kind. */
export function runTitle(run: Pick<Run, 'kind' | 'input'>) {
  const title = (run.input as { title?: unknown } | null)?.title;
  return typeof title === 'string' && title ? title : defaultTitles[run.kind];
}

type RunRow = Run & { steps?: RunStep[]; resources?: RunResource[] };

/** Emails of requesters and approvers, one query for a page of runs. */
export async function peopleOf(db: Database, runs: Run[]) {
  const ids = [
    ...new Set(runs.flatMap((r) => [r.requestedById, r.approvedById]).filter((x): x is string => !!x)),
  ];
  if (ids.length === 0) return new Map<string, string>();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

export function toRunDto(run: RunRow, people: Map<string, string> = new Map()): RunDto {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    title: runTitle(run),
    input: run.input,
    ...(run.result === null ? {} : { result: run.result }),
    ...(run.error === null ? {} : { error: run.error }),
    errorClass: (run.errorClass as RunDto['errorClass']) ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    planId: run.planId,
    planItemIndex: run.planItemIndex,
    parentRunId: run.parentRunId,
    requestedBy: (run.requestedById && people.get(run.requestedById)) ?? null,
    approvedBy: (run.approvedById && people.get(run.approvedById)) ?? null,
    approvedAt: iso(run.approvedAt),
    ...(run.steps
      ? {
          steps: run.steps.map((s) => ({
            key: s.key,
            status: s.status,
            attempt: s.attempt,
            startedAt: iso(s.startedAt),
            finishedAt: iso(s.finishedAt),
            ...(s.error === null ? {} : { error: s.error }),
            ...(s.output === null ? {} : { output: s.output }),
            cloudRequestIds: s.cloudRequestIds,
          })),
        }
      : {}),
    ...(run.resources
      ? {
          resources: run.resources.map((r) => ({
            kind: r.kind,
            cloud: r.cloud,
            accountId: r.accountId,
            locator: r.locator as Record<string, unknown>,
            origin: r.origin === 'adopted' ? ('adopted' as const) : ('created' as const),
            createdAt: r.createdAt.toISOString(),
            deletedAt: iso(r.deletedAt),
          })),
        }
      : {}),
  };
}
