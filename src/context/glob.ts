/**
 * Go's `filepath.Match` pattern syntax, which BuildKit applies to the
 * wildcards of `ADD` and `COPY` sources: `*` and `?` stop at `/`, `[...]`
 * is a class with `^` for negation, and `\` escapes the next character.
 */

/** Reports whether a path segment has an unescaped `*`, `?` or `[`. */
export function hasWildcard(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === "\\") i++;
    else if (char === "*" || char === "?" || char === "[") return true;
  }
  return false;
}

/**
 * Compiles a pattern to an anchored regular expression with the meaning
 * `filepath.Match` gives it. Returns `undefined` for a pattern that Go
 * rejects as malformed, which BuildKit treats as matching nothing.
 */
export function compileGlob(pattern: string): RegExp | undefined {
  const chars = Array.from(pattern);
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const parsed = readClass(chars, i + 1);
      if (!parsed) return undefined;
      source += parsed.source;
      i = parsed.end;
    } else if (char === "\\") {
      if (i + 1 >= chars.length) return undefined;
      source += escapeChar(chars[++i]!);
    } else source += escapeChar(char);
  }
  return new RegExp(`^${source}$`, "u");
}

interface ParsedClass {
  source: string;
  /** Index of the closing `]`. */
  end: number;
}

/** Reads a class body that starts at `start`, just after the `[`. */
function readClass(chars: string[], start: number): ParsedClass | undefined {
  let i = start;
  const negated = chars[i] === "^";
  if (negated) i++;
  const ranges: string[] = [];
  let count = 0;
  for (;;) {
    if (chars[i] === "]" && count > 0) break;
    const low = readClassChar(chars, i);
    if (!low) return undefined;
    let high = low;
    if (chars[low.next] === "-") {
      high = readClassChar(chars, low.next + 1) ?? { char: "", next: -1 };
      if (high.next < 0) return undefined;
    }
    // Go accepts a reversed range such as `z-a`, and it matches nothing.
    if (low.char.codePointAt(0)! <= high.char.codePointAt(0)!) {
      ranges.push(`${escapeClassChar(low.char)}-${escapeClassChar(high.char)}`);
    }
    count++;
    i = high.next;
  }
  const body = ranges.join("");
  if (negated) return { source: `[^${body}]`, end: i };
  return { source: body === "" ? "(?!)" : `[${body}]`, end: i };
}

/** Reads one class character and drops a `\` escape. Go rejects `-` and `]` here. */
function readClassChar(
  chars: string[],
  at: number,
): { char: string; next: number } | undefined {
  let i = at;
  if (i >= chars.length || chars[i] === "-" || chars[i] === "]") {
    return undefined;
  }
  if (chars[i] === "\\") i++;
  if (i >= chars.length) return undefined;
  // A class must still be closed after this character.
  if (i + 1 >= chars.length) return undefined;
  return { char: chars[i]!, next: i + 1 };
}

function escapeChar(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function escapeClassChar(char: string): string {
  return /[\\\]\[^-]/.test(char) ? `\\${char}` : char;
}
