import type { RunDto } from '@dolly/contracts';
import type { Run, RunStep } from '@dolly/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRunDto(run: Run & { steps?: RunStep[] }): RunDto {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    input: run.input,
    ...(run.result === null ? {} : { result: run.result }),
    ...(run.error === null ? {} : { error: run.error }),
    errorClass: (run.errorClass as RunDto['errorClass']) ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    ...(run.steps
      ? {
          steps: run.steps.map((s) => ({
            key: s.key,
            status: s.status,
            attempt: s.attempt,
            startedAt: iso(s.startedAt),
            finishedAt: iso(s.finishedAt),
            ...(s.error === null ? {} : { error: s.error }),
            cloudRequestIds: s.cloudRequestIds,
          })),
        }
      : {}),
  };
}
