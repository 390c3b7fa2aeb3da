import { compileGlob } from "./glob.js";
import { cleanPath } from "./paths.js";

/**
 * `.dockerignore` rules as BuildKit applies them when it sends the build
 * context: the file is read like moby's `ignorefile.ReadAll`, patterns match
 * like moby's `patternmatcher`, and directories are walked like the filter
 * of tonistiigi/fsutil.
 */

/** An `.dockerignore` pattern that BuildKit rejects, so every build fails. */
export class IgnorePatternError extends Error {
  constructor(readonly pattern: string) {
    super(`invalid pattern \`${pattern}\``);
    this.name = "IgnorePatternError";
  }
}

/** Characters Go's `strings.TrimSpace` removes. */
const GO_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

function trimSpace(text: string): string {
  return text.replace(TRIM, "");
}

/**
 * Reads the patterns of an ignore file: a leading BOM is dropped, lines
 * that start with `#` are comments, and each pattern is trimmed and
 * cleaned with its leading `/` removed.
 */
export function readIgnorePatterns(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const raw = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (raw.startsWith("#")) continue;
    const pattern = normalizeLine(trimSpace(raw));
    if (pattern !== undefined) patterns.push(pattern);
  }
  return patterns;
}

function normalizeLine(line: string): string | undefined {
  if (line === "") return undefined;
  const negated = line.startsWith("!");
  let pattern = negated ? trimSpace(line.slice(1)) : line;
  if (pattern !== "") {
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith("/")) {
      pattern = pattern.slice(1);
    }
  }
  return negated ? `!${pattern}` : pattern;
}

type MatchType = "exact" | "prefix" | "suffix" | "regexp";

interface IgnorePattern {
  /** A `!` pattern, which puts back what earlier patterns excluded. */
  exception: boolean;
  cleaned: string;
  type: MatchType;
  regexp: RegExp | undefined;
}

/**
 * The result of matching one path. `matched` holds, per pattern,
 * whether it matched the path or a parent, and is passed to children.
 */
export interface IgnoreState {
  excluded: boolean;
  matched: boolean[];
}

/** Decides which paths of the build context an ignore file leaves out. */
export class IgnoreMatcher {
  private readonly patterns: IgnorePattern[];
  private readonly hasExceptions: boolean;
  /** No exception pattern has a wildcard, so skipping by prefix is exact. */
  private readonly onlyPrefixExceptions: boolean;

  /** Compiles patterns and throws `IgnorePatternError` for one BuildKit rejects. */
  constructor(patterns: readonly string[]) {
    this.patterns = patterns
      .map((pattern) => trimSpace(pattern))
      .filter((pattern) => pattern !== "")
      .map(compilePattern);
    const exceptions = this.patterns.filter((pattern) => pattern.exception);
    this.hasExceptions = exceptions.length > 0;
    this.onlyPrefixExceptions = exceptions.every(
      (pattern) => !/[*[\]?^\\]/.test(withoutTrailingGlob(pattern.cleaned)),
    );
  }

  /**
   * Matches a path relative to the root, given the state of its parent
   * directory; `parent` is `undefined` for a top-level path.
   */
  match(path: string, parent: IgnoreState | undefined): IgnoreState {
    const matched = this.patterns.map(() => false);
    let excluded = false;
    for (const [index, pattern] of this.patterns.entries()) {
      let isMatch = parent?.matched[index] ?? false;
      // A pattern that cannot change the outcome is not evaluated, and
      // children then do not inherit its match, as in patternmatcher.
      if (!isMatch && pattern.exception !== excluded) continue;
      if (!isMatch) isMatch = matchesPath(pattern, path, parent === undefined);
      matched[index] = isMatch;
      if (isMatch) excluded = !pattern.exception;
    }
    return { excluded, matched };
  }

