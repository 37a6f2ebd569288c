/**
 * The optional parts of the sandbox (Azure, GCP, the kube hub), loaded with dynamic imports so the
 * core runs while any of them is missing.
 */
import { createAwsModule } from './aws/index.ts';
import type { CloudModule, KubeHub, SandboxContext } from './context.ts';
import type { KubeHubFactoryOptions } from './server.ts';

type ModuleFactory = (ctx: SandboxContext) => CloudModule;
type HubFactory = (opts: KubeHubFactoryOptions) => KubeHub;

export interface SandboxParts {
  modules: (ctx: SandboxContext) => CloudModule[];
  kubeHub?: HubFactory;
  /** what could not be loaded, with the reason */
  missing: string[];
}

async function optional<T>(path: string, exportName: string, missing: string[]): Promise<T | undefined> {
  try {
    const mod = (await import(path)) as Record<string, unknown>;
    const fn = mod[exportName];
    if (typeof fn !== 'function') throw new Error(`no export ${exportName}`);
    return fn as T;
  } catch (err) {
    missing.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export async function loadSandboxParts(): Promise<SandboxParts> {
  const missing: string[] = [];
  const createAzureModule = await optional<ModuleFactory>('./azure/index.ts', 'createAzureModule', missing);
  const createGcpModule = await optional<ModuleFactory>('./gcp/index.ts', 'createGcpModule', missing);
  const createKubeHub = await optional<HubFactory>('./kube/index.ts', 'createKubeHub', missing);
  return {
    modules: (ctx) => [
      createAwsModule(ctx),
      ...(createAzureModule ? [createAzureModule(ctx)] : []),
      ...(createGcpModule ? [createGcpModule(ctx)] : []),
    ],
    ...(createKubeHub ? { kubeHub: createKubeHub } : {}),
    missing,
  };
}
