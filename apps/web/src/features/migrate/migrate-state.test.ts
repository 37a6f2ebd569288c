import { describe, expect, it } from 'vitest';
import type { ClusterSummary } from '../../lib/clusters.ts';
import {
  buildMigrationBody,
  decideMigration,
  initialMigrateState,
  type MigrateState,
  migratePermission,
  namespacePairs,
  parseNamespaces,
  rowsToRecord,
  SECRETS_REASON,
  secretsPermission,
  sourceWritePermission,
  stepBlocker,
  targetNamespaceRows,
} from './migrate-state.ts';

const SRC = '00000000-0000-4000-8000-00000000000a';
const DST = '00000000-0000-4000-8000-00000000000b';

const state = (patch: Partial<MigrateState> = {}): MigrateState => ({
  ...initialMigrateState({ source: SRC, target: DST }),
  ...patch,
});

const cluster = (id: string, name: string, environment: string | null) =>
  ({ id, name, environment }) as ClusterSummary;

describe('namespaces', () => {
  it('parses comma-separated names and globs, trimmed and without duplicates', () => {
    expect(parseNamespaces(' shop, team-* ,,shop ')).toEqual(['shop', 'team-*']);
    expect(parseNamespaces('')).toEqual([]);
  });

  it('defaults each plain namespace to <ns>-copy and leaves globs out', () => {
    expect(targetNamespaceRows(['shop', 'team-*', 'db'], { db: 'db-e2e' })).toEqual([
      { source: 'shop', target: 'shop-copy' },
      { source: 'db', target: 'db-e2e' },
    ]);
  });

  it('pairs globs with themselves for the policy', () => {
    expect(namespacePairs(state({ namespacesText: 'shop, team-*' }))).toEqual([
      { source: 'shop', target: 'shop-copy' },
      { source: 'team-*', target: 'team-*' },
    ]);
  });
});

describe('rowsToRecord', () => {
  it('trims, drops incomplete rows and keeps the last row of a key', () => {
    expect(
      rowsToRecord([
        { key: ' gp3 ', value: ' standard-rwo ' },
        { key: '', value: 'x' },
        { key: 'y', value: '  ' },
        { key: 'gp3', value: 'premium-rwo' },
      ]),
    ).toEqual({ gp3: 'premium-rwo' });
  });
});

describe('buildMigrationBody', () => {
  it('sends the defaults with no empty maps', () => {
    expect(buildMigrationBody(state(), true)).toEqual({
      sourceClusterId: SRC,
      targetClusterId: DST,
      namespaces: ['shop'],
      namespaceMap: { shop: 'shop-copy' },
      existing: 'skip',
      includeSecrets: false,
      copyVolumes: true,
      cutover: false,
      dryRun: true,
    });
  });

  it('carries every choice of the wizard', () => {
    const body = buildMigrationBody(
      state({
        namespacesText: 'shop, team-*',
        targetNames: { shop: 'shop-e2e' },
        labelSelector: ' app!=legacy ',
        includeSecrets: true,
        existing: 'update',
        maps: {
          storageClassMap: [{ key: 'standard-rwo', value: 'gp3' }],
          registryMap: [
            { key: 'us-docker.pkg.dev/dolly', value: '111.dkr.ecr.us-east-1.amazonaws.com/dolly' },
          ],
          nodePoolMap: [{ key: '', value: '' }],
          identityMap: [{ key: 'shop/api', value: 'arn:aws:iam::111:role/api' }],
        },
        cutover: true,
        bandwidthMiB: '2',
        readyTimeoutSec: '120',
      }),
      false,
    );
    expect(body).toEqual({
      sourceClusterId: SRC,
      targetClusterId: DST,
      namespaces: ['shop', 'team-*'],
      namespaceMap: { shop: 'shop-e2e' },
      labelSelector: 'app!=legacy',
      existing: 'update',
      includeSecrets: true,
      copyVolumes: true,
      cutover: true,
      storageClassMap: { 'standard-rwo': 'gp3' },
      registryMap: { 'us-docker.pkg.dev/dolly': '111.dkr.ecr.us-east-1.amazonaws.com/dolly' },
      identityMap: { 'shop/api': 'arn:aws:iam::111:role/api' },
      bandwidthBytesPerSec: 2 * 1024 * 1024,
      readyTimeoutSec: 120,
      dryRun: false,
    });
  });

  it('leaves a namespace kept under its own name out of the map', () => {
    expect(buildMigrationBody(state({ targetNames: { shop: 'shop' } }), true).namespaceMap).toBeUndefined();
  });
});

describe('permissions and policy', () => {
  it('lets developers migrate but only operators copy Secrets', () => {
    expect(migratePermission('developer').allowed).toBe(true);
    expect(migratePermission('viewer')).toEqual({
      allowed: false,
      reason: 'Viewers cannot migrate namespaces',
    });
    expect(secretsPermission('operator').allowed).toBe(true);
    expect(secretsPermission('developer')).toEqual({ allowed: false, reason: SECRETS_REASON });
    expect(secretsPermission('viewer').allowed).toBe(false);
  });

  it('refuses a developer a prod target, with the reason', () => {
    const decision = decideMigration(
      'developer',
      [],
      cluster(SRC, 'shop-prod', 'prod'),
      cluster(DST, 'shop-prod', 'prod'),
      [{ source: 'shop', target: 'shop-copy' }],
    );
    expect(decision).toMatchObject({ allowed: false, reason: 'Developers cannot migrate into prod' });
    expect(
      decideMigration('operator', [], cluster(SRC, 'a', 'prod'), cluster(DST, 'b', 'prod'), []).allowed,
    ).toBe(true);
  });

  it('applies tenant rules per namespace, approval included', () => {
    const decision = decideMigration(
      'developer',
      [
        {
          name: 'dev-needs-approval',
          effect: 'allow',
          roles: [],
          source: {},
          target: { env: ['dev'], namespaceGlob: 'shop-*' },
          requireApproval: true,
          priority: 1,
        },
      ],
      cluster(SRC, 'shop-prod', 'prod'),
      cluster(DST, 'shop-dev', 'dev'),
      [{ source: 'shop', target: 'shop-e2e' }],
    );
    expect(decision).toMatchObject({ allowed: true, requireApproval: true, rule: 'dev-needs-approval' });
  });
});

