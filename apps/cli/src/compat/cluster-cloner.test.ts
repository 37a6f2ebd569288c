import { describe, expect, it } from 'vitest';
import type { CloudAccount, ClusterSummary } from '../api/types.ts';
import {
  normaliseGoFlags,
  parseCloud,
  parseLabelFilterFlag,
  planRequest,
  selectAccount,
  selectClusters,
} from './cluster-cloner.ts';

const account = (over: Partial<CloudAccount>): CloudAccount => ({
  id: '00000000-0000-4000-8000-000000000000',
  name: 'x',
  cloud: 'gcp',
  scope: null,
  endpoint: null,
  hasCaBundle: false,
  credentialKind: 'gcp-service-account-key',
  settings: {},
  defaultEnvironment: null,
  lastTestedAt: null,
  lastTestResult: null,
  clusters: 0,
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});

const cluster = (over: Partial<ClusterSummary>): ClusterSummary => ({
  id: '10000000-0000-4000-8000-000000000000',
  cloud: 'gcp',
  accountId: 'a',
  accountName: 'A',
  scope: 'dolly-demo-prod',
  location: 'us-central1',
  name: 'shop-prod',
  kubernetesVersion: '1.33',
  status: 'RUNNING',
  environment: 'prod',
  environmentSource: 'label',
  labels: { env: 'prod', team: 'shop' },
  pools: 2,
  nodes: 6,
  lastSeenAt: '2026-01-01T00:00:00Z',
  vanishedAt: null,
  drifted: null,
  ...over,
});

const gcp = account({
  id: 'gcp-1',
  name: 'Sandbox Google Cloud',
  scope: 'dolly-demo-prod',
  settings: { scopes: ['dolly-demo-prod', 'dolly-demo-dev'] },
});
const aws = account({ id: 'aws-1', name: 'Sandbox AWS', cloud: 'aws', scope: '111111111111' });
const aws2 = account({ id: 'aws-2', name: 'Other AWS', cloud: 'aws', scope: '222222222222' });

describe('Cluster Cloner flags', () => {
  it.each([
    ['GCP', 'gcp'],
    ['gke', 'gcp'],
    ['Azure', 'azure'],
    ['AKS', 'azure'],
    ['AWS', 'aws'],
    [' eks ', 'aws'],
  ])('reads the cloud %s as %s', (text, cloud) => {
    expect(parseCloud(text, '-inputcloud')).toBe(cloud);
  });

  it('refuses an unknown cloud naming the flag', () => {
    expect(() => parseCloud('IBM', '-outputcloud')).toThrow(
      '-outputcloud: "IBM" is not a cloud (AWS, Azure or GCP)',
    );
    expect(() => parseCloud(undefined, '-outputcloud')).toThrow(/-outputcloud/);
  });

  it('accepts the Go spellings of the flags', () => {
    expect(
      normaliseGoFlags([
        '-inputcloud',
        'GCP',
        '-inputscope=dolly-demo-prod',
        '--inputlocation=us-central1',
        '-outputcloud',
        'AWS',
        '-nodryrun=true',
        '-o',
        'json',
        '--labelfilter',
        'env=prod',
      ]),
    ).toEqual([
      '--inputcloud',
      'GCP',
      '--inputscope',
      'dolly-demo-prod',
      '--inputlocation',
      'us-central1',
      '--outputcloud',
      'AWS',
      '--nodryrun',
      '-o',
      'json',
      '--labelfilter',
      'env=prod',
    ]);
    expect(normaliseGoFlags(['-nodryrun=false', '-nodryrun'])).toEqual(['--nodryrun']);
    expect(() => normaliseGoFlags(['-nodryrun=maybe'])).toThrow(/not true or false/);
  });

  it('reads label filters with = or :', () => {
    expect(parseLabelFilterFlag('env=prod, team:shop')).toEqual({ env: 'prod', team: 'shop' });
    expect(parseLabelFilterFlag(undefined)).toEqual({});
    expect(() => parseLabelFilterFlag('env')).toThrow(/not key=value/);
  });
});

describe('mapping onto Dolly accounts and clusters', () => {
  it("picks the account of the cloud reaching the scope, through the account's extra scopes too", () => {
    expect(selectAccount([gcp, aws], 'gcp', 'dolly-demo-dev', 'input').id).toBe('gcp-1');
    expect(selectAccount([gcp, aws, aws2], 'aws', '222222222222', 'output').id).toBe('aws-2');
  });

  it("takes the cloud's only account when no scope is given, and asks for one among several", () => {
    expect(selectAccount([gcp, aws], 'aws', undefined, 'output').id).toBe('aws-1');
    expect(() => selectAccount([gcp, aws, aws2], 'aws', undefined, 'output')).toThrow(
      'several aws accounts: give -outputscope',
    );
  });

  it('says which accounts exist when none matches', () => {
    expect(() => selectAccount([gcp, aws], 'aws', '999', 'input')).toThrow(
      'no aws account reaches scope "999"',
    );
    expect(() => selectAccount([gcp], 'azure', undefined, 'output')).toThrow('no azure account is connected');
  });

  it('selects the clusters of a scope and location with all the labels; a GKE region includes its zones', () => {
    const regional = cluster({ id: 'r' });
    const zonal = cluster({
      id: 'z',
      location: 'us-central1-a',
      name: 'shop-dev',
      scope: 'dolly-demo-prod',
      labels: { env: 'dev' },
    });
    const otherRegion = cluster({ id: 'o', location: 'us-central10' });
    const otherScope = cluster({ id: 's', scope: 'dolly-demo-dev' });
    const all = [regional, zonal, otherRegion, otherScope];
    const ids = (want: Parameters<typeof selectClusters>[1]) => selectClusters(all, want).map((c) => c.id);
    expect(ids({ cloud: 'gcp', scope: 'dolly-demo-prod', location: 'us-central1', labels: {} })).toEqual([
      'r',
      'z',
    ]);
    expect(
      ids({ cloud: 'gcp', scope: 'dolly-demo-prod', location: 'us-central1', labels: { env: 'prod' } }),
    ).toEqual(['r']);
    expect(ids({ cloud: 'gcp', location: 'us-central1-a', labels: {} })).toEqual(['z']);
    expect(ids({ cloud: 'aws', labels: {} })).toEqual([]);
  });

  it('plans the selected clusters into the output account and scope', () => {
    expect(planRequest(['r', 'z'], aws, '111111111111')).toEqual({
      source: { clusterIds: ['r', 'z'] },
      target: { accountId: 'aws-1', scope: '111111111111' },
    });
    expect(planRequest(['r'], aws)).toEqual({
      source: { clusterIds: ['r'] },
      target: { accountId: 'aws-1' },
    });
  });
});