  /**
   * Reports whether BuildKit skips the whole subtree of an excluded
   * directory, because no exception pattern could put back a path in it.
   */
  skipsDirectory(path: string): boolean {
    if (!this.onlyPrefixExceptions) return false;
    if (!this.hasExceptions) return true;
    const prefix = `${path}/`;
    return !this.patterns.some(
      (pattern) =>
        pattern.exception &&
        `${withoutTrailingGlob(pattern.cleaned)}/`.startsWith(prefix),
    );
  }
}

function withoutTrailingGlob(pattern: string): string {
  let trimmed = pattern;
  if (trimmed.endsWith("/**")) trimmed = trimmed.slice(0, -3);
  if (trimmed.endsWith("/*")) trimmed = trimmed.slice(0, -2);
  return trimmed;
}

/** Matches the path itself and, without parent state, each parent path. */
function matchesPath(
  pattern: IgnorePattern,
  path: string,
  checkParents: boolean,
): boolean {
  if (matchesOne(pattern, path)) return true;
  if (!checkParents) return false;
  const parts = path.split("/");
  for (let count = 1; count < parts.length; count++) {
    if (matchesOne(pattern, parts.slice(0, count).join("/"))) return true;
  }
  return false;
}

function matchesOne(pattern: IgnorePattern, path: string): boolean {
  const { cleaned } = pattern;
  switch (pattern.type) {
    case "exact":
      return path === cleaned;
    case "prefix":
      return path.startsWith(cleaned.slice(0, -2));
    case "suffix": {
      const suffix = cleaned.slice(2);
      // `**/name` also matches `name` at the top level.
      if (path.endsWith(suffix)) return true;
      return suffix.startsWith("/") && path === suffix.slice(1);
    }
    case "regexp":
      return pattern.regexp!.test(path);
  }
}

function compilePattern(text: string): IgnorePattern {
  let cleaned = cleanPath(text);
  const exception = cleaned.startsWith("!");
  if (exception) {
    if (cleaned.length === 1) throw new IgnorePatternError(text);
    cleaned = cleaned.slice(1);
  }
  if (!compileGlob(cleaned)) throw new IgnorePatternError(text);
  const { type, source } = translatePattern(cleaned);
  if (type !== "regexp") {
    return { exception, cleaned, type, regexp: undefined };
  }
  // NOTE: BuildKit runs the expression with Go's RE2, which differs from
  // JavaScript's engine on rare syntax such as `[[:alpha:]]`.
  try {
    return { exception, cleaned, type, regexp: new RegExp(source) };
  } catch {
    throw new IgnorePatternError(text);
  }
}

// Characters that patternmatcher escapes because they mean something in a
// regular expression and nothing in a pattern.
const ESCAPED = new Set([".", "+", "(", ")", "|", "{", "}", "$"]);

/**
 * Translates a cleaned pattern to a match type and, for `regexp`, the
 * expression: `**` spans directories, `*` and `?` stay in one segment,
 * and `[...]` passes through as a class.
 */
function translatePattern(pattern: string): {
  type: MatchType;
  source: string;
} {
  const chars = Array.from(pattern);
  let source = "^";
  let type: MatchType = "exact";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "*" && chars[i + 1] === "*") {
      const first = i === 0;
      i++;
      if (chars[i + 1] === "/") i++;
      if (i + 1 >= chars.length) {
        if (type === "exact") type = "prefix";
        else {
          source += ".*";
          type = "regexp";
        }
      } else {
        source += "(.*/)?";
        type = "regexp";
      }
      if (first) type = "suffix";
    } else if (char === "*" || char === "?") {
      source += char === "*" ? "[^/]*" : "[^/]";
      type = "regexp";
    } else if (ESCAPED.has(char)) {
      source += `\\${char}`;
    } else if (char === "\\") {
      if (i + 1 < chars.length) {
        source += `\\${chars[++i]!}`;
        type = "regexp";
      } else source += "\\";
    } else if (char === "[" || char === "]") {
      source += char;
      type = "regexp";
    } else source += char;
  }
  return { type, source: `${source}$` };
}
