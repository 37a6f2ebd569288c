import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlanFile } from '../plans/plan-file.ts';
import { parseClusterRef } from '../refs.ts';
import { parseItems } from './apply.ts';
import { driftSummary, driftTable, workloadTable } from './drift.ts';
import { defaultContextName } from './login.ts';
import { migrationBody } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'dolly-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PLAN_ID = '01a1fd6c-bc57-774c-9616-9f83debf70ce';

describe('argument parsing', () => {
  it('names a context tenant@host', () => {
    expect(defaultContextName('http://localhost:8080', 'demo')).toBe('demo@localhost:8080');
    expect(defaultContextName('https://dolly.example.com', 'acme')).toBe('acme@dolly.example.com');
  });

  it.each([
    ['shop-prod', { name: 'shop-prod' }],
    ['westeurope/shop-prod', { name: 'shop-prod', location: 'westeurope' }],
    ['gcp/us-central1/shop-prod', { name: 'shop-prod', cloud: 'gcp', location: 'us-central1' }],
    [
      'gcp/dolly-demo-prod/us-central1/shop-prod',
      { name: 'shop-prod', cloud: 'gcp', scope: 'dolly-demo-prod', location: 'us-central1' },
    ],
  ])('reads the cluster reference %s', (ref, expected) => {
    expect(parseClusterRef(ref)).toEqual(expected);
  });

  it('reads plan item indexes', () => {
    expect(parseItems('0, 2')).toEqual([0, 2]);
    expect(() => parseItems('1,x')).toThrow('--items: "x" is not an item index');
    expect(() => parseItems('-1')).toThrow(/not an item index/);
  });

  it('refuses a bandwidth below the API floor, naming the flag', () => {
    const flags = {
      sourceCluster: 's',
      targetCluster: 't',
      namespace: ['shop'],
      excludeNamespace: [],
      namespaceMap: [],
      includeKind: [],
      excludeKind: [],
      storageClassMap: [],
      registryMap: [],
      identityMap: [],
      nodePoolMap: [],
      ingressClassMap: [],
      copyVolumes: true,
    };
    expect(() => migrationBody({ ...flags, bandwidth: '1000' }, 's', 't')).toThrow(
      '--bandwidth must be at least 65536 bytes per second',
    );
    expect(migrationBody({ ...flags, bandwidth: '65536' }, 's', 't').bandwidthBytesPerSec).toBe(65536);
  });

  it('builds a migration request from flags, leaving out what was not given', () => {
    const body = migrationBody(
      {
        sourceCluster: 's',
        targetCluster: 't',
        namespace: ['shop', 'team-*'],
        excludeNamespace: [],
        namespaceMap: ['shop=shop-dev'],
        includeKind: [],
        excludeKind: ['CronJob'],
        storageClassMap: ['gp3=managed-csi'],
        registryMap: [],
        identityMap: [],
        nodePoolMap: [],
        ingressClassMap: [],
        copyVolumes: true,
        bandwidth: '1000000',
        dryRun: true,
      },
      'src-id',
      'dst-id',
    );
    expect(body).toEqual({
      sourceClusterId: 'src-id',
      targetClusterId: 'dst-id',
      namespaces: ['shop', 'team-*'],
      namespaceMap: { shop: 'shop-dev' },
      storageClassMap: { gp3: 'managed-csi' },
      excludeKinds: ['CronJob'],
      copyVolumes: true,
      bandwidthBytesPerSec: 1_000_000,
      dryRun: true,
    });
  });
});

