import type { TargetEnvironment } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import { bundledCatalog, type ClonePlanItem, clusterSpecSchema, planClone } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import {
  explainUnknownEnvironment,
  nameRefusedEdit,
  planEnvironment,
  withTargetEnvironment,
} from './plan-environment.ts';
import { checkedAgainst, cloneableAccount, documentRegions, NOT_CLONEABLE } from './plan.ts';
import { cloneRunInput } from './plan-apply.ts';

const source = clusterSpecSchema.parse({
  cloud: 'gcp',
  scope: 'acme-prod',
  location: 'europe-west3',
  name: 'shop-prod',
  kubernetesVersion: '1.34.9-gke.1655001',
  labels: { team: 'shop', env: 'prod', environment: 'production' },
  nodePools: [{ name: 'default-pool', machineType: 'n2-standard-4', nodeCount: 3 }],
});
const item = (): ClonePlanItem =>
  structuredClone(
    planClone([source], { cloud: 'aws' }, bundledCatalog, { id: 'p1' }).items[0] as ClonePlanItem,
  );
const env = (
  environment: string | null,
  reason = `requested ${environment}`,
): { environment: TargetEnvironment } => ({
  environment: { environment, prodClass: environment === null, source: 'requested', reason },
});

describe('withTargetEnvironment', () => {
  it('rewrites every environment label to the derived environment, each with a decision', () => {
    const out = withTargetEnvironment(item(), env('dev'), 'plan-1');
    expect(out.target.labels).toMatchObject({
      env: 'dev',
      environment: 'dev',
      team: 'shop',
      'dolly-plan': 'plan-1',
    });
    const rewrites = out.decisions.filter((d) => d.rule === 'labels.target-environment');
    expect(rewrites.map((d) => [d.path, d.from, d.to])).toEqual([
      ['labels["environment"]', 'production', 'dev'],
      ['labels["env"]', 'prod', 'dev'],
    ]);
    expect(rewrites[1]?.reason).toBe(
      'the clone lives in dev; keeping "env: prod" would make the inventory call it prod',
    );
    expect(out.decisions.filter((d) => d.rule === 'environment.target')).toEqual([
      {
        path: 'environment',
        from: source.environment ?? null,
        to: 'dev',
        rule: 'environment.target',
        reason: 'requested dev',
      },
    ]);
  });

  it('keeps labels when the environment is unknown, and says it is treated as prod', () => {
    const out = withTargetEnvironment(item(), undefined, 'plan-1');
    expect(out.target.labels).toMatchObject({
      env: 'prod',
      environment: 'production',
      'dolly-plan': 'plan-1',
    });
    expect(out.decisions.filter((d) => d.rule === 'labels.target-environment')).toEqual([]);
    expect(out.decisions.find((d) => d.rule === 'environment.target')).toMatchObject({
      to: 'unknown (treated as prod)',
      reason: 'no environment is known: treated as prod',
    });
  });

  it('replaces its own earlier decisions instead of piling them up (an edit re-derives them)', () => {
    const once = withTargetEnvironment(item(), env('dev'), 'plan-1');
    const twice = withTargetEnvironment(once, env('staging'), 'plan-1');
    expect(twice.decisions.filter((d) => d.rule === 'environment.target')).toHaveLength(1);
    expect(
      twice.decisions.filter((d) => d.rule === 'labels.target-environment').map((d) => [d.from, d.to]),
    ).toEqual([
      ['dev', 'staging'],
      ['dev', 'staging'],
    ]);
    expect(twice.target.labels.env).toBe('staging');
  });

  it('does not touch the item it was given', () => {
    const original = item();
    const copy = structuredClone(original);
    withTargetEnvironment(original, env('dev'), 'plan-1');
    expect(original).toEqual(copy);
  });
});

describe('planEnvironment', () => {
  it('is the one environment every item shares, else null (prod)', () => {
    expect(planEnvironment([env('dev'), env('dev')])).toBe('dev');
    expect(planEnvironment([env('dev'), env('staging')])).toBeNull();
    expect(planEnvironment([env(null)])).toBeNull();
    expect(planEnvironment([])).toBeNull();
  });
});

