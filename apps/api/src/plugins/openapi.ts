import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { problemSchema } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** OpenAPI generated from the route schemas: served as JSON and browsable at /api/docs. */
export async function registerOpenApi(app: FastifyInstance) {
  // Named schemas (`.meta({ id })`) become components instead of being inlined everywhere.
  z.globalRegistry.add(problemSchema, { id: 'Problem' });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Dolly API',
        version: '1.0.0',
        description:
          'Clone Kubernetes clusters between EKS, AKS and GKE and migrate workloads. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (dolly_...)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'dolly_session' },
        },
      },
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
