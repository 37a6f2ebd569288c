import { describe, expect, it } from 'vitest';
import { InputError, parseLabelFilter, parseSourceText } from './input';

const spec = {
  cloud: 'aws',
  scope: '1',
  location: 'us-east-1',
  name: 'c',
  kubernetesVersion: '1.34',
  nodePools: [{ name: 'p', machineType: 'm6i.large', nodeCount: 1 }],
};

describe('source files', () => {
  it.each([
    ['one ClusterSpec', JSON.stringify(spec), 'clusters', 1],
    ['an array', JSON.stringify([spec, { ...spec, name: 'd' }]), 'clusters', 2],
    [
      'YAML',
      'cloud: aws\nscope: "1"\nlocation: us-east-1\nname: c\nkubernetesVersion: "1.34"\nnodePools: []\n',
      'clusters',
      1,
    ],
    [
      'Cluster Cloner output',
      JSON.stringify([
        { Cloud: 'AWS', Scope: '1', Location: 'us-east-1', Name: 'c', K8sVersion: '1.34', NodePools: [] },
      ]),
      'clusters',
      1,
    ],
    [
      'a ClonePlan',
      JSON.stringify({ apiVersion: 'dolly/v1', kind: 'ClonePlan', items: [{ source: spec, target: spec }] }),
      'plan',
      1,
    ],
  ])('reads %s', (_what, text, kind, count) => {
    const file = _what === 'YAML' ? 'x.yaml' : 'x.json';
    const input = parseSourceText(file, text);
    expect(input.kind).toBe(kind);
    expect(input.clusters).toHaveLength(count);
  });

  it.each([
    [
      'missing field',
      JSON.stringify({ ...spec, nodePools: [{ name: 'p', nodeCount: 1 }] }),
      'x.json: nodePools[0].machineType: Required',
    ],
    [
      'array entry',
      JSON.stringify([spec, { ...spec, cloud: 'ibm' }]),
      'x.json: [1].cloud: Invalid option: expected one of "aws"|"azure"|"gcp"',
    ],
    ['bad JSON', '{', 'x.json: not valid JSON'],
    [
      'bad plan',
      JSON.stringify({ apiVersion: 'dolly/v1', kind: 'ClonePlan', items: [{ source: spec }] }),
      'x.json: items[0].target: Required',
    ],
  ])('names the field at fault: %s', (_what, text, message) => {
    expect(() => parseSourceText('x.json', text)).toThrow(InputError);
    expect(() => parseSourceText('x.json', text)).toThrow(message);
  });
});

describe('--label-filter', () => {
  it.each([
    ['team=shop', { team: 'shop' }],
    ['team=shop, env=prod', { team: 'shop', env: 'prod' }],
    ['k=a=b', { k: 'a=b' }],
    ['', {}],
  ])('%s', (text, expected) => {
    expect(parseLabelFilter(text)).toEqual(expected);
  });

  it('refuses a pair without =', () => {
    expect(() => parseLabelFilter('team')).toThrow(/not key=value/);
  });
});
