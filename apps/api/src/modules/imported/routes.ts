import { normaliseEnvironment } from '@dolly/authz';
import { parseEgressPolicy } from '@dolly/contracts/egress';
import { DollyError } from '@dolly/contracts';
import type { CloudAccount, Cluster } from '@dolly/db';
import {
  CloudError,
  createProvider,
  type ImportedCredential,
  IMPORTED_LOCATION,
  accountConfigFromStored,
} from '@dolly/providers';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { clusterCredentialFields, credentialFromRequest } from './credential-input.ts';

const importBody = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lower case letters, digits and dashes')
    .meta({ example: 'onprem-dev' }),
  environment: z
    .string()
    .min(1)
    .max(40)
    .optional()
    .meta({ description: 'dev, staging, prod…; none is treated as prod by the prod guard', example: 'dev' }),
  ...clusterCredentialFields,
});

const importedSchema = z
  .object({
    accountId: z.uuid(),
    clusterId: z.uuid(),
    name: z.string(),
    server: z.string(),
    environment: z.string().nullable(),
    kubernetesVersion: z.string(),
    nodes: z.number().int(),
    credentialKind: z.literal('kubeconfig'),
    credentialAuth: z.enum(['token', 'client-certificate']),
  })
  .meta({
    id: 'ImportedCluster',
    description: 'A cluster imported by kubeconfig; its credential is never returned.',
  });

/**
 * Imported clusters: any cluster reachable by kubeconfig, registered by an operator as a migration
 * source or target. Each is an account of cloud `kubernetes` holding exactly one inventory cluster,
 * so environments, policies and the prod guard apply as to every cluster. The credential is sealed
 * in the vault like cloud credentials and tested before it is saved.
 */
