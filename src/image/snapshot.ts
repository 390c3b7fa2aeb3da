import type { FilesystemNode, LayeredFilesystem } from "./filesystem.js";
import { compileGlob, matchesAnyGlob } from "./glob.js";
import type { FileType } from "./layer-changes.js";

/** One path of an image filesystem and the attributes that `verify` compares. */
export interface SnapshotEntry {
  /** Absolute path, like `/etc/passwd`. */
  path: string;
  /** A hard link shows up as the file it links to. */
  type: FileType;
  /** Permission bits, including setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Regular-file bytes, or 0 for every other type. */
  size: number;
  /** Hex SHA-256 of a regular file's content. */
  sha256?: string;
  /** Symbolic link target as written. */
  linkTarget?: string;
  device?: { major: number; minor: number };
  /** Extended attributes, values in hex. */
  xattrs?: Record<string, string>;
}

/** Every path of the final filesystem except `/`, sorted by path. */
export interface FilesystemSnapshot {
  entries: SnapshotEntry[];
}

export type SnapshotAttribute = Exclude<keyof SnapshotEntry, "path">;

const ATTRIBUTES: readonly SnapshotAttribute[] = [
  "type",
  "mode",
  "uid",
  "gid",
  "size",
  "sha256",
  "linkTarget",
  "device",
  "xattrs",
];

export interface ChangedPath {
  path: string;
  /** The attributes that differ, in the order of SnapshotEntry's fields. */
  attributes: SnapshotAttribute[];
  before: SnapshotEntry;
  after: SnapshotEntry;
}

export interface SnapshotComparison {
  added: SnapshotEntry[];
  removed: SnapshotEntry[];
  changed: ChangedPath[];
}

export interface CompareSnapshotsOptions {
  /** Path patterns to leave out, in the syntax that compileGlob reads. */
  ignore?: readonly string[];
}

/** Lists every path of a stacked filesystem with its attributes. */
export function takeSnapshot(
  filesystem: LayeredFilesystem,
): FilesystemSnapshot {
  const entries: SnapshotEntry[] = [];
  const visit = (node: FilesystemNode, path: string) => {
    if (path !== "/") entries.push(toSnapshotEntry(node, path));
    if (node.type !== "directory") return;
    for (const [name, child] of node.children) {
      visit(child, path === "/" ? `/${name}` : `${path}/${name}`);
    }
  };
  visit(filesystem.root, "/");
  entries.sort((a, b) => compareText(a.path, b.path));
  return { entries };
}

function toSnapshotEntry(node: FilesystemNode, path: string): SnapshotEntry {
  const entry: SnapshotEntry = {
    path,
    type: node.type,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    size: 0,
  };
  if (node.xattrs !== undefined) entry.xattrs = node.xattrs;
  if (node.type === "directory") return entry;
  if (node.content !== undefined) {
    entry.size = node.content.size;
    entry.sha256 = node.content.sha256;
  }
  if (node.linkTarget !== undefined) entry.linkTarget = node.linkTarget;
  if (node.device !== undefined) entry.device = node.device;
  return entry;
}

/**
 * Compares two snapshots path by path. A path in only `after` is added, in
 * only `before` removed, and in both with any attribute different changed.
 */
export function compareSnapshots(
  before: FilesystemSnapshot,
  after: FilesystemSnapshot,
  options: CompareSnapshotsOptions = {},
): SnapshotComparison {
  const ignore = (options.ignore ?? []).map(compileGlob);
  const isCompared = (entry: SnapshotEntry) =>
    !matchesAnyGlob(entry.path, ignore);
  const beforeByPath = new Map(
    before.entries.filter(isCompared).map((e) => [e.path, e]),
  );
  const afterByPath = new Map(
    after.entries.filter(isCompared).map((e) => [e.path, e]),
  );
  const comparison: SnapshotComparison = {
    added: [],
    removed: [],
    changed: [],
  };
  for (const [path, entry] of beforeByPath) {
    const other = afterByPath.get(path);
    if (other === undefined) comparison.removed.push(entry);
    else addIfChanged(comparison.changed, entry, other);
  }
  for (const [path, entry] of afterByPath) {
    if (!beforeByPath.has(path)) comparison.added.push(entry);
  }
  return comparison;
}

function addIfChanged(
  changed: ChangedPath[],
  before: SnapshotEntry,
  after: SnapshotEntry,
): void {
  const attributes = ATTRIBUTES.filter(
    (name) => canonical(before[name]) !== canonical(after[name]),
  );
  if (attributes.length > 0) {
    changed.push({ path: before.path, attributes, before, after });
  }
}

/** Serializes a value with sorted object keys, so key order does not count. */
export function canonical(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
      return inner;
    }
    return Object.fromEntries(
      Object.entries(inner).sort(([a], [b]) => compareText(a, b)),
    );
  });
}

/** Orders strings by UTF-16 code units, the same on every locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
