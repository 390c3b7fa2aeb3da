import { parseLibraryRanges } from "./light-parser.js";
import type { Dockerfile, Instruction } from "./types.js";

/**
 * Makes each instruction's `doubt` computed on first read: the scanner's own
 * reason, or else where `dockerfile-ast` reads the boundaries differently.
 * The scanner follows BuildKit, but where the two disagree no edit is safe
 * to place. The check costs about as much as the rest of the parse, and
 * most files get no edit, so it runs only when a `doubt` is read.
 */
export function deferBoundaryCheck(dockerfile: Dockerfile): void {
  let libraryEnds: Map<number, number> | undefined;
  const endsByLine = () => (libraryEnds ??= readLibraryEnds(dockerfile.text));
  for (const instruction of dockerfile.instructions) {
    let value = instruction.doubt;
    let checked = value !== undefined;
    Object.defineProperty(instruction, "doubt", {
      enumerable: true,
      configurable: true,
      get() {
        if (!checked) {
          value = describeDisagreement(instruction, endsByLine());
          checked = true;
        }
        return value;
      },
      set(next: string | undefined) {
        value = next;
        checked = true;
      },
    });
  }
}

/** Maps each instruction's first line to its last line, as dockerfile-ast reads them. */
function readLibraryEnds(text: string): Map<number, number> {
  const ends = new Map<number, number>();
  for (const range of parseLibraryRanges(text)) {
    ends.set(range.start.line + 1, range.end.line + 1);
  }
  return ends;
}

function describeDisagreement(
  instruction: Instruction,
  ends: Map<number, number>,
): string | undefined {
  const end = ends.get(instruction.startLine);
  if (end === instruction.endLine) return undefined;
  return end === undefined
    ? "dockerfile-ast does not see an instruction on this line"
    : `dockerfile-ast ends this instruction on line ${end}`;
}