export function importedClusterRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const egress = parseEgressPolicy(deps.config.DOLLY_ENDPOINT_ALLOWLIST);

  /** What the cluster says about itself, read with the credential before anything is stored. */
  const probe = async (name: string, credential: ImportedCredential) => {
    const provider = createProvider(
      accountConfigFromStored(
        {
          id: '00000000-0000-0000-0000-000000000000',
          cloud: 'kubernetes',
          name,
          scope: name,
          endpoint: credential.server,
          caBundle: null,
          credentialKind: 'kubeconfig',
          settings: {},
        },
        { ...credential },
      ),
      { egress },
    );
    const signal = AbortSignal.timeout(20_000);
    try {
      await provider.testConnection({ signal });
      const [found] = await provider.discover({ signal });
      if (found?.spec.cloud !== 'kubernetes') throw new Error('no cluster answered');
      return found;
    } catch (e) {
      // the answer of a host the tenant chose is never echoed: the CloudError message is Dolly's own
      const why = e instanceof CloudError ? e.message : 'the cluster could not be reached';
      throw new DollyError('unprocessable', `The connection test failed: ${why}`, [
        { path: 'body.kubeconfig', message: why },
      ]);
    }
  };

  const view = (a: CloudAccount, c: Cluster, nodes: number, credential: ImportedCredential) => ({
    accountId: a.id,
    clusterId: c.id,
    name: c.name,
    server: credential.server,
    environment: c.environment,
    kubernetesVersion: c.kubernetesVersion,
    nodes,
    credentialKind: 'kubeconfig' as const,
    credentialAuth: credential.token ? ('token' as const) : ('client-certificate' as const),
  });

  const findImported = async (tenantId: string, clusterId: string) => {
    const c = await deps.db.cluster.findFirst({
      where: { id: clusterId, tenantId },
      include: { account: true },
    });
    if (!c) throw new DollyError('not_found', `No cluster ${clusterId}`);
    if (c.cloud !== 'kubernetes')
      throw new DollyError('unprocessable', `${c.name} is a ${c.cloud} cluster, not an imported one`, [
        { path: 'params.id', message: 'not an imported cluster' },
      ]);
    return c;
  };

  r.post(
    '/api/v1/clusters/import',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'cluster.import' },
      schema: {
        tags: ['clusters'],
        summary:
          'Import a cluster by kubeconfig (on-prem, EKS Anywhere, k3s) as a migration source or target',
        description:
          'Operators and above. The connection is tested (GET /version) before anything is stored; the server must pass the endpoint policy. ' +
          'The credential is sealed and never returned. Imported clusters can be migrated, not cloned.',
        body: importBody,
        response: { 201: importedSchema, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const body = request.body;
      const credential = await credentialFromRequest(body, deps.config.DOLLY_ENDPOINT_ALLOWLIST);
      const taken = await deps.db.cloudAccount.findFirst({
        where: { tenantId: p.tenantId, name: body.name },
      });
      if (taken)
        throw new DollyError('conflict', `An account named "${body.name}" exists`, [
          { path: 'body.name', message: 'taken' },
        ]);
      const found = await probe(body.name, credential);
      const environment = normaliseEnvironment(body.environment);
      const sealed = deps.vault.seal(credential);
      const nodes = found.spec.nodePools.reduce((n, pool) => n + pool.nodeCount, 0);
      const result = await deps.db.$transaction(async (tx) => {
        const account = await tx.cloudAccount.create({
          data: {
            tenantId: p.tenantId,
            name: body.name,
            cloud: 'kubernetes',
            scope: body.name,
            endpoint: credential.server,
            credentialKind: 'kubeconfig',
            credentialsCipher: sealed.cipher,
            credentialsKeyId: sealed.keyId,
            settings: {},
            regions: [],
            defaultEnvironment: environment,
            lastTestedAt: new Date(),
            lastTestResult: { ok: true, via: 'import' },
          },
        });
        const cluster = await tx.cluster.create({
          data: {
            tenantId: p.tenantId,
            accountId: account.id,
            cloud: 'kubernetes',
            scope: found.spec.scope,
            location: IMPORTED_LOCATION,
            name: found.spec.name,
            kubernetesVersion: found.spec.kubernetesVersion,
            status: found.status,
            environment,
            environmentSource: environment ? 'account' : null,
            labels: {},
            spec: found.spec as object,
            raw: found.raw as object,
            nodePools: {
              create: found.spec.nodePools.map((pool) => ({
                name: pool.name,
                machineType: pool.machineType,
                nodeCount: pool.nodeCount,
                spec: pool as object,
              })),
            },
          },
        });
        return { account, cluster };
      });
      return reply.status(201).send(view(result.account, result.cluster, nodes, credential));
    },
  );

  r.put(
    '/api/v1/clusters/:id/import/credential',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'cluster.import.rotate' },
      schema: {
        tags: ['clusters'],
        summary: 'Rotate the credential of an imported cluster (tested before it replaces the old one)',
        params: idParams,
        body: z.object(clusterCredentialFields),
        response: { 200: importedSchema, ...problemResponses, 422: problemResponses[400] },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await findImported(p.tenantId, request.params.id);
      const credential = await credentialFromRequest(request.body, deps.config.DOLLY_ENDPOINT_ALLOWLIST);
      const found = await probe(c.name, credential);
      const sealed = deps.vault.seal(credential);
      const account = await deps.db.cloudAccount.update({
        where: { id: c.accountId },
        data: {
          endpoint: credential.server,
          credentialsCipher: sealed.cipher,
          credentialsKeyId: sealed.keyId,
          lastTestedAt: new Date(),
          lastTestResult: { ok: true, via: 'rotate' },
        },
      });
      const cluster = await deps.db.cluster.update({
        where: { id: c.id },
        data: { kubernetesVersion: found.spec.kubernetesVersion, lastSeenAt: new Date(), vanishedAt: null },
      });
      const nodes = found.spec.nodePools.reduce((n, pool) => n + pool.nodeCount, 0);
      return view(account, cluster, nodes, credential);
    },
  );

  r.delete(
    '/api/v1/clusters/:id/import',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'cluster.import.delete' },
      schema: {
        tags: ['clusters'],
        summary: 'Forget an imported cluster and its sealed credential (the cluster itself is not touched)',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const c = await findImported(p.tenantId, request.params.id);
      await deps.db.cloudAccount.delete({ where: { id: c.accountId } });
      return reply.status(204).send(null);
    },
  );
}
