import type { Run, RunStatus } from '../../lib/runs.ts';
import { firstRefusal, type Permission, permission, refuse, type UiAction } from '../../lib/abilities.ts';
import type { Role } from '../../lib/session.ts';

export type RunActionKey = 'cancel' | 'retry' | 'rollback' | 'approve' | 'reject' | 'rerun';

export interface RunActionOffer {
  key: RunActionKey;
  label: string;
  /** The role check; a refused action is still shown, disabled, with the reason. */
  permission: Permission;
  destructive: boolean;
}

type RunLike = Pick<Run, 'kind' | 'status'> &
  Partial<Pick<Run, 'resources' | 'planId' | 'requestedBy' | 'parentRunId'>>;

export interface Actor {
  role: Role;
  email: string;
}

const cancellable: RunStatus[] = ['pending_approval', 'queued', 'running', 'waiting'];
const resumable: RunStatus[] = ['failed', 'cancelled', 'partially_succeeded'];
const undoable: RunStatus[] = ['failed', 'cancelled', 'partially_succeeded', 'succeeded'];
const finished: RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'partially_succeeded',
  'rolled_back',
  'rejected',
];

/** What starting the run again needs: a sync needs sync rights, a clone re-applies its plan. */
function rerunAbility(run: RunLike): UiAction {
  if (run.kind === 'sync') return 'syncInventory';
  if (run.kind === 'clone' || run.kind === 'migrate' || run.kind === 'environment') return 'clone';
  return 'startRun';
}

/** The API lets developers act on the runs they started only (apps/api runs/start.ts). */
function ownRunOnly(run: RunLike, actor: Actor, verb: string): Permission | undefined {
  if (actor.role !== 'developer' && actor.role !== 'viewer') return undefined;
  if (run.requestedBy && run.requestedBy === actor.email) return undefined;
  return refuse(`Developers can only ${verb} runs they started`);
}

/** Nothing to undo when the ledger is known, has nothing left, and no earlier attempt could have more. */
function rollbackNeeded(run: RunLike): Permission | undefined {
  // a clone with workloads holds no resources itself: its children do, and the API checks them
  if (run.kind === 'environment' || !run.resources || run.parentRunId) return undefined;
  if (run.resources.length === 0) return refuse('This run created nothing to roll back');
  if (run.resources.every((r) => r.deletedAt))
    return refuse('Everything this run created is already deleted');
  return undefined;
}

/**
 * The actions that make sense for a run in its current state, each with the checks the API will
 * make (role, own runs for developers, no self-approval). Actions that do not apply to the state
 * are not offered at all.
 */
export function runActions(run: RunLike, actor: Actor): RunActionOffer[] {
  const offers: RunActionOffer[] = [];
  const offer = (key: RunActionKey, label: string, p: Permission, destructive = false) =>
    offers.push({ key, label, permission: p, destructive });
  const { role } = actor;

  if (run.status === 'pending_approval') {
    const approval = firstRefusal(
      permission(role, 'approveRun'),
      run.requestedBy && run.requestedBy === actor.email
        ? refuse('Another operator must approve a run you requested')
        : undefined,
    );
    offer('approve', 'Approve', approval);
    offer('reject', 'Reject', permission(role, 'approveRun'), true);
  }
  if (cancellable.includes(run.status))
    offer(
      'cancel',
      'Cancel run',
      firstRefusal(permission(role, 'cancelRun'), ownRunOnly(run, actor, 'cancel')),
      true,
    );
  if (resumable.includes(run.status) && run.kind !== 'selftest')
    offer(
      'retry',
      'Retry from failed step',
      firstRefusal(permission(role, 'retryRun'), ownRunOnly(run, actor, 'retry')),
    );
  if ((run.kind === 'clone' || run.kind === 'environment') && undoable.includes(run.status))
    offer(
      'rollback',
      'Roll back',
      firstRefusal(permission(role, 'rollbackRun'), ownRunOnly(run, actor, 'roll back'), rollbackNeeded(run)),
      true,
    );
  // A rollback is started from the run it undoes, not again on its own.
  if (finished.includes(run.status) && run.kind !== 'rollback')
    offer(
      'rerun',
      'Run again',
      firstRefusal(
        permission(role, rerunAbility(run)),
        (run.kind === 'clone' || run.kind === 'migrate') && !run.planId
          ? refuse('This run has no plan to apply again')
          : undefined,
      ),
    );
  return offers;
}
