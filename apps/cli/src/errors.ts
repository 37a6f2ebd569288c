/** A failure the CLI explains itself (not the server): wrong usage, not logged in, bad file. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
