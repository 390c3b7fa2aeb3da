import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { HEAD_BYTES, inspectArchive } from "./archive.js";
import {
  IgnoreMatcher,
  IgnorePatternError,
  readIgnorePatterns,
} from "./dockerignore.js";
import { BuildContextError, describeError } from "./errors.js";
import { sourceSegments } from "./paths.js";
import { expandSource, followInside } from "./resolve.js";
import { ContextTree } from "./tree.js";
import type { ArchiveCheck, BuildContext, ContextEntry } from "./types.js";

export interface FolderContextOptions {
  /**
   * The Dockerfile's path, absolute or relative to the root. BuildKit
   * reads `<Dockerfile>.dockerignore` beside it instead of the root's
   * `.dockerignore` when that file exists.
   */
  dockerfile?: string;
}

/**
 * Creates a read-only view of the build context in folder `root`. It
 * reads the ignore file at once and everything else on first use, and
 * caches each result, so the view assumes the folder does not change.
 * Throws `BuildContextError` when `root` is not a folder or the ignore
 * file has a pattern that BuildKit rejects.
 */
export function createFolderContext(
  root: string,
  options: FolderContextOptions = {},
): BuildContext {
  const folder = resolve(root);
  requireFolder(root, folder);
  const tree = new ContextTree(folder, loadIgnoreFile(folder, options));
  const entries = new Map<string, ContextEntry[]>();
  const checks = new Map<string, ArchiveCheck>();
  return {
    root,
    resolve(source) {
      const found = remember(entries, source, () => expandSource(tree, source));
      return found.map((entry) => ({ ...entry }));
    },
    checkArchive(path) {
      return { ...remember(checks, path, () => checkFile(tree, path)) };
    },
  };
}

function remember<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}

function requireFolder(root: string, folder: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (error) {
    throw new BuildContextError(
      `cannot read the build context \`${root}\`: ${describeError(error)}. ` +
        "Pass the folder that `docker build` gets as its context",
      folder,
    );
  }
  if (!isFolder) {
    throw new BuildContextError(
      `the build context \`${root}\` is not a folder. ` +
        "Pass the folder that `docker build` gets as its context",
      folder,
    );
  }
}

/**
 * Reads the ignore file that BuildKit would use. The one beside the
 * Dockerfile may lie outside the root, and it is the only file read there.
 */
function loadIgnoreFile(
  folder: string,
  options: FolderContextOptions,
): IgnoreMatcher | undefined {
  const candidates = [join(folder, ".dockerignore")];
  if (options.dockerfile !== undefined) {
    candidates.unshift(`${resolve(folder, options.dockerfile)}.dockerignore`);
  }
  for (const path of candidates) {
    const text = readOptionalFile(path);
    if (text !== undefined) return compileIgnoreFile(path, text);
  }
  return undefined;
}

function readOptionalFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      return undefined;
    }
    throw new BuildContextError(
      `cannot read \`${path}\`: ${describeError(error)}`,
      path,
    );
  }
}

function compileIgnoreFile(path: string, text: string): IgnoreMatcher {
  try {
    return new IgnoreMatcher(readIgnorePatterns(text));
  } catch (error) {
    if (!(error instanceof IgnorePatternError)) throw error;
    throw new BuildContextError(
      `\`${path}\` has an ${error.message}, so \`docker build\` fails too. ` +
        "Fix the pattern or remove the line",
      path,
    );
  }
}

/** Decides what `ADD` would do with a context path. */
function checkFile(tree: ContextTree, path: string): ArchiveCheck {
  const found = followInside(tree, sourceSegments(path));
  if (found.kind === "other") return { kind: "unknown", reason: found.reason };
  if (found.kind === "missing") {
    return {
      kind: "unknown",
      reason: `\`${path}\` is missing from the build context`,
    };
  }
  // BuildKit unpacks only regular files, so it copies a directory as it is.
  if (found.stats.isDirectory()) return { kind: "not-archive" };
  if (!found.stats.isFile()) {
    return { kind: "unknown", reason: `\`${path}\` is not a regular file` };
  }
  try {
    return inspectArchive(tree.readHead(found.path, HEAD_BYTES));
  } catch (error) {
    return {
      kind: "unknown",
      reason: `cannot read \`${path}\`: ${describeError(error)}`,
    };
  }
}
