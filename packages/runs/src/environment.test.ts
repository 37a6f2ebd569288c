import { describe, expect, it } from 'vitest';
import { environmentRunInputSchema, reusableChildStep } from './environment.ts';
import { assessMigration } from './migrate.ts';
import type { AdmissionContext } from './policy.ts';

const ctx: AdmissionContext = { rules: [], settings: { prodEnvironments: [] } };
/** a clone with workloads: the target is the cluster the clone will be, judged by its environment */
const ends = {
  source: { environment: 'prod', name: 'shop-prod' },
  target: { environment: 'dev', name: 'shop-prod-copy' },
};
const request = { namespaces: ['shop'], includeSecrets: false, copyVolumes: false, cutover: false };

describe('assessMigration into a cluster that does not exist yet', () => {
  it('lets a developer migrate prod namespaces into a dev clone', () => {
    expect(assessMigration(ctx, 'developer', request, ends).requireApproval).toBe(false);
  });

  it('names the field of the workloads at fault: Secrets, a kube-* namespace', () => {
    expect(() =>
      assessMigration(
        ctx,
        'developer',
        { ...request, includeSecrets: true },
        ends,
        undefined,
        'body.workloads',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'policy_denied',
        errors: [expect.objectContaining({ path: 'body.workloads.includeSecrets' })],
      }),
    );
    expect(() =>
      assessMigration(
        ctx,
        'operator',
        { ...request, namespaceMap: { shop: 'kube-system' } },
        ends,
        undefined,
        'body.workloads',
      ),
    ).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ path: 'body.workloads.namespaceMap.shop' })],
      }),
    );
  });

  it('keeps writes into a prod source (volume copy) to operators, and an unknown target is prod', () => {
    expect(() => assessMigration(ctx, 'developer', { ...request, copyVolumes: true }, ends)).toThrow(
      /policy|prod/i,
    );
    expect(assessMigration(ctx, 'operator', { ...request, copyVolumes: true }, ends).requireApproval).toBe(
      false,
    );
    expect(() =>
      assessMigration(ctx, 'developer', request, { ...ends, target: { environment: null, name: 'x' } }),
    ).toThrow(/prod/i);
  });
});

describe('environmentRunInputSchema', () => {
  it('refuses workloads with a cutover but no volume copy', () => {
    const parsed = environmentRunInputSchema.shape.workloads.safeParse({
      namespaces: ['shop'],
      cutover: true,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['cutover']);
  });
});

describe('reusableChildStep', () => {
  it('keeps a child step of a retried parent only when its child fully succeeded', () => {
    expect(reusableChildStep({ key: 'clone', output: { runId: 'x', status: 'succeeded' } })).toBe(true);
    expect(reusableChildStep({ key: 'migrate', output: { runId: 'x', status: 'partially_succeeded' } })).toBe(
      false,
    );
    expect(reusableChildStep({ key: 'anything-else', output: null })).toBe(true);
  });
});
