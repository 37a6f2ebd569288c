import { describe, expect, it } from 'vitest';
import { workloadsOf } from './apply.ts';

describe('dolly apply --with-namespaces', () => {
  it('turns the flags into the workloads of a clone with workloads', () => {
    expect(
      workloadsOf({
        withNamespaces: ['shop', 'team-*'],
        namespaceMap: ['shop=shop-dev'],
        includeSecrets: true,
        copyVolumes: true,
        readyTimeout: '120',
      }),
    ).toEqual({
      namespaces: ['shop', 'team-*'],
      namespaceMap: { shop: 'shop-dev' },
      includeSecrets: true,
      copyVolumes: true,
      readyTimeoutSec: 120,
    });
    expect(workloadsOf({ namespaceMap: [] })).toBeUndefined();
  });

  it('refuses the companion flags alone and a malformed map, naming the flag', () => {
    expect(() => workloadsOf({ namespaceMap: ['a=b'] })).toThrow(/need --with-namespaces/);
    expect(() => workloadsOf({ withNamespaces: ['shop'], namespaceMap: ['shop'] })).toThrow(
      /--namespace-map: "shop" is not from=to/,
    );
    expect(() => workloadsOf({ withNamespaces: ['shop'], namespaceMap: [], readyTimeout: '0' })).toThrow(
      /--ready-timeout/,
    );
  });
});