describe('plan files for dolly apply', () => {
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const document = { apiVersion: 'dolly/v1', kind: 'ClonePlan', id: PLAN_ID, items: [] };

  it('takes the stored plan as dolly plan -o json printed it', () => {
    expect(readPlanFile(write('a.json', { id: PLAN_ID, document, targetEnvironment: 'dev' }))).toEqual({
      planId: PLAN_ID,
      document,
      targetEnvironment: 'dev',
    });
  });

  it('takes a bare ClonePlan document of a stored plan, also as YAML', () => {
    expect(readPlanFile(write('b.json', document))).toEqual({ planId: PLAN_ID, document });
    expect(
      readPlanFile(write('b.yaml', `apiVersion: dolly/v1\nkind: ClonePlan\nid: ${PLAN_ID}\nitems: []\n`))
        .planId,
    ).toBe(PLAN_ID);
  });

  it('explains why an offline plan cannot be applied', () => {
    expect(() => readPlanFile(write('c.json', { ...document, id: 'plan-1234abcd' }))).toThrow(
      /made offline and is not stored on the server/,
    );
    expect(() => readPlanFile(write('d.json', '{'))).toThrow(/d.json: not valid JSON/);
    expect(() => readPlanFile(write('e.json', [1]))).toThrow(/expected a plan object/);
  });
});

describe('dolly drift output', () => {
  const report = {
    id: '0193a000-0000-7000-8000-0000000000cc',
    clusterId: '0193a000-0000-7000-8000-0000000000c1',
    sourceClusterId: '0193a000-0000-7000-8000-0000000000c2',
    drifted: true,
    fingerprint: 'f'.repeat(64),
    basis: 'plan' as const,
    runId: null,
    requestedById: null,
    createdAt: '2026-12-07T04:00:00.000Z',
    workloads: null,
    findings: [
      { path: 'nodePools[web].nodeCount', expected: 3, actual: 5, severity: 'info' as const },
      {
        path: 'nodePools[db]',
        expected: { machineType: 'm6i.large', nodeCount: 2 },
        actual: null,
        severity: 'critical' as const,
      },
    ],
  };
  it('lists the most serious finding first, with expected and actual', () => {
    const lines = driftTable(report).split('\n');
    expect(lines[0]).toMatch(/^SEVERITY +PATH +EXPECTED +ACTUAL/);
    expect(lines[1]).toMatch(/^critical +nodePools\[db\] +\{"machineType":"m6i.large","nodeCount":2\} +—/);
    expect(lines[2]).toMatch(/^info +nodePools\[web\]\.nodeCount +3 +5/);
  });
  it('says so when there is no drift', () => {
    expect(driftTable({ ...report, drifted: false, findings: [] })).toBe(
      'No drift: the clone matches its source.',
    );
  });
  const workloads = {
    runId: '0193a000-0000-7000-8000-0000000000dd',
    namespaces: ['shop'],
    truncated: false,
    error: null,
    findings: [
      {
        namespace: 'shop',
        kind: 'ConfigMap',
        name: 'seed',
        path: 'object',
        expected: 'present',
        actual: null,
      },
      { namespace: 'shop', kind: 'Deployment', name: 'web', path: 'spec.replicas', expected: 2, actual: 7 },
    ],
  };
  it('shows workload findings object by object, and counts them in the summary', () => {
    const lines = workloadTable({ ...report, workloads }).split('\n');
    expect(lines[0]).toMatch(/^OBJECT +PATH +EXPECTED +ACTUAL/);
    expect(lines[1]).toMatch(/^ConfigMap shop\/seed +\(missing in the clone\) +present +—/);
    expect(lines[2]).toMatch(/^Deployment shop\/web +spec\.replicas +2 +7/);
    const summary = driftSummary(
      { ...report, workloads },
      'gcp/us-central1/shop-prod',
      Date.parse(report.createdAt),
    );
    expect(summary).toMatch(/^drifted: +yes, 2 finding\(s\), 2 workload finding\(s\)$/m);
    expect(summary).toMatch(/^workloads: +shop against migration 0193a000-0000-7000-8000-0000000000dd$/m);
    expect(workloadTable({ ...report, workloads: { ...workloads, findings: [] } })).toBe(
      'No workload drift: shop match the last migration.',
    );
    expect(workloadTable(report)).toBe('');
  });
});
