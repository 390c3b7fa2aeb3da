/**
 * Compiles a path pattern to a regular expression. `*` matches within one
 * path segment, `?` matches one character other than `/`, and `**` matches
 * any number of segments. A leading `/` is optional, and a pattern that
 * matches a directory also matches everything below it: `/var/cache`
 * matches `/var/cache/apt/pkgcache.bin`. Other characters match themselves.
 */
export function compileGlob(pattern: string): RegExp {
  // A trailing `/**` adds nothing, because every pattern covers what is below.
  const body = pattern
    .replace(/^\/+/, "")
    .replace(/(?:\/\*\*)+\/*$/, "")
    .replace(/\/+$/, "");
  let source = "";
  for (let i = 0; i < body.length; i++) {
    const rest = body.slice(i);
    if (rest.startsWith("**/")) {
      source += "(?:.*/)?";
      i += 2;
    } else if (rest.startsWith("**")) {
      source += ".*";
      i += 1;
    } else {
      source += translate(body[i] ?? "");
    }
  }
  return new RegExp(`^/${source}(?:/.*)?$`);
}

function translate(character: string): string {
  if (character === "*") return "[^/]*";
  if (character === "?") return "[^/]";
  return character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

/** Returns whether an absolute path matches one of the compiled patterns. */
export function matchesAnyGlob(
  path: string,
  patterns: readonly RegExp[],
): boolean {
  return patterns.some((pattern) => pattern.test(path));
}
