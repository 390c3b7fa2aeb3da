import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  statSync,
  type Stats,
} from "node:fs";
import { join } from "node:path";
import type { FileHead } from "./archive.js";
import type { IgnoreMatcher, IgnoreState } from "./dockerignore.js";
import { describeError } from "./errors.js";

/** A path of the context as the build receives it. */
export type TreeEntry =
  | { kind: "present"; stats: Stats }
  | { kind: "absent" }
  | { kind: "unreadable"; reason: string };

/**
 * The files BuildKit would send from a context folder: what is on disk,
 * minus what the ignore file leaves out. Paths are relative to the root,
 * use `/`, and must not pass through a symbolic link, so nothing outside
 * the root is read. Every lookup is cached.
 */
export class ContextTree {
  private readonly disk = new Map<string, TreeEntry>();
  private readonly states = new Map<string, IgnoreState>();
  private readonly sent = new Map<string, boolean>();
  private readonly listings = new Map<string, string[] | undefined>();

  constructor(
    readonly root: string,
    private readonly ignore: IgnoreMatcher | undefined,
  ) {}

  /** Looks up a path without following a final symbolic link. */
  entry(path: string): TreeEntry {
    const found = this.lstat(path);
    if (found.kind !== "present" || path === ".") return found;
    return this.isSent(path, found.stats) ? found : { kind: "absent" };
  }

  /** Returns the names of a directory's entries that the build receives, sorted as Go sorts them. */
  children(path: string): string[] | undefined {
    if (!this.listings.has(path)) {
      this.listings.set(path, this.readNames(path));
    }
    const names = this.listings.get(path);
    return names?.filter((name) => {
      return this.entry(childPath(path, name)).kind === "present";
    });
  }

  /** Reads a symbolic link's target. */
  readLink(path: string): string {
    return readlinkSync(join(this.root, path), "utf8");
  }

  /** Reads up to `limit` leading bytes of a regular file. */
  readHead(path: string, limit: number): FileHead {
    // Only the bytes read are used, so the buffer need not be zero-filled.
    const buffer = Buffer.allocUnsafe(limit + 1);
    const descriptor = openSync(join(this.root, path), "r");
    try {
      const length = readSync(descriptor, buffer, 0, limit + 1, 0);
      return {
        bytes: buffer.subarray(0, Math.min(length, limit)),
        complete: length <= limit,
      };
    } finally {
      closeSync(descriptor);
    }
  }

  private lstat(path: string): TreeEntry {
    let found = this.disk.get(path);
    if (!found) {
      found = readEntry(join(this.root, path), path === ".");
      this.disk.set(path, found);
    }
    return found;
  }

  private readNames(path: string): string[] | undefined {
    try {
      const names = readdirSync(join(this.root, path));
      return names.sort((a, b) =>
        Buffer.compare(Buffer.from(a), Buffer.from(b)),
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Reports whether BuildKit sends a path. An excluded directory is still
   * sent when an exception pattern puts back something inside it.
   */
  private isSent(path: string, stats: Stats): boolean {
    const cached = this.sent.get(path);
    if (cached !== undefined) return cached;
    const result = this.ignore ? this.decideSent(path, stats) : true;
    this.sent.set(path, result);
    return result;
  }

  private decideSent(path: string, stats: Stats): boolean {
    if (this.hasSkippedParent(path)) return false;
    if (!this.stateOf(path).excluded) return true;
    if (!stats.isDirectory() || this.ignore!.skipsDirectory(path)) return false;
    return (this.children(path)?.length ?? 0) > 0;
  }

  /** Reports whether the walk never enters a parent of `path`. */
  private hasSkippedParent(path: string): boolean {
    const parts = path.split("/");
    for (let count = 1; count < parts.length; count++) {
      const parent = parts.slice(0, count).join("/");
      if (
        this.stateOf(parent).excluded &&
        this.ignore!.skipsDirectory(parent)
      ) {
        return true;
      }
    }
    return false;
  }

  private stateOf(path: string): IgnoreState {
    const cached = this.states.get(path);
    if (cached) return cached;
    const slash = path.lastIndexOf("/");
    const parent = slash < 0 ? undefined : this.stateOf(path.slice(0, slash));
    const state = this.ignore!.match(path, parent);
    this.states.set(path, state);
    return state;
  }
}

/** Joins a directory path relative to the root and an entry name. */
export function childPath(directory: string, name: string): string {
  return directory === "." ? name : `${directory}/${name}`;
}

/** Reads an entry. The root itself is followed when it is a link. */
function readEntry(path: string, isRoot: boolean): TreeEntry {
  try {
    const stats = isRoot ? statSync(path) : lstatSync(path);
    return { kind: "present", stats };
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "absent" };
    return { kind: "unreadable", reason: describeError(error) };
  }
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}
