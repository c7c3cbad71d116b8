/**
 * An error the CLI prints as one line and exits with: `exitCode` 2 for usage, 1 for everything else.
 * Messages never contain a secret, a key or a token.
 * @internal
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
