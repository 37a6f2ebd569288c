import { DollyError, type ErrorCode, errorCodes, type Problem, problemType } from '@dolly/contracts';
import { isDatabaseUnavailable } from '@dolly/db';
import { CloudError, type CloudErrorClass } from '@dolly/providers';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

function send(reply: FastifyReply, problem: Problem) {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

const cloudCodes: Record<CloudErrorClass, ErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  throttled: 'unavailable',
  transient: 'unavailable',
  quota: 'cloud_failed',
  rejected: 'cloud_failed',
  auth: 'cloud_failed',
};

/**
 * A cloud call a route made failed: the tenant sees which call and why (CloudError messages are
 * already scrubbed of response bodies), never a 500 that hides a refusal they can act on.
 */
function cloudProblem(error: CloudError, requestId: string): Problem {
  const code = cloudCodes[error.class];
  return {
    type: problemType(code),
    title: errorCodes[code].title,
    status: errorCodes[code].status,
    detail: `${error.cloud} ${error.operation}: ${error.message}`,
    code,
    requestId,
    ...(error.field ? { errors: [{ path: error.field, message: error.message, code: error.class }] } : {}),
  };
}

/** One error envelope for everything: RFC 9457 problem+json with a stable code. */
export function registerErrorHandling(
  app: FastifyInstance,
  opts: { appShell?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined } = {},
) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const requestId = request.id;
    if (error instanceof DollyError) return send(reply, error.toProblem(requestId));
    if (error instanceof CloudError) return send(reply, cloudProblem(error, requestId));
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors = error.validation.map((v) => {
        const params = v.params as { issue?: { path?: PropertyKey[]; code?: string; message?: string } };
        const path = params.issue?.path ?? v.instancePath.split('/').filter(Boolean);
        return {
          path: [where, ...path.map(String)].join('.'),
          message: params.issue?.message ?? v.message ?? 'invalid',
          ...(params.issue?.code ? { code: params.issue.code } : {}),
        };
      });
      return send(reply, {
        type: problemType('validation_failed'),
        title: errorCodes.validation_failed.title,
        status: 400,
        detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
        code: 'validation_failed',
        requestId,
        errors,
      });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 429
              ? 'rate_limited'
              : status === 404
                ? 'not_found'
                : status === 401
                  ? 'unauthenticated'
                  : 'validation_failed';
      return send(reply, {
        type: problemType(code),
        title: errorCodes[code].title,
        status,
        detail: error.message,
        code,
        requestId,
      });
    }
    if (isDatabaseUnavailable(error)) {
      // Postgres restarting or unreachable is an outage to wait out, not a bug to report: say so,
      // and tell clients when to retry (the pool reconnects on the next query).
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '5');
      return send(reply, {
        type: problemType('unavailable'),
        title: errorCodes.unavailable.title,
        status: errorCodes.unavailable.status,
        detail: "Postgres (Dolly's database) is not reachable right now; try again shortly",
        code: 'unavailable',
        requestId,
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    // Nothing internal leaks: the request id is how an operator finds the log line.
    return send(reply, {
      type: problemType('internal'),
      title: errorCodes.internal.title,
      status: 500,
      detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
      code: 'internal',
      requestId,
    });
  });

  app.setNotFoundHandler((request, reply) => {
    const shell = opts.appShell?.(request, reply);
    if (shell) return shell;
    return send(reply, {
      type: problemType('route_not_found'),
      title: errorCodes.route_not_found.title,
      status: 404,
      detail: `${request.method} ${request.url.split('?')[0]} is not a route of this API`,
      code: 'route_not_found',
      requestId: request.id,
    });
  });
}
