/** A Dockerfile that BuildKit would reject, with the place and a hint. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly path?: string,
  ) {
    super(message);
    this.name = "ParseError";
  }

  /** Formats the error as `path:line:column: message`. */
  describe(path = this.path ?? "<stdin>"): string {
    return `${path}:${this.line}:${this.column}: ${this.message}`;
  }
}
