import type { SourceLine } from "./types.js";

/** Splits text into physical lines; a `\r` before `\n` is part of the ending. */
export function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  // A byte order mark belongs to no line, so an edit at a line start keeps it first.
  let start = text.startsWith("\uFEFF") ? 1 : 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) {
      lines.push({ start, end: text.length, next: text.length });
      break;
    }
    const end =
      newline > start && text[newline - 1] === "\r" ? newline - 1 : newline;
    lines.push({ start, end, next: newline + 1 });
    start = newline + 1;
  }
  return lines;
}

/** Returns the 1-based line and column of an offset. */
export function lineColumn(
  lines: SourceLine[],
  offset: number,
): { line: number; column: number } {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lines[middle]!.start <= offset) low = middle;
    else high = middle - 1;
  }
  const line = lines[low];
  return { line: low + 1, column: line ? offset - line.start + 1 : 1 };
}

/**
 * Blanks as Go's `unicode.IsSpace` defines them, which BuildKit uses to trim
 * lines. JavaScript's `\s` differs: it also matches the BOM (U+FEFF).
 */
export const SPACE_CLASS =
  "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
export const LEADING_SPACE = new RegExp(`^${SPACE_CLASS}*`);
const BLANK = new RegExp(`^${SPACE_CLASS}*$`);

export function isBlank(text: string): boolean {
  return BLANK.test(text);
}

/** Reports whether a line is a comment as BuildKit reads it: `#` after blanks. */
export function isCommentLine(text: string): boolean {
  return /^#/.test(text.replace(LEADING_SPACE, ""));
}
