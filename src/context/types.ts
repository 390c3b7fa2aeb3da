/** The kind of a build context path, after following symlinks inside the context. */
export type PathKind = "file" | "directory" | "missing" | "other";

/** The result of checking whether `ADD` would unpack a file as a tar archive. */
export type ArchiveCheck =
  | { kind: "archive"; compression: "none" | "gzip" | "bzip2" | "xz" | "zstd" }
  | { kind: "not-archive" }
  | { kind: "lfs-pointer" }
  | { kind: "unknown"; reason: string };

/** One source of `ADD`/`COPY` after wildcard expansion against the context. */
export interface ContextEntry {
  /** Path relative to the context root, with `/` separators. */
  path: string;
  kind: PathKind;
}

/** A read-only view of a build context that the core builds once per run. */
export interface BuildContext {
  /** The folder the view reads, for messages. */
  root: string;
  /**
   * Expands a source as BuildKit does (wildcards, `.dockerignore`), after
   * following symlinks inside the context. An empty list means no match.
   */
  resolve(source: string): ContextEntry[];
  /** Inspects a regular file's leading bytes; `path` is relative to the root. */
  checkArchive(path: string): ArchiveCheck;
}
