import { describe, expect, it } from 'vitest';
import { type RecipeFormValues, recipeBody } from './recipe-form.ts';

const base: RecipeFormValues = {
  name: ' nightly ',
  sourceClusterId: 'src',
  targetClusterId: 'dst',
  namespaces: 'shop, team-*',
  namespaceMap: 'shop=shop-dev',
  includeSecrets: true,
  schedule: '0 2 * * *',
  timezone: 'Europe/Berlin',
};

describe('the recipe form', () => {
  it('builds the API body', () => {
    expect(recipeBody(base)).toEqual({
      ok: true,
      body: {
        name: 'nightly',
        sourceClusterId: 'src',
        targetClusterId: 'dst',
        spec: {
          workloads: {
            namespaces: ['shop', 'team-*'],
            namespaceMap: { shop: 'shop-dev' },
            includeSecrets: true,
          },
        },
        schedule: '0 2 * * *',
        timezone: 'Europe/Berlin',
      },
    });
  });

  it('an empty schedule is on demand only', () => {
    const r = recipeBody({ ...base, schedule: ' ' });
    expect(r.ok && r.body.schedule).toBeNull();
  });

  it('names the fields at fault with the API paths', () => {
    const r = recipeBody({ ...base, name: '', targetClusterId: '', namespaces: '', namespaceMap: 'shop' });
    expect(r).toEqual({
      ok: false,
      errors: {
        name: 'Name is required',
        targetClusterId: 'Choose the cluster to refresh',
        'spec.workloads.namespaces': 'Name at least one namespace',
        'spec.workloads.namespaceMap': '"shop" is not from=to',
      },
    });
  });
});
