import { describe, expect, it } from 'vitest';
import {
  matchFields,
  matchLabelSelector,
  matchRequirements,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const m = (s: string, l: Record<string, string> = labels) => matchRequirements(parseLabelSelector(s), l);
  it('supports equality and inequality', () => {
    expect(m('app=web')).toBe(true);
    expect(m('app==web')).toBe(true);
    expect(m('app!=web')).toBe(false);
    expect(m('app!=db')).toBe(true);
    expect(m('missing!=x')).toBe(true);
    expect(m('app=web,tier=back')).toBe(false);
  });
  it('supports set-based requirements', () => {
    expect(m('env in (prod, staging)')).toBe(true);
    expect(m('env notin (prod)')).toBe(false);
    expect(m('other notin (prod)')).toBe(true);
    expect(m('tier,env in (prod),!missing')).toBe(true);
    expect(m('!app')).toBe(false);
    expect(m('')).toBe(true);
  });
  it('rejects garbage', () => {
    expect(() => parseLabelSelector('a b c')).toThrow();
  });
  it('matches LabelSelector objects', () => {
    expect(
      matchLabelSelector(
        { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
        labels,
      ),
    ).toBe(true);
    expect(matchLabelSelector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(
      false,
    );
  });
});

describe('field selectors', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running' },
  };
  it('matches fields', () => {
    expect(matchFields(parseFieldSelector('metadata.name=p,status.phase!=Pending'), pod)).toBe(true);
    expect(matchFields(parseFieldSelector('spec.nodeName=n2'), pod)).toBe(false);
    expect(matchFields(parseFieldSelector('metadata.namespace==ns'), pod)).toBe(true);
  });
});
