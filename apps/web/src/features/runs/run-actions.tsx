import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Dialog } from '../../components/dialog.tsx';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { applyPlan } from '../../lib/plans.ts';
import { type Run, runCommand, runQueryKey, startInventorySync, startSelftest } from '../../lib/runs.ts';
import { useCurrentSession } from '../../lib/session-context.ts';
import { type RunActionKey, type RunActionOffer, runActions } from './run-actions-model.ts';

const confirmText: Partial<Record<RunActionKey, { title: string; body: (run: Run) => string }>> = {
  cancel: {
    title: 'Cancel this run?',
    body: () =>
      'The step in flight is stopped. What the run already created stays until you roll back; you can also retry from the failed step.',
  },
  rollback: {
    title: 'Roll back this run?',
    body: (run) => {
      const left = run.resources?.filter((r) => !r.deletedAt).length;
      return `Dolly deletes ${left === undefined ? 'every resource' : `the ${left} resource${left === 1 ? '' : 's'}`} this run created, in reverse order. Nothing else is touched.`;
    },
  },
  reject: {
    title: 'Reject this run?',
    body: () => 'The run will not start. The requester sees it as rejected.',
  },
};

function inputAccountIds(input: unknown): string[] | undefined {
  if (!input || typeof input !== 'object' || !('accountIds' in input)) return undefined;
  const ids = (input as { accountIds: unknown }).accountIds;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
}

/** Starts the same work again as a new run. */
async function rerun(run: Run): Promise<Run | undefined> {
  if (run.kind === 'selftest') return startSelftest();
  if (run.kind === 'sync') return startInventorySync(inputAccountIds(run.input));
  if (run.planId) {
    const runs = await applyPlan(run.planId, {
      ...(run.planItemIndex === null ? {} : { items: [run.planItemIndex] }),
      idempotencyKey: crypto.randomUUID(),
    });
    return runs[0];
  }
  return undefined;
}

/** Cancel, retry from the failed step, roll back, approve or reject, run again: by role and state. */
export function RunActions({ run }: { run: Run }) {
  const session = useCurrentSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<RunActionOffer>();
  // One key per run page: a double click on Retry or Roll back returns the run the first click started.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const action = useMutation({
    mutationFn: async (key: RunActionKey): Promise<Run | undefined> =>
      key === 'rerun' ? rerun(run) : runCommand(run.id, key, idempotencyKey),
    onSuccess: (result) => {
      setConfirming(undefined);
      if (!result) return;
      // Retry, rollback and re-run answer a NEW run: follow it. The others answer this run.
      if (result.id !== run.id) navigate(`/runs/${result.id}`);
      else client.setQueryData(runQueryKey(run.id), (old: Run | undefined) => ({ ...old, ...result }));
      void client.invalidateQueries({ queryKey: runQueryKey(run.id) });
      void client.invalidateQueries({ queryKey: ['runs'] });
    },
  });
  const offers = runActions(run, { role: session.role, email: session.user.email });
  if (offers.length === 0) return null;
  const start = (offer: RunActionOffer) => {
    action.reset();
    if (confirmText[offer.key]) setConfirming(offer);
    else action.mutate(offer.key);
  };
  const dialog = confirming && confirmText[confirming.key];
  return (
    <div className="toolbar run-actions">
      {offers.map((offer) => (
        <ActionButton
          key={offer.key}
          permission={offer.permission}
          busy={action.isPending && action.variables === offer.key}
          className={offer.destructive ? 'danger' : offer.key === 'rerun' ? 'secondary' : undefined}
          onClick={() => start(offer)}
        >
          {offer.label}
        </ActionButton>
      ))}
      {!confirming && <ProblemAlert error={action.error} />}
      {confirming && dialog && (
        <Dialog
          open
          title={dialog.title}
          closeLabel="Back"
          onClose={() => setConfirming(undefined)}
          actions={
            <button
              type="button"
              className="danger"
              disabled={action.isPending}
              onClick={() => action.mutate(confirming.key)}
            >
              {confirming.label}
            </button>
          }
        >
          <p>{dialog.body(run)}</p>
          <ProblemAlert error={action.error} />
        </Dialog>
      )}
    </div>
  );
}
