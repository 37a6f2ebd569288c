import { DollyError } from '@dolly/contracts';
import { describe, expect, it } from 'vitest';
import {
  dryRunFailure,
  dryRunFilename,
  migrationRequestOf,
  migrationRunInput,
  sameMigrationRequest,
} from './migration.ts';

const body = {
  sourceClusterId: '0190b6a0-0000-7000-8000-000000000001',
  targetClusterId: '0190b6a0-0000-7000-8000-000000000002',
  namespaces: ['shop', 'team-*'],
  namespaceMap: { shop: 'shop-dev' },
};
const source = { name: 'shop-prod', cloud: 'gcp' as const };
const target = { name: 'shop-dev', cloud: 'aws' as const };

describe('migrationRequestOf', () => {
  it('keeps the request fields with their defaults and drops what is not one', () => {
    const request = migrationRequestOf({ ...body, dryRun: true, extra: 1 });
    expect(request).not.toHaveProperty('dryRun');
    expect(request).not.toHaveProperty('extra');
    expect(request).toMatchObject({ ...body, includeSecrets: false, copyVolumes: false, cutover: false });
  });
});

describe('migrationRunInput', () => {
  it('titles the run with the namespaces and both ends, and stores the request as given', () => {
    const request = migrationRequestOf(body);
    const input = migrationRunInput(request, source, target);
    expect(input.title).toBe('Migrate shop, team-* from shop-prod (gcp) → shop-dev (aws)');
    expect(migrationRequestOf(input)).toEqual(request);
  });
});

describe('sameMigrationRequest', () => {
  const request = migrationRequestOf(body);
  const stored = { input: migrationRunInput(request, source, target) };

  it('is the same request for the stored run of it, whatever the title', () => {
    expect(sameMigrationRequest(request, stored)).toBe(true);
    expect(sameMigrationRequest(request, { input: { ...stored.input, title: 'renamed' } })).toBe(true);
  });

  it('is another request when a field differs, or the run is no migration', () => {
    expect(sameMigrationRequest(migrationRequestOf({ ...body, namespaces: ['shop'] }), stored)).toBe(false);
    expect(sameMigrationRequest(migrationRequestOf({ ...body, copyVolumes: true }), stored)).toBe(false);
    expect(sameMigrationRequest(request, { input: { title: 'Clone a → b', planId: 'p' } })).toBe(false);
  });
});

describe('dryRunFilename', () => {
  it('names both clusters', () => {
    expect(dryRunFilename(source, target)).toBe('migration-plan-shop-prod-to-shop-dev.yaml');
  });
});

describe('dryRunFailure', () => {
  it('answers 503 when the clusters ran out of time, whatever they threw', () => {
    const e = dryRunFailure(new DollyError('policy_denied', 'no'), true);
    expect([e.code, e.status, e.message]).toEqual([
      'unavailable',
      503,
      'The clusters did not answer in time for a dry run',
    ]);
  });

  it('keeps a refusal as it is (a policy on the resolved namespaces, a missing account)', () => {
    const refusal = new DollyError('policy_denied', 'Developers never migrate into prod');
    expect(dryRunFailure(refusal, false)).toBe(refusal);
  });

  it('names what the clusters said otherwise (422)', () => {
    const e = dryRunFailure(new Error('connect ECONNREFUSED 10.0.0.1:443'), false);
    expect([e.code, e.status, e.message]).toEqual([
      'unprocessable',
      422,
      'The dry run could not read the clusters: connect ECONNREFUSED 10.0.0.1:443',
    ]);
    expect(dryRunFailure('socket hang up', false).message).toBe(
      'The dry run could not read the clusters: socket hang up',
    );
  });
});
