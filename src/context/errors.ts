/**
 * A build context folder that cannot be used: the folder is missing, or
 * its ignore file has a pattern that BuildKit rejects too.
 */
export class BuildContextError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "BuildContextError";
  }
}

/** Returns an error's message, for a reason shown to the user. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
