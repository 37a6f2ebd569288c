import { describe, expect, it } from 'vitest';
import { evaluateClonePolicy, PROD_GUARD } from './clone-policy.ts';
import { isProdClass, normaliseEnvironment, targetEnvironment } from './environment.ts';

describe('normaliseEnvironment', () => {
  it.each([
    ['Prod', 'prod'],
    [' production ', 'prod'],
    ['PRD', 'prod'],
    ['Development', 'dev'],
    ['stg', 'staging'],
    ['qa', 'qa'],
    ['', null],
    ['   ', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (name, expected) => {
    expect(normaliseEnvironment(name)).toBe(expected);
  });
});

describe('isProdClass', () => {
  it('counts prod spellings and the unknown environment as prod', () => {
    for (const env of ['prod', 'Production', 'prd', null, undefined, ''])
      expect(isProdClass(env), String(env)).toBe(true);
    for (const env of ['dev', 'staging', 'qa']) expect(isProdClass(env), env).toBe(false);
  });

  it('adds the environments the tenant names prod-class, normalised', () => {
    const settings = { prodEnvironments: ['Live', 'dr'] };
    expect(isProdClass('live', settings)).toBe(true);
    expect(isProdClass(' DR', settings)).toBe(true);
    expect(isProdClass('live')).toBe(false);
    expect(isProdClass('dev', settings)).toBe(false);
  });
});

describe('targetEnvironment', () => {
  const none = { accountEnvironment: null, requested: null, labelEnvironment: null };

  it('is unknown, hence prod, when nothing names an environment', () => {
    expect(targetEnvironment(none)).toMatchObject({ environment: null, prodClass: true, source: 'unknown' });
  });

  it('takes the clone labels when nothing else is known: a prod copy stays prod', () => {
    expect(targetEnvironment({ ...none, labelEnvironment: 'Production' })).toMatchObject({
      environment: 'prod',
      prodClass: true,
      source: 'labels',
    });
  });

  it('takes the request over the account default and the labels', () => {
    expect(
      targetEnvironment({ accountEnvironment: 'staging', requested: 'Dev', labelEnvironment: 'prod' }),
    ).toMatchObject({ environment: 'dev', prodClass: false, source: 'requested' });
    expect(targetEnvironment({ ...none, accountEnvironment: 'dev', labelEnvironment: 'prod' })).toMatchObject(
      { environment: 'dev', source: 'account' },
    );
  });

  it('never lets a typed environment take a prod account out of prod', () => {
    expect(targetEnvironment({ ...none, accountEnvironment: 'production', requested: 'dev' })).toMatchObject({
      environment: 'prod',
      prodClass: true,
      source: 'account',
    });
    expect(
      targetEnvironment(
        { ...none, accountEnvironment: 'live', requested: 'dev' },
        { prodEnvironments: ['live'] },
      ),
    ).toMatchObject({ environment: 'live', prodClass: true, source: 'account' });
  });

  it('keeps the inventory environment of a cluster that is already there (adoption)', () => {
    expect(
      targetEnvironment({
        accountEnvironment: 'dev',
        requested: 'dev',
        labelEnvironment: 'dev',
        existingEnvironment: { environment: 'prod' },
      }),
    ).toMatchObject({ environment: 'prod', prodClass: true, source: 'existing' });
    expect(
      targetEnvironment({ ...none, requested: 'dev', existingEnvironment: { environment: null } }),
    ).toMatchObject({ environment: null, prodClass: true, source: 'existing' });
  });

  it('treats a tenant prod-class request as prod', () => {
    expect(targetEnvironment({ ...none, requested: 'DR' }, { prodEnvironments: ['dr'] })).toMatchObject({
      environment: 'dr',
      prodClass: true,
    });
  });
});

describe('the prod guard on normalised environments', () => {
  const src = { env: 'dev', cluster: 'a' };
  it.each([
    ['Production', {}],
    ['prd', {}],
    [null, {}],
    ['live', { prodEnvironments: ['live'] }],
  ] as const)('refuses a developer writing into %j', (env, settings) => {
    const d = evaluateClonePolicy(
      { role: 'developer', action: 'clone', source: src, target: { env, cluster: 'b' }, settings },
      [],
    );
    expect(d).toMatchObject({ allowed: false, rule: PROD_GUARD });
  });

  it('lets a prod rule match an unknown or aliased environment', () => {
    const rules = [
      {
        name: 'prod sources need approval',
        effect: 'allow' as const,
        roles: [],
        source: { env: ['prod'] },
        target: {},
        requireApproval: true,
        priority: 1,
      },
    ];
    for (const env of ['PRD', null]) {
      const d = evaluateClonePolicy(
        {
          role: 'developer',
          action: 'clone',
          source: { env, cluster: 'a' },
          target: { env: 'dev', cluster: 'b' },
        },
        rules,
      );
      expect(d, String(env)).toMatchObject({ allowed: true, requireApproval: true });
    }
  });
});
