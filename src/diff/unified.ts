import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";

/**
 * Builds a git-style unified diff (`a/PATH`, `b/PATH`, three lines of
 * context) that `git apply` accepts. Returns "" for identical texts.
 */
export function unifiedDiff(
  path: string,
  before: string,
  after: string,
): string {
  if (before === after) return "";
  const name = path.replace(/^\.\//, "").replace(/^\/+/, "");
  const patch = createTwoFilesPatch(
    `a/${name}`,
    `b/${name}`,
    before,
    after,
    undefined,
    undefined,
    {
      context: 3,
      headerOptions: FILE_HEADERS_ONLY,
    },
  );
  return `diff --git a/${name} b/${name}\n${patch}`;
}
