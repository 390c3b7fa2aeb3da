import { deferBoundaryCheck } from "./cross-check.js";
import { scanDockerfile } from "./scanner.js";
import type { Dockerfile } from "./types.js";
import { validateInstructions } from "./validate.js";

export { ParseError } from "./errors.js";
export { lineColumn, splitLines } from "./lines.js";
export type * from "./types.js";

/**
 * Parses a Dockerfile as BuildKit does and marks the instructions whose
 * boundaries are in doubt. Throws `ParseError` for a file BuildKit rejects.
 */
export function parseDockerfile(text: string, path?: string): Dockerfile {
  const dockerfile = scanDockerfile(text, path);
  validateInstructions(dockerfile);
  deferBoundaryCheck(dockerfile);
  return dockerfile;
}
