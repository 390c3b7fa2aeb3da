import { closeSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type {
  ArchiveCheck,
  BuildContext,
  ContextEntry,
  PathKind,
} from "./types.js";

/** Options for a folder view; `dockerfile` names the Dockerfile's path. */
export interface FolderContextOptions {
  dockerfile?: string;
}

const HEADER_SIZE = 512;

/**
 * Creates a read-only view of the build context in folder `root`.
 * NOTE: first version: no wildcards or `.dockerignore` yet, so a source
 * with a wildcard resolves to nothing.
 */
export function createFolderContext(
  root: string,
  _options: FolderContextOptions = {},
): BuildContext {
  const base = resolve(root);
  return {
    root,
    resolve: (source) => resolveLiteral(base, source),
    checkArchive: (path) => checkHeader(base, path),
  };
}

function resolveLiteral(base: string, source: string): ContextEntry[] {
  if (/[*?[]/.test(source)) return [];
  const path = source.replace(/^(\.?\/)+/, "").replace(/\/+$/, "");
  return [{ path, kind: kindOf(base, path) }];
}

function kindOf(base: string, path: string): PathKind {
  let real: string;
  try {
    real = realpathSync(join(base, path));
  } catch {
    return "missing";
  }
  const inside = relative(realpathSync(base), real);
  if (inside.startsWith(`..${sep}`) || inside === "..") return "other";
  const stats = statSync(real);
  if (stats.isDirectory()) return "directory";
  return stats.isFile() ? "file" : "other";
}

function checkHeader(base: string, path: string): ArchiveCheck {
  const head = Buffer.alloc(HEADER_SIZE);
  const fd = openSync(join(base, path), "r");
  const length = readSync(fd, head, 0, HEADER_SIZE, 0);
  closeSync(fd);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return { kind: "unknown", reason: "the file is gzip-compressed" };
  }
  if (length < HEADER_SIZE) return { kind: "not-archive" };
  return hasValidChecksum(head)
    ? { kind: "archive", compression: "none" }
    : { kind: "not-archive" };
}

function hasValidChecksum(block: Buffer): boolean {
  const field = block.subarray(148, 156).toString("latin1");
  const stored = parseInt(field.replace(/[\0 ]/g, ""), 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < HEADER_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}
