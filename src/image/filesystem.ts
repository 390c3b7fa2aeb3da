import { posix } from "node:path";
import type { FileType, LayerChanges, LayerEntry } from "./layer-changes.js";

/** The reason a stored file copy is no longer visible. */
export type HideReason = "deleted" | "overwritten";

/**
 * One regular-file copy stored in a layer tar. Hard links share the copy,
 * so its bytes count once however many paths point to it.
 */
export interface StoredFile {
  /** Layer that stores the bytes, from 0. */
  layer: number;
  /** Path of the tar entry that stored the bytes. */
  path: string;
  size: number;
  sha256: string;
  /** Paths in the current filesystem that point to this copy. */
  references: number;
  /** Set once no path points to the copy any more. */
  hiddenBy?: { layer: number; reason: HideReason };
}

interface NodeAttributes {
  mode: number;
  uid: number;
  gid: number;
  xattrs?: Record<string, string>;
}

export interface DirectoryNode extends NodeAttributes {
  type: "directory";
  children: Map<string, FilesystemNode>;
}

export interface LeafNode extends NodeAttributes {
  type: Exclude<FileType, "directory">;
  content?: StoredFile;
  linkTarget?: string;
  device?: { major: number; minor: number };
}

export type FilesystemNode = DirectoryNode | LeafNode;

/** Mode and owner of directories that a layer needs but does not list. */
const IMPLICIT_DIRECTORY = { mode: 0o755, uid: 0, gid: 0 };

/** A hard link whose target is not in this layer or a lower one. */
export class HardLinkTargetError extends Error {
  constructor(
    readonly path: string,
    readonly target: string,
  ) {
    super(`hard link \`${path}\` points to \`${target}\`, which is not a file`);
    this.name = "HardLinkTargetError";
  }
}

/**
 * The filesystem of an image, built by applying layers in order as the OCI
 * image layer spec defines, and the record of every file copy stored.
 */
export class LayeredFilesystem {
  readonly root: DirectoryNode = newDirectory(IMPLICIT_DIRECTORY);
  readonly storedFiles: StoredFile[] = [];

  /**
   * Applies one layer. Whiteouts and opaque markers act first and only on
   * lower layers, so entries of the same layer survive them whatever their
   * order in the tar. Throws HardLinkTargetError for a dangling hard link.
   */
  apply(layer: number, changes: LayerChanges): void {
    for (const directory of changes.opaqueDirectories) {
      this.clearDirectory(layer, directory);
    }
    for (const path of changes.whiteouts) {
      this.remove(layer, path, "deleted");
    }
    for (const entry of changes.entries) {
      this.add(layer, entry);
    }
  }

  /** Returns the node at an absolute path without following symlinks. */
  lookup(path: string): FilesystemNode | undefined {
    let node: FilesystemNode | undefined = this.root;
    for (const name of splitPath(path)) {
      if (node?.type !== "directory") return undefined;
      node = node.children.get(name);
    }
    return node;
  }

  private clearDirectory(layer: number, path: string): void {
    const node = this.lookup(path);
    if (node?.type !== "directory") return;
    for (const child of node.children.values()) {
      release(child, layer, "deleted");
    }
    node.children.clear();
  }

  private remove(layer: number, path: string, reason: HideReason): void {
    const parent = this.lookup(posix.dirname(path));
    const name = posix.basename(path);
    const node =
      parent?.type === "directory" ? parent.children.get(name) : undefined;
    if (parent?.type !== "directory" || node === undefined) return;
    release(node, layer, reason);
    parent.children.delete(name);
  }

  private add(layer: number, entry: LayerEntry): void {
    const parent = this.ensureDirectory(layer, posix.dirname(entry.path));
    const name = posix.basename(entry.path);
    const existing = parent.children.get(name);
    // Two directories merge: the entry only replaces the attributes.
    if (entry.type === "directory" && existing?.type === "directory") {
      replaceAttributes(existing, entry);
      return;
    }
    const node = this.createNode(layer, entry);
    if (existing !== undefined) release(existing, layer, "overwritten");
    parent.children.set(name, node);
  }

  private createNode(layer: number, entry: LayerEntry): FilesystemNode {
    if (entry.type === "directory") return newDirectory(attributesOf(entry));
    if (entry.type === "hardlink") return this.linkTo(entry);
    const node: LeafNode = { type: entry.type, ...attributesOf(entry) };
    if (entry.type === "file") node.content = this.store(layer, entry);
    if (entry.linkTarget !== undefined) node.linkTarget = entry.linkTarget;
    if (entry.device !== undefined) node.device = entry.device;
    return node;
  }

  private store(layer: number, entry: LayerEntry): StoredFile {
    const content: StoredFile = {
      layer,
      path: entry.path,
      size: entry.size,
      sha256: entry.sha256 ?? "",
      references: 1,
    };
    this.storedFiles.push(content);
    return content;
  }

  /** Creates a second name for the target's inode: same content and attributes. */
  private linkTo(entry: LayerEntry): LeafNode {
    const target = this.lookup(entry.linkTarget ?? "");
    if (target === undefined || target.type === "directory") {
      throw new HardLinkTargetError(entry.path, entry.linkTarget ?? "");
    }
    if (target.content !== undefined) target.content.references += 1;
    return { ...target };
  }

  /**
   * Returns the directory at `path`, creating missing ones. A lower
   * non-directory in the way is replaced, as overlayfs shows a directory
   * in an upper layer over a file in a lower one.
   */
  private ensureDirectory(layer: number, path: string): DirectoryNode {
    let directory = this.root;
    for (const name of splitPath(path)) {
      const child = directory.children.get(name);
      if (child?.type === "directory") {
        directory = child;
        continue;
      }
      // NOTE: This matches Docker's overlay2 driver. A driver that applies
      // layers onto a copy of the lower ones writes through a symlink here.
      if (child !== undefined) release(child, layer, "overwritten");
      const created = newDirectory(IMPLICIT_DIRECTORY);
      directory.children.set(name, created);
      directory = created;
    }
    return directory;
  }
}

function newDirectory(attributes: NodeAttributes): DirectoryNode {
  return { type: "directory", children: new Map(), ...attributes };
}

function attributesOf(entry: LayerEntry): NodeAttributes {
  const { mode, uid, gid, xattrs } = entry;
  return xattrs === undefined ? { mode, uid, gid } : { mode, uid, gid, xattrs };
}

function replaceAttributes(node: DirectoryNode, entry: LayerEntry): void {
  node.mode = entry.mode;
  node.uid = entry.uid;
  node.gid = entry.gid;
  if (entry.xattrs === undefined) delete node.xattrs;
  else node.xattrs = entry.xattrs;
}

/** Drops a node and everything below it from the visible filesystem. */
function release(node: FilesystemNode, layer: number, reason: HideReason) {
  if (node.type === "directory") {
    for (const child of node.children.values()) release(child, layer, reason);
    return;
  }
  const { content } = node;
  if (content === undefined) return;
  content.references -= 1;
  if (content.references === 0) content.hiddenBy = { layer, reason };
}

function splitPath(path: string): string[] {
  return path.split("/").filter((name) => name !== "");
}
