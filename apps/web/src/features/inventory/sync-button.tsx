import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { ActionButton } from '../../components/disabled-reason.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StatusTag } from '../../components/status-badge.tsx';
import { inventoryQueryKey } from '../../lib/clusters.ts';
import { isTerminalStatus, startInventorySync, useRun } from '../../lib/runs.ts';
import { usePermission } from '../../lib/session-context.ts';

/** Starts an inventory sync and follows it; the table refreshes when the sync has finished. */
export function SyncButton() {
  const allowed = usePermission('syncInventory');
  const client = useQueryClient();
  const sync = useMutation({ mutationFn: () => startInventorySync() });
  return (
    <div className="toolbar-item">
      <ActionButton permission={allowed} busy={sync.isPending} onClick={() => sync.mutate()}>
        {sync.isPending ? 'Starting sync…' : 'Sync inventory'}
      </ActionButton>
      {sync.data && (
        <SyncProgress
          runId={sync.data.id}
          onDone={() => client.invalidateQueries({ queryKey: inventoryQueryKey })}
        />
      )}
      <ProblemAlert error={sync.error} />
    </div>
  );
}

function SyncProgress({ runId, onDone }: { runId: string; onDone: () => void }) {
  const run = useRun(runId, { poll: true });
  const status = run.data?.status;
  const done = status !== undefined && isTerminalStatus(status);
  const notified = useRef(false);
  useEffect(() => {
    if (done && !notified.current) {
      notified.current = true;
      onDone();
    }
  }, [done, onDone]);
  return (
    <span className="muted" role="status">
      {status && <StatusTag status={status} />} <Link to={`/runs/${runId}`}>View sync run</Link>
    </span>
  );
}
