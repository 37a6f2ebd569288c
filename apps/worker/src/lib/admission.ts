import type { Role } from '@dolly/authz';
import type { Database } from '@dolly/db';
import { AdmissionError } from '@dolly/runs';
import { RunInputError } from '../run-guard.ts';
import { currentRole } from './requester.ts';

/**
 * Admission as the worker runs it: with the role the requester holds now, and a refusal failing
 * the run for good (error class `policy`) with the message the API would have answered.
 */
export async function admitted<T>(
  db: Database,
  run: { tenantId: string; requestedById: string | null; tokenId: string | null },
  admit: (role: Role) => Promise<T>,
): Promise<T> {
  const role = await currentRole(db, run);
  if (!role) throw new RunInputError('the requester can no longer act in this tenant', 'policy');
  try {
    return await admit(role);
  } catch (error) {
    if (error instanceof AdmissionError) throw new RunInputError(error.message, 'policy');
    throw error;
  }
}
