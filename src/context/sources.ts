import type { Instruction } from "../parse/types.js";

/** The separator BuildKit splits shell-form `ADD` and `COPY` arguments at. */
const BLANKS = /[\t\v\f\r ]+/;

/**
 * Returns the sources of an `ADD` or `COPY`: every argument but the last,
 * which is the destination. Returns `undefined` when there are fewer than
 * two arguments. Quotes and variables are left as written.
 */
export function readSources(instruction: Instruction): string[] | undefined {
  const words =
    instruction.json ?? instruction.value.split(BLANKS).filter(Boolean);
  return words.length < 2 ? undefined : words.slice(0, -1);
}

/** The kind of remote source that `ADD` fetches instead of reading the context. */
export type RemoteKind = "url" | "git";

/**
 * Reports whether `ADD` fetches a source from the network: an HTTP(S) URL,
 * another `scheme://` address, or a Git address such as `git@host:repo`.
 */
export function remoteKindOf(source: string): RemoteKind | undefined {
  if (/^https?:\/\//i.test(source)) {
    return /\.git(#.*)?$/.test(source) ? "git" : "url";
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return "git";
  // BuildKit reads `user@host:path` as an SSH Git address, as Git does.
  if (/^[\w.-]+@[\w.-]+:/.test(source)) return "git";
  return undefined;
}

/**
 * Name endings of tar archives and of the compressed files whose content
 * `ADD` unpacks when it is a tar archive.
 */
const ARCHIVE_NAME =
  /\.(tar|tgz|taz|tbz|tbz2|tb2|txz|tzst|gz|bz2|xz|zst|zstd)$/i;

/** Reports whether a path's last segment is named like such an archive. */
export function hasArchiveName(path: string): boolean {
  const name = path.replace(/\/+$/, "").split("/").at(-1) ?? "";
  return ARCHIVE_NAME.test(name);
}
