import { DollyError, type ErrorCode, type ProblemFieldError } from '@dolly/contracts';

/**
 * A refusal by admission. The API renders it as problem+json; the worker turns it into a run that
 * fails with the `policy` error class and the same message.
 */
export class AdmissionError extends DollyError {
  constructor(code: ErrorCode, message: string, errors?: ProblemFieldError[]) {
    super(code, message, errors);
    this.name = 'AdmissionError';
  }
}
