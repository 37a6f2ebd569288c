import { describe, expect, it } from 'vitest';
import { flagOf, type Recipe, recipesTable } from './recipes.ts';

const recipe: Recipe = {
  id: '01a250e5-6707-7478-93cb-ff2ad4e3f791',
  name: 'nightly-shop',
  owner: { id: 'u', email: 'operator@demo.dolly' },
  sourceClusterId: 's',
  targetClusterId: 't',
  recreateCluster: false,
  spec: {
    workloads: {
      namespaces: ['shop'],
      existing: 'skip',
      includeSecrets: false,
      copyVolumes: false,
      cutover: false,
      readyTimeoutSec: 300,
    },
  },
  schedule: '0 2 * * *',
  timezone: 'Europe/Berlin',
  enabled: true,
  nextRunAt: '2026-12-08T01:00:00.000Z',
  lastRun: null,
  targetAccountId: null,
  createdAt: '2026-12-07T12:00:00.000Z',
  updatedAt: '2026-12-07T12:00:00.000Z',
};

describe('dolly recipes', () => {
  it('names the flag behind each field the server refuses', () => {
    expect(flagOf('body.schedule')).toBe('--schedule');
    expect(flagOf('body.spec.workloads.namespaceMap.shop')).toBe('--namespace-map');
    expect(flagOf('body.spec.clone.planId')).toBe('--plan');
    expect(flagOf('body.spec.clone')).toBe('--plan');
    expect(flagOf('body.somethingElse')).toBeUndefined();
  });

  it('lists schedule, next run and last run; a disabled recipe has no next run', () => {
    const [head, on, off] = recipesTable([recipe, { ...recipe, name: 'paused', enabled: false }]).split('\n');
    expect(head).toMatch(/^NAME +SCHEDULE +ENABLED +NEXT RUN +LAST RUN +OWNER +ID$/);
    expect(on).toMatch(
      /^nightly-shop +0 2 \* \* \* \(Europe\/Berlin\) +yes +2026-12-08 01:00 UTC +— +operator@demo\.dolly/,
    );
    expect(off).toMatch(/^paused +0 2 \* \* \* \(Europe\/Berlin\) +no +— +—/);
  });
});
