import { DockerfileParser } from "dockerfile-ast";
import type { Dockerfile } from "./types.js";

/**
 * Marks instructions whose boundaries `dockerfile-ast` reads differently.
 * The scanner follows BuildKit, but where the two disagree no edit is safe
 * to place, so those instructions get a `doubt` and transforms skip them.
 */
export function markDisputedBoundaries(dockerfile: Dockerfile): void {
  const spans = new Map<number, number>();
  const library = DockerfileParser.parse(dockerfile.text);
  for (const instruction of library.getInstructions()) {
    const range = instruction.getRange();
    spans.set(range.start.line + 1, range.end.line + 1);
  }
  for (const instruction of dockerfile.instructions) {
    if (instruction.doubt) continue;
    const end = spans.get(instruction.startLine);
    if (end === instruction.endLine) continue;
    instruction.doubt =
      end === undefined
        ? "dockerfile-ast does not see an instruction on this line"
        : `dockerfile-ast ends this instruction on line ${end}`;
  }
}
