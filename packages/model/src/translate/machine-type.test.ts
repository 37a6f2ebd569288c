import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import { chooseMachineType, gcpCustomType, gpuChip, lookupMachineType, requirementOf } from './machine-type';

const REGION: Record<CloudId, string> = { aws: 'us-east-1', azure: 'eastus', gcp: 'us-central1' };
const clouds: CloudId[] = ['aws', 'azure', 'gcp'];

function choose(cloud: CloudId, name: string, target: CloudId) {
  const src = bundledCatalog.machineType(cloud, name);
  if (!src) throw new Error(`fixture: unknown ${cloud} type ${name}`);
  return chooseMachineType(bundledCatalog, target, REGION[target], requirementOf(src));
}

describe('least upper bound, every ordered cloud pair', () => {
  // [source cloud, source type, target cloud, expected type]
  it.each([
    ['aws', 'm6i.xlarge', 'azure', 'Standard_D4as_v5'],
    ['aws', 'm6i.xlarge', 'gcp', 'e2-standard-4'],
    ['aws', 'm5.large', 'aws', 'm6a.large'], // previous generation is never chosen
    ['aws', 't3.medium', 'azure', 'Standard_D2ls_v5'], // burstable source may land on a non-burstable type
    ['aws', 't3.medium', 'aws', 't3a.medium'],
    ['aws', 'm7g.2xlarge', 'azure', 'Standard_D8ps_v6'], // arm64 stays arm64
    ['aws', 'm7g.2xlarge', 'gcp', 'n4a-standard-8'], // Axion is arm64
    ['aws', 'r6i.2xlarge', 'gcp', 'e2-highmem-8'],
    ['azure', 'Standard_D4s_v5', 'aws', 'm6a.xlarge'],
    ['azure', 'Standard_D4s_v3', 'gcp', 'e2-standard-4'],
    ['azure', 'Standard_E8s_v5', 'aws', 'r6a.2xlarge'],
    ['azure', 'Standard_D4ps_v5', 'aws', 'm6g.xlarge'],
    ['azure', 'Standard_NC4as_T4_v3', 'aws', 'g4dn.2xlarge'], // T4 -> T4
    ['gcp', 'n2-standard-4', 'aws', 'm6a.xlarge'],
    ['gcp', 'n1-standard-4', 'azure', 'Standard_D4as_v5'], // 15 GiB, not 15 GB
    ['gcp', 'e2-medium', 'aws', 't3a.medium'],
    ['gcp', 't2a-standard-4', 'aws', 'm6g.xlarge'],
    ['gcp', 'g2-standard-8', 'aws', 'g6.2xlarge'], // L4 -> L4
    ['gcp', 'c3-highcpu-8', 'azure', 'Standard_D8ls_v5'],
  ] as const)('%s %s -> %s %s', (sc, name, tc, expected) => {
    const r = choose(sc, name, tc);
    expect(r.ok && r.type.name).toBe(expected);
  });

  it('substitutes a GPU of the same class with a warning flag when the chip is missing', () => {
    const r = choose('aws', 'g5.xlarge', 'gcp'); // A10G: GCP has L4
    expect(r.ok && r.type.gpuModel).toBe('NVIDIA L4');
    expect(r.ok && r.gpuSubstituted).toEqual({ from: 'NVIDIA A10G', to: 'NVIDIA L4' });
  });

  it('refuses AWS Inferentia outside AWS instead of inventing a type', () => {
    const r = choose('aws', 'inf2.xlarge', 'gcp');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/Inferentia2/);
  });

  it('refuses a source larger than anything the target has', () => {
    const r = chooseMachineType(bundledCatalog, 'azure', 'eastus', {
      ...requirementOf(bundledCatalog.machineType('aws', 'm6i.xlarge')!),
      vcpus: 10_000,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/10000 vCPU/);
  });

  // The traps Cluster Cloner fell into, checked over the whole catalog.
  for (const sc of clouds) {
    for (const tc of clouds) {
      it(`${sc} -> ${tc}: every type maps to a fitting current-generation type of the same arch, or to an error`, () => {
        let errors = 0;
        for (const src of bundledCatalog.machineTypes(sc)) {
          const r = chooseMachineType(bundledCatalog, tc, REGION[tc], requirementOf(src));
          if (!r.ok) {
            errors++;
            expect(r.reason.length).toBeGreaterThan(0);
            continue;
          }
          const t = r.type;
          expect(t.cloud).toBe(tc);
          expect(t.arch, `${src.name} -> ${t.name}`).toBe(src.arch);
          expect(t.previousGeneration, `${src.name} -> ${t.name}`).toBe(false);
          expect(t.retiredOn).toBeUndefined();
          if (!src.burstable) expect(t.burstable, `${src.name} -> ${t.name}`).toBe(false);
          if (src.gpus === 0) {
            expect(t.gpus, `${src.name} -> ${t.name}`).toBe(0);
            if (src.category !== 'gpu') expect(t.category).not.toBe('gpu');
          } else {
            expect(t.gpus).toBeGreaterThanOrEqual(src.gpus);
          }
          if (!r.hostSmaller) {
            expect(t.vcpus).toBeGreaterThanOrEqual(src.vcpus);
            expect(t.memoryGiB).toBeGreaterThanOrEqual(src.memoryGiB);
          }
        }
        // Most types have a counterpart; only accelerators and extreme shapes may not.
        expect(errors).toBeLessThan(bundledCatalog.machineTypes(sc).length / 10);
      });
    }
  }

  it('is deterministic and minimises memory surplus, then vCPU surplus', () => {
    const a = choose('gcp', 'n2-standard-8', 'aws');
    const b = choose('gcp', 'n2-standard-8', 'aws');
    expect(a).toEqual(b);
    expect(a.ok && [a.type.vcpus, a.type.memoryGiB]).toEqual([8, 32]);
  });
});

describe('GKE custom machine types', () => {
  it.each([
    ['custom-4-16384', 4, 16, 'n1'],
    ['n2-custom-8-32768', 8, 32, 'n2'],
    ['n2d-custom-2-4096-ext', 2, 4, 'n2d'],
  ])('%s is %i vCPU / %i GiB', (name, vcpus, mem, family) => {
    expect(gcpCustomType(name)).toMatchObject({ vcpus, memoryGiB: mem, family });
    expect(lookupMachineType(bundledCatalog, 'gcp', name)).toBeDefined();
  });

  it('is not a GKE type on other clouds', () => {
    expect(lookupMachineType(bundledCatalog, 'aws', 'custom-4-16384')).toBeUndefined();
  });
});

describe('GPU chips', () => {
  it.each([
    ['NVIDIA A100 40GB', 'A100'],
    ['NVIDIA A100 80GB', 'A100'],
    ['NVIDIA A10G', 'A10G'],
    [null, null],
  ])('%s -> %s', (model, chip) => {
    expect(gpuChip(model)).toBe(chip);
  });
});
