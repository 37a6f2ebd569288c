import { BUILTIN_PROD, evaluateClonePolicy, normaliseEnvironment, PROD, roleAtLeast } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAdmissionContext, toRule } from '@dolly/runs';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses, roleSchema } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';

const matcherSchema = z.object({
  env: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'Environments that match; empty = any', example: ['prod'] }),
  clusterGlob: z.string().min(1).optional().meta({ example: 'shop-*' }),
  namespaceGlob: z.string().min(1).optional(),
});
const policyBody = z.object({
  name: z.string().min(1).max(100),
  effect: z.enum(['allow', 'deny']),
  roles: z
    .array(roleSchema)
    .default([])
    .meta({ description: 'Roles the rule applies to; empty = every role' }),
  source: matcherSchema.default({ env: [] }),
  target: matcherSchema.default({ env: [] }),
  requireApproval: z.boolean().default(false),
  priority: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(100)
    .meta({ description: 'Lower runs first; the first matching rule decides' }),
});
const policySchema = policyBody
  .extend({ id: z.uuid(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .meta({ id: 'ClonePolicy' });
const environmentSettingsSchema = z
  .object({
    builtin: z
      .array(z.string())
      .meta({ description: 'Always prod-class', example: ['prod', 'production', 'prd'] }),
    prodEnvironments: z.array(z.string()).meta({ description: "The tenant's own prod-class names" }),
  })
  .meta({ id: 'EnvironmentSettings' });
const endpointSchema = z.object({
  env: z.string().nullable().optional(),
  cluster: z.string().min(1),
  namespace: z.string().optional(),
});
const decisionSchema = z
  .object({
    allowed: z.boolean(),
    requireApproval: z.boolean().optional(),
    rule: z.string(),
    reason: z.string(),
  })
  .meta({ id: 'PolicyDecision' });

type PolicyRow = {
  id: string;
  name: string;
  effect: string;
  roles: z.infer<typeof roleSchema>[];
  source: unknown;
  target: unknown;
  requireApproval: boolean;
  priority: number;
  createdAt: Date;
  updatedAt: Date;
};

const toDto = (row: PolicyRow) => ({
  id: row.id,
  ...toRule(row),
  source: matcherSchema.parse(row.source),
  target: matcherSchema.parse(row.target),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export function policyRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const find = async (tenantId: string, id: string) => {
    const row = await deps.db.clonePolicy.findFirst({ where: { id, tenantId } });
    if (!row) throw new DollyError('not_found', `No policy ${id}`);
    return row;
  };
  const nameTaken = (e: unknown) => (e as { code?: string }).code === 'P2002';

  r.get(
    '/api/v1/policies/environments',
    {
      config: { auth: { can: 'read', on: 'ClonePolicy' } },
      schema: {
        tags: ['policies'],
        summary: 'The environments the prod guard treats as prod',
        response: { 200: environmentSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const tenant = await deps.db.tenant.findUniqueOrThrow({ where: { id: p.tenantId } });
      return { builtin: [...BUILTIN_PROD], prodEnvironments: tenant.prodEnvironments };
    },
  );

  r.put(
    '/api/v1/policies/environments',
    {
      config: { auth: { can: 'update', on: 'ClonePolicy' }, audit: 'policy.environments' },
      schema: {
        tags: ['policies'],
        summary: "Name the tenant's own prod-class environments (besides prod, production, prd)",
        description:
          'Developers never write into a prod-class environment; an unknown environment is prod-class too. Names are normalised (trimmed, lower case).',
        body: z.object({
          prodEnvironments: z
            .array(z.string().trim().min(1).max(40))
            .max(50)
            .meta({ example: ['live', 'dr'] }),
        }),
        response: { 200: environmentSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const names = [
        ...new Set(request.body.prodEnvironments.map((n) => normaliseEnvironment(n) ?? '')),
      ].filter((n) => n && n !== PROD);
      const tenant = await deps.db.tenant.update({
        where: { id: p.tenantId },
        data: { prodEnvironments: names },
      });
      return { builtin: [...BUILTIN_PROD], prodEnvironments: tenant.prodEnvironments };
    },
  );

  r.get(
    '/api/v1/policies',
    {
      config: { auth: { can: 'read', on: 'ClonePolicy' } },
      schema: {
        tags: ['policies'],
        summary: 'Clone and migration policies of the tenant, in evaluation order',
        response: { 200: z.object({ items: z.array(policySchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const rows = await deps.db.clonePolicy.findMany({
        where: { tenantId: requirePrincipal(request).tenantId },
        orderBy: [{ priority: 'asc' }, { name: 'asc' }],
      });
      return { items: rows.map(toDto) };
    },
  );

  r.post(
    '/api/v1/policies',
    {
      config: { auth: { can: 'create', on: 'ClonePolicy' }, audit: 'policy.create' },
      schema: {
        tags: ['policies'],
        summary: 'Add a clone policy',
        body: policyBody,
        response: { 201: policySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      try {
        const row = await deps.db.clonePolicy.create({ data: { tenantId: p.tenantId, ...request.body } });
        return reply.status(201).send(toDto(row));
      } catch (e) {
        if (nameTaken(e)) throw new DollyError('conflict', `A policy named "${request.body.name}" exists`);
        throw e;
      }
    },
  );

  r.put(
    '/api/v1/policies/:id',
    {
      config: { auth: { can: 'update', on: 'ClonePolicy' }, audit: 'policy.update' },
      schema: {
        tags: ['policies'],
        summary: 'Replace a clone policy',
        params: idParams,
        body: policyBody,
        response: { 200: policySchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      await find(p.tenantId, request.params.id);
      try {
        return toDto(
          await deps.db.clonePolicy.update({ where: { id: request.params.id }, data: request.body }),
        );
      } catch (e) {
        if (nameTaken(e)) throw new DollyError('conflict', `A policy named "${request.body.name}" exists`);
        throw e;
      }
    },
  );

  r.delete(
    '/api/v1/policies/:id',
    {
      config: { auth: { can: 'delete', on: 'ClonePolicy' }, audit: 'policy.delete' },
      schema: {
        tags: ['policies'],
        summary: 'Delete a clone policy',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      await find(p.tenantId, request.params.id);
      await deps.db.clonePolicy.delete({ where: { id: request.params.id } });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/policies/evaluate',
    {
      config: { auth: { can: 'read', on: 'ClonePolicy' } },
      schema: {
        tags: ['policies'],
        summary: 'Would this clone or migration be allowed? (for your role, or a role at most yours)',
        body: z.object({
          action: z.enum(['clone', 'migrate']),
          role: roleSchema.optional(),
          source: endpointSchema,
          target: endpointSchema,
        }),
        response: { 200: decisionSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { rules, settings } = await loadAdmissionContext(deps.db, p.tenantId);
      const role = request.body.role ?? p.role;
      // A preview for a stronger role would map out what the caller cannot do themselves.
      if (!roleAtLeast(p.role, role))
        throw new DollyError('forbidden', `The ${p.role} role cannot preview decisions for ${role}`, [
          { path: 'body.role', message: `at most ${p.role}` },
        ]);
      return evaluateClonePolicy(
        {
          role,
          action: request.body.action,
          source: request.body.source,
          target: request.body.target,
          settings,
        },
        rules,
      );
    },
  );
}
