import { describe, expect, it } from 'vitest';
import { isLegalClusterName, isLegalPoolName, legalClusterName, legalPoolNames } from './names';

describe('cluster names', () => {
  it.each([
    ['gcp', 'Shop_Prod', 'shop-prod'],
    ['gcp', '1st-cluster', 'st-cluster'],
    ['gcp', 'a'.repeat(50), 'a'.repeat(40)],
    ['gcp', 'shop-prod', 'shop-prod'],
    ['aws', 'payments_staging', 'payments_staging'],
    ['aws', 'team.payments', 'team-payments'],
    ['azure', 'payments_staging', 'payments_staging'],
    ['azure', 'ends-with-', 'ends-with'],
    ['azure', 'ünïcode', 'n-code'],
  ] as const)('%s: %s -> %s', (cloud, input, expected) => {
    const out = legalClusterName(cloud, input);
    expect(out).toBe(expected);
    expect(isLegalClusterName(cloud, out)).toBe(true);
  });
});

describe('pool names', () => {
  it.each([
    ['azure', ['default-pool'], ['defaultpool']],
    ['azure', ['general_workers'], ['generalworke']],
    ['azure', ['Workers', 'workers'], ['workers', 'workers2']],
    ['azure', ['1pool'], ['pool']],
    ['gcp', ['general_workers'], ['general-workers']],
    ['gcp', ['Pool', 'pool'], ['pool', 'pool2']],
    ['aws', ['default-pool', 'graviton_spot'], ['default-pool', 'graviton_spot']],
    ['aws', ['pool a'], ['pool-a']],
  ] as const)('%s: %j -> %j', (cloud, input, expected) => {
    const out = legalPoolNames(
      cloud,
      input.map((name) => ({ name })),
    );
    expect(out).toEqual(expected);
    for (const n of out) expect(isLegalPoolName(cloud, n)).toBe(true);
  });

  it('keeps AKS Windows pool names within 6 characters', () => {
    const [n] = legalPoolNames('azure', [{ name: 'windows-pool', os: 'windows' }]);
    expect(n).toBe('window');
    expect(isLegalPoolName('azure', n!, 'windows')).toBe(true);
  });

  it('avoids reserved names (the AKS system pool Dolly adds)', () => {
    expect(legalPoolNames('azure', [{ name: 'system' }], ['system'])).toEqual(['system2']);
  });
});
