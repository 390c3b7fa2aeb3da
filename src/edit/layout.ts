import type { Dockerfile, Instruction } from "../parse/types.js";

/** The layout of a file's multi-line RUN instructions, which new text copies. */
export interface LayoutStyle {
  eol: "\n" | "\r\n";
  escape: "\\" | "`";
  /** Leading blanks of continuation lines, for example four spaces or a tab. */
  indent: string;
  /** Whether `&&` ends a continued line or starts the next one. */
  andPosition: "start" | "end";
}

/** Reads the layout of continuation lines from the file's RUN instructions. */
export function readLayoutStyle(dockerfile: Dockerfile): LayoutStyle {
  const indents = new Map<string, number>();
  let atStart = 0;
  let atEnd = 0;
  for (const instruction of dockerfile.instructions) {
    for (const [index, line] of instruction.lines.entries()) {
      const text = dockerfile.text.slice(line.start, line.end);
      if (index > 0) {
        const indent = /^[ \t]*/.exec(text)![0];
        indents.set(indent, (indents.get(indent) ?? 0) + 1);
        if (/^[ \t]*&&/.test(text)) atStart++;
      }
      if (index + 1 < instruction.lines.length && /&&[ \t]*.[ \t]*$/.test(text))
        atEnd++;
    }
  }
  return {
    eol: dockerfile.eol,
    escape: dockerfile.escape,
    indent: mostCommon(indents) ?? "    ",
    andPosition: atStart > atEnd ? "start" : "end",
  };
}

function mostCommon(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (value !== "" && count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Returns the text that joins shell text to the command `next` with `&&`
 * on a new continuation line, in the file's style.
 */
export function continuedAnd(style: LayoutStyle, next: string): string {
  const breakLine = ` ${style.escape}${style.eol}${style.indent}`;
  return style.andPosition === "start"
    ? `${breakLine}&& ${next}`
    : ` &&${breakLine}${next}`;
}

/** Reports whether an instruction spans several lines of its own. */
export function isMultiLine(instruction: Instruction): boolean {
  return instruction.lines.length > 1;
}

/** Writes a keyword in the case the file uses for `sample` (`add` becomes `copy`). */
export function matchKeywordCase(keyword: string, sample: string): string {
  if (sample === sample.toLowerCase()) return keyword.toLowerCase();
  if (sample === sample.toUpperCase()) return keyword.toUpperCase();
  return keyword[0]!.toUpperCase() + keyword.slice(1).toLowerCase();
}

/**
 * Returns the file's layout with the line ending of the instruction's first
 * line, so text added inside it matches its own lines in a file that mixes
 * LF and CRLF. A one-line instruction without a line ending keeps the file's.
 */
export function styleForInstruction(
  dockerfile: Dockerfile,
  instruction: Instruction,
  style: LayoutStyle = readLayoutStyle(dockerfile),
): LayoutStyle {
  const [line] = instruction.lines;
  if (!line) return style;
  const ending = dockerfile.text.slice(line.end, line.next);
  if (ending === "\r\n" || ending === "\n") return { ...style, eol: ending };
  return style;
}
