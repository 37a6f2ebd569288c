import { describe, expect, it } from 'vitest';
import { type Actor, runActions } from './run-actions-model.ts';

const keys = (offers: ReturnType<typeof runActions>) => offers.map((o) => o.key);
const resource = {
  kind: 'cluster',
  cloud: 'aws' as const,
  accountId: 'a',
  locator: {},
  origin: 'created' as const,
  createdAt: '',
  deletedAt: null,
};
const dev: Actor = { role: 'developer', email: 'developer@demo.dolly' };
const operator: Actor = { role: 'operator', email: 'operator@demo.dolly' };
const viewer: Actor = { role: 'viewer', email: 'viewer@demo.dolly' };

describe('runActions', () => {
  it('offers cancel while a clone runs; a developer may cancel their own run only', () => {
    const own = runActions({ kind: 'clone', status: 'running', requestedBy: dev.email }, dev);
    expect(keys(own)).toEqual(['cancel']);
    expect(own[0]?.permission.allowed).toBe(true);
    const other = runActions({ kind: 'clone', status: 'running', requestedBy: operator.email }, dev);
    expect(other[0]?.permission).toEqual({
      allowed: false,
      reason: 'Developers can only cancel runs they started',
    });
    expect(
      runActions({ kind: 'clone', status: 'running', requestedBy: dev.email }, operator)[0]?.permission
        .allowed,
    ).toBe(true);
  });

  it('offers retry, rollback and re-run after a failed clone', () => {
    const run = {
      kind: 'clone' as const,
      status: 'failed' as const,
      planId: 'p',
      resources: [resource],
      requestedBy: dev.email,
    };
    const offers = runActions(run, dev);
    expect(keys(offers)).toEqual(['retry', 'rollback', 'rerun']);
    expect(offers.every((o) => o.permission.allowed)).toBe(true);
  });

  it('says why there is nothing to roll back, unless an earlier attempt may have created something', () => {
    const run = {
      kind: 'clone' as const,
      status: 'cancelled' as const,
      planId: 'p',
      resources: [],
      requestedBy: dev.email,
    };
    expect(runActions(run, operator).find((o) => o.key === 'rollback')?.permission).toEqual({
      allowed: false,
      reason: 'This run created nothing to roll back',
    });
    const retried = { ...run, parentRunId: 'earlier' };
    expect(runActions(retried, operator).find((o) => o.key === 'rollback')?.permission.allowed).toBe(true);
  });

  it('offers approve and reject for pending runs, not to developers nor to the requester', () => {
    const pending = { kind: 'clone' as const, status: 'pending_approval' as const, requestedBy: dev.email };
    const offers = runActions(pending, dev);
    expect(keys(offers)).toEqual(['approve', 'reject', 'cancel']);
    expect(offers[0]?.permission).toEqual({
      allowed: false,
      reason: 'Developers cannot approve or reject runs',
    });
    expect(runActions(pending, operator)[0]?.permission.allowed).toBe(true);
    expect(runActions({ ...pending, requestedBy: operator.email }, operator)[0]?.permission).toEqual({
      allowed: false,
      reason: 'Another operator must approve a run you requested',
    });
  });

  it('gives viewers every action disabled with a reason', () => {
    const offers = runActions({ kind: 'selftest', status: 'succeeded' }, viewer);
    expect(keys(offers)).toEqual(['rerun']);
    expect(offers[0]?.permission).toEqual({ allowed: false, reason: 'Viewers cannot start runs' });
  });

  it('re-runs a sync only for roles that may sync, and never retries a self-test', () => {
    const [rerun] = runActions({ kind: 'sync', status: 'failed', requestedBy: dev.email }, dev).filter(
      (o) => o.key === 'rerun',
    );
    expect(rerun?.permission).toEqual({ allowed: false, reason: 'Developers cannot sync the inventory' });
    expect(keys(runActions({ kind: 'selftest', status: 'failed' }, operator))).toEqual(['rerun']);
  });

  it('offers nothing on a finished rollback but retry when it failed', () => {
    expect(keys(runActions({ kind: 'rollback', status: 'succeeded' }, operator))).toEqual([]);
    expect(keys(runActions({ kind: 'rollback', status: 'failed' }, operator))).toEqual(['retry']);
  });
  it('offers rolling back a clone with workloads as one, though the parent holds no resources itself', () => {
    const offers = runActions(
      { kind: 'environment', status: 'failed', requestedBy: dev.email, resources: [] },
      dev,
    );
    expect(keys(offers)).toEqual(expect.arrayContaining(['retry', 'rollback']));
    expect(offers.find((o) => o.key === 'rollback')?.permission.allowed).toBe(true);
  });
});
