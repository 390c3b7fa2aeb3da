import type { Flag } from "./types.js";

const SPACE = /\s/;

/**
 * Reads `--name=value` options from `text` at `from`, as BuildKit does:
 * options end at the first word that does not start with `--`, or after `--`.
 * Returns the options and the offset where the arguments start.
 */
export function parseFlags(
  text: string,
  from: number,
): { flags: Flag[]; offset: number } {
  const flags: Flag[] = [];
  let position = from;
  for (;;) {
    while (position < text.length && SPACE.test(text[position]!)) position++;
    if (!text.startsWith("--", position)) return { flags, offset: position };
    const { word, end } = readFlagWord(text, position);
    if (word === "--") {
      return { flags, offset: skipSpace(text, end) };
    }
    flags.push(toFlag(word, text.slice(position, end)));
    position = end;
  }
}

function skipSpace(text: string, from: number): number {
  let position = from;
  while (position < text.length && SPACE.test(text[position]!)) position++;
  return position;
}

/** Reads one word, removing quotes and backslash escapes. */
function readFlagWord(
  text: string,
  from: number,
): { word: string; end: number } {
  let word = "";
  let quote = "";
  let position = from;
  for (; position < text.length; position++) {
    const char = text[position]!;
    if (!quote && SPACE.test(char)) break;
    if (!quote && (char === "'" || char === '"')) {
      quote = char;
      continue;
    }
    if (quote && char === quote) {
      quote = "";
      continue;
    }
    if (char === "\\" && position + 1 < text.length) {
      position++;
      word += text[position];
      continue;
    }
    if (char !== "\\") word += char;
  }
  return { word, end: position };
}

function toFlag(word: string, raw: string): Flag {
  const body = word.slice(2);
  const equals = body.indexOf("=");
  if (equals < 0) return { name: body, value: undefined, raw };
  return { name: body.slice(0, equals), value: body.slice(equals + 1), raw };
}
