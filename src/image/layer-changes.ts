import { createHash } from "node:crypto";
import { posix } from "node:path";
import { TarFormatError } from "./errors.js";
import type { TarEntryType, TarHeader } from "./tar-header.js";
import { ByteStream, readTarEntries, type TarEntry } from "./tar-reader.js";

/** The file types that a path in an image filesystem can have. */
export type FileType =
  "file" | "directory" | "symlink" | "char-device" | "block-device" | "fifo";

/** One file, directory or link that a layer adds or replaces. */
export interface LayerEntry {
  /** Absolute path in the image, like `/usr/bin/env`. */
  path: string;
  type: FileType | "hardlink";
  /** Permission bits, including setuid, setgid and sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Regular-file bytes, or 0 for every other type, hard links included. */
  size: number;
  /** Hex SHA-256 of the content of a regular file. */
  sha256?: string;
  /**
   * Symbolic link target as written, or the absolute path that a hard link
   * points to.
   */
  linkTarget?: string;
  device?: { major: number; minor: number };
  /** Extended attributes, values in hex. */
  xattrs?: Record<string, string>;
}

/** The changes of one layer, split the way the OCI layer spec applies them. */
export interface LayerChanges {
  entries: LayerEntry[];
  /** Paths that `.wh.NAME` entries hide in lower layers. */
  whiteouts: string[];
  /** Directories whose lower content `.wh..wh..opq` hides. */
  opaqueDirectories: string[];
  /** Bytes of the uncompressed tar stream, padding and end blocks included. */
  tarSize: number;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";

const FILE_TYPES: Partial<Record<TarEntryType, FileType | "hardlink">> = {
  file: "file",
  hardlink: "hardlink",
  symlink: "symlink",
  directory: "directory",
  "char-device": "char-device",
  "block-device": "block-device",
  fifo: "fifo",
};

/**
 * Reads an uncompressed layer tar stream to its end. Regular files are
 * hashed while streaming, and nothing else of their content is kept.
 * Throws TarFormatError for a damaged archive or a path outside the root.
 */
export async function readLayerChanges(
  tar: AsyncIterable<Uint8Array>,
): Promise<LayerChanges> {
  const stream = new ByteStream(tar);
  const changes: LayerChanges = {
    entries: [],
    whiteouts: [],
    opaqueDirectories: [],
    tarSize: 0,
  };
  for await (const entry of readTarEntries(stream)) {
    await addEntry(changes, entry);
  }
  await stream.drain();
  changes.tarSize = stream.position;
  return changes;
}

async function addEntry(changes: LayerChanges, entry: TarEntry) {
  const { header } = entry;
  const path = normalizeLayerPath(header.name);
  const name = posix.basename(path);
  if (name === OPAQUE_MARKER) {
    changes.opaqueDirectories.push(posix.dirname(path));
    return;
  }
  // Other `.wh..wh.` names are AUFS bookkeeping, not whiteouts.
  if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return;
  if (name.startsWith(WHITEOUT_PREFIX)) {
    addWhiteout(changes, path, name);
    return;
  }
  const type = FILE_TYPES[header.type];
  if (type === undefined || path === "/") return;
  changes.entries.push(await toLayerEntry(path, type, entry));
}

function addWhiteout(changes: LayerChanges, path: string, name: string) {
  const hidden = name.slice(WHITEOUT_PREFIX.length);
  if (hidden === "" || hidden === "." || hidden === "..") return;
  changes.whiteouts.push(posix.join(posix.dirname(path), hidden));
}

async function toLayerEntry(
  path: string,
  type: FileType | "hardlink",
  entry: TarEntry,
): Promise<LayerEntry> {
  const { header } = entry;
  const layerEntry: LayerEntry = {
    path,
    type,
    mode: header.mode & 0o7777,
    uid: header.uid,
    gid: header.gid,
    size: type === "file" ? header.size : 0,
  };
  if (type === "file") layerEntry.sha256 = await hashContent(entry);
  if (type === "symlink") layerEntry.linkTarget = header.linkName;
  if (type === "hardlink") {
    layerEntry.linkTarget = normalizeLayerPath(header.linkName);
  }
  if (type === "char-device" || type === "block-device") {
    layerEntry.device = deviceOf(header);
  }
  if (Object.keys(header.xattrs).length > 0) layerEntry.xattrs = header.xattrs;
  return layerEntry;
}

function deviceOf(header: TarHeader): { major: number; minor: number } {
  return { major: header.deviceMajor, minor: header.deviceMinor };
}

async function hashContent(entry: TarEntry): Promise<string> {
  const hash = createHash("sha256");
  for await (const piece of entry.content()) {
    hash.update(piece);
  }
  return hash.digest("hex");
}

/**
 * Normalizes a tar member name to an absolute image path: `./usr/bin/` and
 * `usr/bin` both become `/usr/bin`. Throws TarFormatError for a name that
 * climbs above the root, which Docker also rejects.
 */
export function normalizeLayerPath(name: string): string {
  const relative = posix.normalize(name.replace(/^\/+/, ""));
  if (relative === ".." || relative.startsWith("../")) {
    throw new TarFormatError(`entry \`${name}\` points outside the root`);
  }
  const trimmed = relative.replace(/\/+$/, "");
  return trimmed === "." || trimmed === "" ? "/" : `/${trimmed}`;
}
