import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { canGrantRole, roleAtLeast } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses, roleSchema } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';

const memberSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Member' });

type MemberRow = {
  id: string;
  userId: string;
  role: z.infer<typeof roleSchema>;
  createdAt: Date;
  displayName: string | null;
  user: { email: string; name: string };
};
const toDto = (m: MemberRow) => ({
  id: m.id,
  userId: m.userId,
  email: m.user.email,
  // A tenant sees the name it gave; the user's own name stays with the tenants that created them.
  name: m.displayName ?? m.user.name,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
});

export function memberRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function findMember(tenantId: string, id: string) {
    const m = await deps.db.membership.findFirst({ where: { id, tenantId }, include: { user: true } });
    if (!m) throw new DollyError('not_found', `No member ${id}`);
    return m;
  }

  async function assertNotLastOwner(tenantId: string, membershipId: string) {
    const owners = await deps.db.membership.findMany({ where: { tenantId, role: 'owner' } });
    if (owners.length === 1 && owners[0]?.id === membershipId) {
      throw new DollyError('conflict', 'A tenant keeps at least one owner');
    }
  }

  r.get(
    '/api/v1/members',
    {
      config: { auth: { can: 'read', on: 'Member' } },
      schema: {
        tags: ['members'],
        summary: 'Members of the tenant and their roles',
        response: { 200: z.object({ items: z.array(memberSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await deps.db.membership.findMany({
        where: { tenantId: p.tenantId },
        include: { user: true },
        orderBy: { createdAt: 'asc' },
      });
      return { items: rows.map(toDto) };
    },
  );

  r.post(
    '/api/v1/members',
    {
      config: { auth: { can: 'create', on: 'Member' }, audit: 'member.invite' },
      schema: {
        tags: ['members'],
        summary: 'Invite a person by email with a role (at most your own)',
        description:
          'A new user gets a one-time password in the response, to pass on; existing users are added as they are.',
        body: z.object({ email: z.email(), name: z.string().min(1).max(100).optional(), role: roleSchema }),
        response: {
          201: memberSchema.extend({ initialPassword: z.string().optional() }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const grant = canGrantRole(p.role, request.body.role);
      if (!grant.ok) throw new DollyError('forbidden', grant.reason);
      const email = request.body.email.toLowerCase();
      let user = await deps.db.user.findUnique({ where: { email } });
      let initialPassword: string | undefined;
      const givenName = request.body.name ?? email.split('@')[0] ?? email;
      const existed = Boolean(user);
      if (!user) {
        initialPassword = randomBytes(12).toString('base64url');
        user = await deps.db.user.create({
          data: {
            email,
            name: givenName,
            passwordHash: await hash(initialPassword),
            mustChangePassword: true,
          },
        });
      }
      const existing = await deps.db.membership.findUnique({
        where: { tenantId_userId: { tenantId: p.tenantId, userId: user.id } },
      });
      if (existing) throw new DollyError('conflict', `${email} is already a member`);
      const m = await deps.db.membership.create({
        data: {
          tenantId: p.tenantId,
          userId: user.id,
          role: request.body.role,
          ...(existed ? { displayName: givenName } : {}),
        },
        include: { user: true },
      });
      return reply.status(201).send({ ...toDto(m), ...(initialPassword ? { initialPassword } : {}) });
    },
  );

  r.patch(
    '/api/v1/members/:id',
    {
      config: { auth: { can: 'update', on: 'Member' }, audit: 'member.role' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: idParams,
        body: z.object({ role: roleSchema }),
        response: { 200: memberSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const m = await findMember(p.tenantId, request.params.id);
      // Nobody changes the role of someone above them, nor grants above their own.
      if (!roleAtLeast(p.role, m.role))
        throw new DollyError('forbidden', `A ${p.role} cannot change the role of a ${m.role}`);
      const grant = canGrantRole(p.role, request.body.role);
      if (!grant.ok) throw new DollyError('forbidden', grant.reason);
      if (m.role === 'owner' && request.body.role !== 'owner') await assertNotLastOwner(p.tenantId, m.id);
      const updated = await deps.db.membership.update({
        where: { id: m.id },
        data: { role: request.body.role },
        include: { user: true },
      });
      return toDto(updated);
    },
  );

  r.delete(
    '/api/v1/members/:id',
    {
      config: { auth: { can: 'delete', on: 'Member' }, audit: 'member.remove' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member from the tenant',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const m = await findMember(p.tenantId, request.params.id);
      if (!roleAtLeast(p.role, m.role))
        throw new DollyError('forbidden', `A ${p.role} cannot remove a ${m.role}`);
      if (m.role === 'owner') await assertNotLastOwner(p.tenantId, m.id);
      await deps.db.$transaction([
        deps.db.membership.delete({ where: { id: m.id } }),
        // Their sessions in this tenant end and their tokens stop working with the membership.
        deps.db.session.deleteMany({ where: { userId: m.userId, tenantId: p.tenantId } }),
      ]);
      return reply.status(204).send(null);
    },
  );
}