describe('stepBlocker', () => {
  const source = cluster(SRC, 'shop-prod', 'prod');
  const target = cluster(DST, 'shop-dev', 'dev');

  it('needs a source and namespaces, and Secrets only for operators', () => {
    expect(stepBlocker('source', state(), { role: 'operator' })).toBe('Choose the source cluster');
    expect(stepBlocker('source', state({ namespacesText: ' , ' }), { source, role: 'operator' })).toBe(
      'Enter at least one namespace',
    );
    expect(stepBlocker('source', state({ includeSecrets: true }), { source, role: 'developer' })).toBe(
      SECRETS_REASON,
    );
    expect(
      stepBlocker('source', state({ includeSecrets: true }), { source, role: 'operator' }),
    ).toBeUndefined();
  });

  it('checks the target, the policy and the target names', () => {
    expect(stepBlocker('target', state(), { source, role: 'operator' })).toBe('Choose the target cluster');
    expect(
      stepBlocker('target', state(), {
        source,
        target,
        role: 'developer',
        decision: { allowed: false, rule: 'x', reason: 'Developers cannot migrate into prod' },
      }),
    ).toBe('Developers cannot migrate into prod');
    expect(
      stepBlocker('target', state({ targetNames: { shop: 'Shop_E2E' } }), {
        source,
        target,
        role: 'operator',
      }),
    ).toMatch(/^shop: Use a DNS label/);
    expect(
      stepBlocker('target', state({ namespacesText: 'a, b', targetNames: { a: 'x', b: 'x' } }), {
        source,
        target,
        role: 'operator',
      }),
    ).toBe('Two namespaces map to x');
    expect(
      stepBlocker('target', state({ targetNames: { shop: 'shop' } }), {
        source,
        target: source,
        role: 'operator',
      }),
    ).toBe('Into the same cluster, every namespace needs a new name');
    expect(stepBlocker('target', state(), { source, target, role: 'operator' })).toBeUndefined();
  });

  it('checks cutover, bandwidth and timeout', () => {
    const ctx = { source, target, role: 'operator' as const };
    expect(stepBlocker('mappings', state({ cutover: true, copyVolumes: false }), ctx)).toBe(
      'Cutover needs copy volumes',
    );
    expect(stepBlocker('mappings', state({ bandwidthMiB: '-1' }), ctx)).toMatch(/bandwidth/);
    // below the API's floor of 64 KiB/s: the wizard says so before the request is sent
    expect(stepBlocker('mappings', state({ bandwidthMiB: '0.01' }), ctx)).toMatch(/at least 0.0625 MiB\/s/);
    expect(stepBlocker('mappings', state({ bandwidthMiB: '0.0625' }), ctx)).toBeUndefined();
    expect(stepBlocker('mappings', state({ readyTimeoutSec: '1.5' }), ctx)).toMatch(/ready timeout/);
    expect(stepBlocker('mappings', state(), ctx)).toBeUndefined();
  });
});

describe('writes into the source (volume copy, cutover)', () => {
  const prod = cluster(SRC, 'shop-prod', 'Production');
  const unknown = cluster(SRC, 'mystery', null);
  const dev = cluster(SRC, 'shop-dev', 'dev');

  it('are refused to developers from a prod-class or unlabelled source, as the API refuses them', () => {
    for (const source of [prod, unknown]) {
      const copy = sourceWritePermission('developer', source, { copyVolumes: true });
      expect(copy.allowed).toBe(false);
      if (!copy.allowed) expect(copy.reason).toMatch(/copyVolumes.*counts as prod.*developers/);
      expect(sourceWritePermission('developer', source, { cutover: true }).allowed).toBe(false);
    }
  });

  it('are allowed from a non-prod source, to operators anywhere, and when nothing is written', () => {
    expect(sourceWritePermission('developer', dev, { copyVolumes: true, cutover: true })).toEqual({
      allowed: true,
    });
    expect(sourceWritePermission('operator', prod, { copyVolumes: true, cutover: true })).toEqual({
      allowed: true,
    });
    expect(sourceWritePermission('developer', prod, { copyVolumes: false, cutover: false })).toEqual({
      allowed: true,
    });
  });

  it('block the mappings step until they are off', () => {
    const ctx = { source: prod, role: 'developer' as const };
    expect(stepBlocker('mappings', state({ copyVolumes: true }), ctx)).toMatch(/counts as prod/);
    expect(stepBlocker('mappings', state({ copyVolumes: false, cutover: false }), ctx)).toBeUndefined();
    expect(
      stepBlocker('mappings', state({ copyVolumes: true }), { source: prod, role: 'operator' }),
    ).toBeUndefined();
  });
});
