import type { Dockerfile, Instruction } from "../parse/types.js";

/**
 * The shell text of a RUN, laid over the source so that offset `i` of
 * `text` is offset `base + i` of the Dockerfile.
 */
export interface ShellSource {
  text: string;
  base: number;
  /** The script is a heredoc body that BuildKit runs on its own (`RUN <<EOF`). */
  heredocBody: boolean;
  /** The interpreter named by a `#!` line of a heredoc body, if any. */
  shebang: string | undefined;
  /**
   * False when laying the text over the source changed how words split, so
   * analysis may read it, but edits must not rely on it.
   */
  exact: boolean;
  /** The reason `exact` is false, for skip messages. */
  inexactReason?: string;
}

/**
 * Builds the shell text of a shell-form RUN as BuildKit would run it, with
 * every offset kept. Each line continuation, with any comment and empty
 * lines BuildKit drops after it, becomes blanks followed by `\` and a
 * newline. A CR becomes a blank, and heredoc bodies stay as written.
 */
export function buildShellSource(
  dockerfile: Dockerfile,
  instruction: Instruction,
): ShellSource {
  const body = heredocOnlyBody(dockerfile, instruction);
  if (body) return body;
  const start = instruction.argumentsStart;
  const end = instruction.range.end;
  const chars = dockerfile.text.slice(start, end).split("");
  let exact = true;
  const lines = instruction.lines;
  for (let index = 0; index + 1 < lines.length; index++) {
    const from = continuationStart(dockerfile, lines[index]!.end);
    const to = lines[index + 1]!.start;
    if (from < start) continue;
    exact &&= !joinsWords(dockerfile.text, from, lines[index]!.end, to);
    for (let offset = from; offset < to - 2; offset++)
      chars[offset - start] = " ";
    chars[to - 2 - start] = "\\";
    chars[to - 1 - start] = "\n";
  }
  return {
    text: chars.join(""),
    base: start,
    heredocBody: false,
    shebang: undefined,
    exact,
    inexactReason: exact ? undefined : "a line continuation joins two words",
  };
}

/** Finds the escape character that continues the line ending at `end`. */
function continuationStart(dockerfile: Dockerfile, end: number): number {
  let offset = end;
  while (offset > 0 && /[ \t]/.test(dockerfile.text[offset - 1]!)) offset--;
  return dockerfile.text[offset - 1] === dockerfile.escape ? offset - 1 : end;
}

/**
 * Reports whether BuildKit joins two words that the shell would see apart:
 * blanks after the escape character, with no blank on either side of the join.
 */
function joinsWords(
  text: string,
  from: number,
  lineEnd: number,
  to: number,
): boolean {
  const hasTrailingBlanks = lineEnd > from + 1;
  const before = text[from - 1] ?? " ";
  const after = text[to] ?? " ";
  return hasTrailingBlanks && !/\s/.test(before) && !/\s/.test(after);
}

/** For `RUN <<EOF` with no command, BuildKit runs the body itself. */
function heredocOnlyBody(
  dockerfile: Dockerfile,
  instruction: Instruction,
): ShellSource | undefined {
  const [heredoc] = instruction.heredocs;
  if (!heredoc || instruction.heredocs.length !== 1) return undefined;
  if (!/^\d*<<-?\S+$/.test(instruction.value.trim())) return undefined;
  const text = dockerfile.text
    .slice(heredoc.bodyRange.start, heredoc.bodyRange.end)
    .replace(/\r/g, " ");
  const shebang = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(text);
  const interpreter =
    shebang && /\/env$/.test(shebang[1]!) ? shebang[2] : shebang?.[1];
  return {
    text,
    base: heredoc.bodyRange.start,
    heredocBody: true,
    shebang: interpreter,
    exact: !heredoc.chomp,
  };
}

const KEYWORD_LINE =
  /^[ \t]*(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)[ \t]/;

/**
 * Returns the line number of a continuation line that starts like an
 * instruction (`CMD ...`), which BuildKit joins into the RUN before it. The
 * file then most likely lost a line's end by mistake, so no edit should
 * build on that reading.
 */
export function findSwallowedInstruction(
  dockerfile: Dockerfile,
  instruction: Instruction,
): number | undefined {
  for (const line of instruction.lines.slice(1)) {
    if (KEYWORD_LINE.test(dockerfile.text.slice(line.start, line.end))) {
      return dockerfile.lines.indexOf(line) + 1;
    }
  }
  return undefined;
}
