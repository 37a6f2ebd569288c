import { describe, expect, it } from 'vitest';
import { environmentFromLabels } from './environment';

describe('environmentFromLabels', () => {
  it('prefers dolly.dev/environment, then environment, then env, and normalises long names', () => {
    expect(environmentFromLabels({ env: 'dev', 'dolly.dev/environment': 'Production' })).toBe('prod');
    expect(environmentFromLabels({ environment: 'development' })).toBe('dev');
    expect(environmentFromLabels({ env: ' staging ' })).toBe('staging');
    expect(environmentFromLabels({ team: 'shop' })).toBeUndefined();
  });
});
