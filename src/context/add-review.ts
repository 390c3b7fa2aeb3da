import { hasArchiveName, remoteKindOf } from "./sources.js";
import type { BuildContext, ContextEntry } from "./types.js";

/**
 * The verdict on one `ADD` source: `skip` gives the reason it must stay
 * `ADD`, and `doubt` the reason that turning it into `COPY` cannot be
 * proven. A review with neither allows the change.
 */
export interface SourceReview {
  skip?: string;
  doubt?: string;
}

/**
 * Reviews an `ADD` source. `ADD` differs from `COPY` in fetching remote
 * sources and in unpacking local tar archives, so a remote source or a
 * tar archive is a skip, and a source that cannot be read is a doubt.
 * A trigger of `ONBUILD` runs in a later build with another context.
 */
export function reviewAddSource(
  source: string,
  context: BuildContext | undefined,
  isTrigger: boolean,
): SourceReview {
  const remote = remoteKindOf(source);
  if (remote === "url")
    return { skip: `\`${source}\` is a URL, which \`ADD\` downloads` };
  if (remote === "git") {
    return { skip: `\`${source}\` is a Git address, which \`ADD\` clones` };
  }
  if (hasArchiveName(source)) return { skip: archiveNameReason(source) };
  if (isTrigger) {
    return {
      doubt:
        "an `ONBUILD` trigger runs in a later build, with that build's context",
    };
  }
  if (!context) {
    return {
      doubt: `no build context was given to check \`${source}\` for a tar archive`,
    };
  }
  if (source.includes("$")) {
    return {
      doubt: `\`${source}\` contains a variable, so its value is unknown`,
    };
  }
  if (/["'\\]/.test(source)) {
    return {
      doubt: `\`${source}\` contains quotes or a backslash, which layerfix does not remove`,
    };
  }
  return reviewEntries(source, context);
}

function reviewEntries(source: string, context: BuildContext): SourceReview {
  const entries = context.resolve(source);
  if (entries.length === 0) {
    return {
      doubt: `\`${source}\` matches nothing in the build context \`${context.root}\``,
    };
  }
  const reviews = entries.map((entry) => reviewEntry(entry, context));
  const skip = reviews.find((review) => review.skip);
  return skip ?? reviews.find((review) => review.doubt) ?? {};
}

function reviewEntry(entry: ContextEntry, context: BuildContext): SourceReview {
  const { path } = entry;
  if (hasArchiveName(path)) return { skip: archiveNameReason(path) };
  switch (entry.kind) {
    case "directory":
      return {};
    case "missing":
      return {
        doubt:
          `\`${path}\` is missing from the build context \`${context.root}\`, ` +
          "or its ignore file excludes it",
      };
    case "other":
      return {
        doubt:
          `\`${path}\` is not a regular file or folder, or it leads ` +
          `outside the build context \`${context.root}\``,
      };
    case "file":
      return reviewFile(path, context);
  }
}

function reviewFile(path: string, context: BuildContext): SourceReview {
  const check = context.checkArchive(path);
  switch (check.kind) {
    case "not-archive":
      return {};
    case "archive": {
      const compressed =
        check.compression === "none"
          ? ""
          : ` (${check.compression}-compressed)`;
      return {
        skip: `\`${path}\` is a tar archive${compressed}, which \`ADD\` unpacks`,
      };
    }
    case "lfs-pointer":
      return {
        doubt:
          `\`${path}\` is a Git LFS pointer, and the file it stands for ` +
          "may be a tar archive",
      };
    case "unknown":
      return {
        doubt: `\`${path}\` cannot be checked for a tar archive: ${check.reason}`,
      };
  }
}

function archiveNameReason(path: string): string {
  return (
    `\`${path}\` is named like an archive, so a reader may expect ` +
    "`ADD` to unpack it"
  );
}
