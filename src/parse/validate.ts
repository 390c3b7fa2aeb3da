import { ArgumentError, parseArguments } from "./arguments.js";
import { ParseError } from "./errors.js";
import { lineColumn } from "./lines.js";
import type { Dockerfile } from "./types.js";

/**
 * Checks each instruction's arguments as BuildKit's parser does and throws
 * `ParseError` at the first instruction that it rejects: ENV or LABEL
 * without a value, a pair without `=`, or a JSON array with an element that
 * is not a string.
 *
 * NOTE: checks that BuildKit makes only after parsing, such as unknown
 * keywords, unknown flags or a SHELL that is not in JSON form, are not made
 * here, because BuildKit's parser accepts those files.
 */
export function validateInstructions(dockerfile: Dockerfile): void {
  for (const instruction of dockerfile.instructions) {
    try {
      parseArguments(instruction, dockerfile.escape);
    } catch (error) {
      if (!(error instanceof ArgumentError)) throw error;
      const { line, column } = lineColumn(
        dockerfile.lines,
        instruction.keywordRange.start,
      );
      throw new ParseError(error.message, line, column, dockerfile.path);
    }
  }
}