describe('explainUnknownEnvironment', () => {
  const denied = new DollyError('policy_denied', 'Developers may not clone into prod');

  it('tells what to name when no environment was named', () => {
    expect(() => explainUnknownEnvironment(null)(denied)).toThrow(
      expect.objectContaining({
        code: 'policy_denied',
        message:
          "Developers may not clone into prod. Name a non-prod target.environment, or ask an admin to set the account's default environment",
        errors: [
          { path: 'body.target.environment', message: 'no environment named; the target counts as prod' },
        ],
      }),
    );
    expect(() => explainUnknownEnvironment(undefined, 'body.targetEnvironment')(denied)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('Name a non-prod targetEnvironment,'),
        errors: [expect.objectContaining({ path: 'body.targetEnvironment' })],
      }),
    );
  });

  it('passes other refusals, and refusals of a named environment, through unchanged', () => {
    expect(() => explainUnknownEnvironment('prod')(denied)).toThrow(denied);
    const conflict = new DollyError('conflict', 'busy');
    expect(() => explainUnknownEnvironment(null)(conflict)).toThrow(conflict);
    const plain = new Error('db down');
    expect(() => explainUnknownEnvironment(null)(plain)).toThrow(plain);
  });
});

describe('nameRefusedEdit', () => {
  it('names the edited field on a policy refusal without field errors', () => {
    expect(() => nameRefusedEdit('body.document')(new DollyError('policy_denied', 'no'))).toThrow(
      expect.objectContaining({
        code: 'policy_denied',
        message: 'no',
        errors: [{ path: 'body.document', message: 'the edited plan would write where your role may not' }],
      }),
    );
  });

  it('keeps a refusal that already names its field', () => {
    const named = new DollyError('policy_denied', 'no', [{ path: 'body.targetEnvironment', message: 'x' }]);
    expect(() => nameRefusedEdit('body.document')(named)).toThrow(named);
  });
});

describe('plan helpers', () => {
  it('refuses an imported account with the field at fault', () => {
    expect(cloneableAccount({ cloud: 'aws' }, 'x').cloud).toBe('aws');
    expect(() => cloneableAccount({ cloud: 'kubernetes' }, 'body.target.accountId')).toThrow(
      expect.objectContaining({
        code: 'unprocessable',
        errors: [{ path: 'body.target.accountId', message: NOT_CLONEABLE }],
      }),
    );
  });

  it('builds the clone run input apply stores, confirm only when given', () => {
    const it0 = item();
    const input = cloneRunInput(
      { id: 'plan-1', targetEnvironment: 'dev' },
      { id: 'acc-1' },
      0,
      it0,
      null,
      undefined,
    );
    expect(input).toEqual({
      title: `Clone shop-prod (gcp europe-west3) → ${it0.target.name} (aws ${it0.target.location})`,
      planId: 'plan-1',
      itemIndex: 0,
      item: it0,
      targetAccountId: 'acc-1',
      targetEnvironment: 'dev',
      sourceClusterId: null,
    });
    expect(
      cloneRunInput({ id: 'p', targetEnvironment: null }, { id: 'a' }, 1, it0, 's', 'acme').confirm,
    ).toBe('acme');
  });

  it('lists the regions of a document and names the list that refused', () => {
    expect(
      documentRegions('aws', [
        { target: { location: 'eu-central-1' } },
        { target: { location: 'eu-central-1' } },
      ]),
    ).toEqual(['eu-central-1']);
    expect(checkedAgainst({ source: 'snapshot', region: 'eu-central-1' })).toBe(
      ' (checked against the bundled catalog snapshot)',
    );
    expect(checkedAgainst({ source: 'live', region: 'eu-central-1', account: 'acme' })).toBe(
      ' (checked against the live lists of acme for eu-central-1)',
    );
  });
});
