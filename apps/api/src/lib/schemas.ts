import { problemSchema } from '@dolly/contracts';
import { z } from 'zod';

export const roleSchema = z.enum(['owner', 'admin', 'operator', 'developer', 'viewer']).meta({ id: 'Role' });
export const idParams = z.object({ id: z.uuid() });

/** Error responses every route can give, documented once. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
} as const;
