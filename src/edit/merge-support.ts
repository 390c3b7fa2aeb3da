import type { Dockerfile, Instruction, SourceLine } from "../parse/types.js";
import { commentsAbove, isIgnored, readPragma } from "../pragma.js";

/**
 * Checks that two RUN instructions can become one: nothing but comments and
 * blank lines between them, shell form with no heredoc, the same flags.
 * Returns the reason when they cannot.
 */
export function checkAdjacentRuns(
  dockerfile: Dockerfile,
  first: Instruction,
  second: Instruction,
): string | undefined {
  const between = dockerfile.instructions[first.index + 1];
  if (between && between !== second) {
    return `\`${between.keyword}\` on line ${between.startLine} separates the RUN instructions`;
  }
  for (const run of [first, second]) {
    const reason = checkRunForm(run);
    if (reason) return reason;
  }
  if (
    listFlags(first).sort().join(" ") !== listFlags(second).sort().join(" ")
  ) {
    return "the RUN instructions have different flags";
  }
  // Mounts with nested targets may depend on their order, so keep it.
  if (listMounts(first) !== listMounts(second)) {
    return "the RUN instructions list their `--mount` flags in another order";
  }
  return undefined;
}

function checkRunForm(run: Instruction): string | undefined {
  const where = `the RUN on line ${run.startLine}`;
  if (run.trigger) {
    return `${where} is an \`ONBUILD\` trigger, which runs in another build`;
  }
  if (run.json) return `${where} uses the exec form, which runs no shell`;
  if (run.heredocs.length > 0) return `${where} has a heredoc`;
  if (run.doubt) return `the boundaries of ${where} are in doubt: ${run.doubt}`;
  return undefined;
}

function listFlags(run: Instruction): string[] {
  return run.flags.map((flag) => flag.raw);
}

function listMounts(run: Instruction): string {
  const mounts = run.flags.filter((flag) => flag.name === "mount");
  return mounts.map((flag) => flag.raw).join(" ");
}

/** Returns the whole comment lines that start in `[from, to)`. */
export function commentLines(
  dockerfile: Dockerfile,
  from: number,
  to: number,
): SourceLine[] {
  return dockerfile.lines.filter(
    (line) =>
      line.start >= from &&
      line.start < to &&
      /^[ \t]*#/.test(dockerfile.text.slice(line.start, line.end)),
  );
}

/**
 * Checks comment lines that a merge moves above the first RUN. An inline
 * `ignore=` pragma among them marks the second RUN, so moving it would
 * stop that and mark the first RUN as well. Global pragmas may move.
 */
export function checkMovedPragmas(
  dockerfile: Dockerfile,
  lines: SourceLine[],
  id: string,
  hadolintRules: string[],
): string | undefined {
  for (const line of lines) {
    const content = dockerfile.text.slice(line.start, line.end).trim();
    const range = { start: line.start, end: line.end };
    const pragma = readPragma({
      text: content.slice(1).trim(),
      range,
      line: dockerfile.lines.indexOf(line) + 1,
    });
    if (!pragma || pragma.global) continue;
    if (isIgnored([pragma], id, hadolintRules)) {
      return `an \`ignore=\` pragma for \`${hadolintRules.join("`, `")}\` or \`${id}\` marks the second RUN`;
    }
    return "an `ignore=` pragma between the RUN instructions would cover the first RUN once they merge";
  }
  return undefined;
}

/**
 * Returns the offset where comments moved above a RUN go: right above it,
 * or above the pragma lines right over it, because hadolint reads an inline
 * pragma only on the line directly above an instruction.
 */
export function movedCommentsOffset(
  dockerfile: Dockerfile,
  run: Instruction,
): number {
  let offset = run.range.start;
  for (const comment of commentsAbove(dockerfile, run).reverse()) {
    if (!readPragma(comment)) break;
    offset = comment.range.start;
  }
  return offset;
}
