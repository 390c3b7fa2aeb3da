import type { Stats } from "node:fs";
import { describeError } from "./errors.js";
import { compileGlob, hasWildcard } from "./glob.js";
import { joinSegments, sourceSegments } from "./paths.js";
import { childPath, type ContextTree } from "./tree.js";
import type { ContextEntry, PathKind } from "./types.js";

/** The target of a context path after its symbolic links are followed. */
export type Resolution =
  | { kind: "found"; path: string; stats: Stats }
  | { kind: "missing" }
  | { kind: "other"; reason: string };

/** Links followed in one path before it counts as a loop. */
const MAX_LINKS = 255;

/**
 * Follows symbolic links in a path one segment at a time, like
 * continuity's `RootPath` that BuildKit uses. A link that leads outside
 * the context, by an absolute target or by `..` above the root, ends the
 * walk as `other`, and so does a loop.
 */
export function followInside(
  tree: ContextTree,
  segments: readonly string[],
): Resolution {
  const pending = [...segments];
  const resolved: string[] = [];
  let links = 0;
  for (
    let segment = pending.shift();
    segment !== undefined;
    segment = pending.shift()
  ) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (resolved.pop() === undefined) return outside(segments);
      continue;
    }
    const path = joinSegments([...resolved, segment]);
    const entry = tree.entry(path);
    if (entry.kind === "absent") return { kind: "missing" };
    if (entry.kind === "unreadable")
      return { kind: "other", reason: entry.reason };
    if (entry.stats.isSymbolicLink()) {
      if (++links > MAX_LINKS) {
        return {
          kind: "other",
          reason: `\`${joinSegments(segments)}\` has a symbolic link loop`,
        };
      }
      const target = readTarget(tree, path);
      if (typeof target !== "string") return target;
      if (target.startsWith("/")) return outside(segments);
      pending.unshift(...target.split("/"));
      continue;
    }
    if (pending.length > 0 && !entry.stats.isDirectory())
      return { kind: "missing" };
    resolved.push(segment);
  }
  const path = joinSegments(resolved);
  const last = tree.entry(path);
  if (last.kind !== "present") return { kind: "missing" };
  return { kind: "found", path, stats: last.stats };
}

function readTarget(tree: ContextTree, path: string): string | Resolution {
  try {
    return tree.readLink(path);
  } catch (error) {
    return { kind: "other", reason: describeError(error) };
  }
}

function outside(segments: readonly string[]): Resolution {
  return {
    kind: "other",
    reason: `\`${joinSegments(segments)}\` is a symbolic link that leads outside the build context`,
  };
}

/** Names the kind of a resolved path. */
export function kindOf(resolution: Resolution): PathKind {
  if (resolution.kind !== "found") return resolution.kind;
  if (resolution.stats.isDirectory()) return "directory";
  return resolution.stats.isFile() ? "file" : "other";
}

/**
 * Expands an `ADD` or `COPY` source against the context as BuildKit does:
 * the segments before the first wildcard name a base directory, and every
 * path below it that the rest matches is a source. A matched directory is
 * not searched further, and links inside the base are not entered.
 */
export function expandSource(
  tree: ContextTree,
  source: string,
): ContextEntry[] {
  const segments = sourceSegments(source);
  const first = segments.findIndex(hasWildcard);
  if (first < 0) {
    const path = joinSegments(segments);
    return [{ path, kind: kindOf(followInside(tree, segments)) }];
  }
  const base = followInside(tree, segments.slice(0, first));
  if (base.kind === "other") {
    return [{ path: joinSegments(segments.slice(0, first)), kind: "other" }];
  }
  const rest = segments.slice(first).join("/");
  const pattern = compileGlob(rest);
  if (base.kind === "missing" || !base.stats.isDirectory() || !pattern)
    return [];
  const matches: ContextEntry[] = [];
  walkMatches(
    tree,
    { base: base.path, pattern, maxDepth: maxDepthOf(rest) },
    "",
    matches,
  );
  return matches;
}

interface WalkPlan {
  base: string;
  pattern: RegExp;
  /** Segments a matching path can have at most. */
  maxDepth: number;
}

function walkMatches(
  tree: ContextTree,
  plan: WalkPlan,
  relative: string,
  matches: ContextEntry[],
): void {
  const directory =
    relative === "" ? plan.base : childPath(plan.base, relative);
  const names = tree.children(directory);
  if (!names) {
    // An unlisted directory may hold matches, so the expansion is unknown.
    matches.push({ path: directory, kind: "other" });
    return;
  }
  const depth = relative === "" ? 1 : relative.split("/").length + 1;
  for (const name of names) {
    const candidate = relative === "" ? name : `${relative}/${name}`;
    const path = childPath(plan.base, candidate);
    if (plan.pattern.test(candidate)) {
      matches.push({ path, kind: kindOf(followInside(tree, path.split("/"))) });
      continue;
    }
    const entry = tree.entry(path);
    const isDirectory = entry.kind === "present" && entry.stats.isDirectory();
    if (isDirectory && depth < plan.maxDepth) {
      walkMatches(tree, plan, candidate, matches);
    }
  }
}

/**
 * Counts the segments a match can span: `*` and `?` never match `/`,
 * but a class such as `[^a]` can, once per class.
 */
function maxDepthOf(pattern: string): number {
  const slashes = pattern.split("/").length;
  const classes = pattern.split("[").length - 1;
  return slashes + classes;
}
