import { reviewAddSource } from "../src/context/add-review.js";
import { readSources } from "../src/context/sources.js";
import type { BuildContext } from "../src/context/types.js";
import { matchKeywordCase } from "../src/edit/layout.js";
import type { Dockerfile, Instruction, Range } from "../src/parse/types.js";
import type {
  Finding,
  Transform,
  TransformInput,
  TransformResult,
} from "../src/transform.js";

export const addToCopy = {
  id: "add-to-copy",
  title: "Replace `ADD` with `COPY` for plain files and folders",
  safety: "safe",
  safetyReason:
    "For a local source, `ADD` differs from `COPY` only in unpacking tar " +
    "archives. The edit is applied only when every source is a folder or " +
    "a regular file whose first bytes are not a tar header, after " +
    "undoing gzip or zstd compression, as BuildKit checks them. Without a " +
    "build context to read, or for a source it cannot read, the finding " +
    "is unsafe.",
  skipsWhen: [
    "a source is a tar archive, compressed or not, whatever its name",
    "a source is a URL, which `ADD` downloads",
    "a source is a Git address, which `ADD` clones",
    "a source is named like an archive (`.tar`, `.tgz`, `.gz`, `.bz2`, `.xz`, `.zst`, ...), so a reader may expect it to be unpacked",
    "a flag has no `COPY` equivalent: `--checksum`, `--keep-git-dir`, `--unpack` or another that `COPY` lacks",
    "a heredoc gives the source",
    "the `ADD` of an `ONBUILD` starts on a later line than the `ONBUILD` keyword",
  ],
  rationale:
    "`ADD` unpacks local tar archives and fetches URLs and Git sources, " +
    "so a reader of `ADD app/ /app` must check the context to know what " +
    "lands in the image, and a tar archive added later to the sources " +
    "is unpacked without notice. `COPY` only copies, so the instruction " +
    "states what it does.",
  examples: [
    {
      before: "FROM alpine\nADD app/ /srv/app/\n",
      after: "FROM alpine\nCOPY app/ /srv/app/\n",
    },
  ],
  limitations: [
    "A source compressed with bzip2 or xz is not decompressed to look for a tar header, so its finding is unsafe.",
    "`ADD` never unpacks zip files, so a `.zip` source becomes `COPY` like any other file, although its name may suggest unpacking.",
    "A Git LFS pointer in the context is not read as the file it stands for, so its finding is unsafe.",
  ],
  references: [
    "https://docs.docker.com/reference/dockerfile/#add",
    "https://docs.docker.com/build/building/best-practices/#add-or-copy",
    "https://github.com/hadolint/hadolint/wiki/DL3020",
  ],
  hadolintRules: ["DL3020"],
  find: findPlainAdds,
} satisfies Transform;

/** Flags that `ADD` and `COPY` share with the same meaning. */
const SHARED_FLAGS = new Set(["chown", "chmod", "link", "exclude"]);

function findPlainAdds({
  dockerfile,
  context,
}: TransformInput): TransformResult {
  const result: TransformResult = { findings: [], skips: [] };
  for (const instruction of dockerfile.instructions) {
    const add = addOf(instruction);
    if (!add) continue;

    const isTrigger = add !== instruction;
    const reviews = (readSources(add) ?? []).map((source) =>
      reviewAddSource(source, context, isTrigger),
    );
    const skip =
      reviewSyntax(instruction, add) ??
      reviews.find((review) => review.skip)?.skip;
    const keyword = keywordRangeOf(dockerfile, instruction, add);
    if (skip || !keyword) {
      const reason =
        skip ?? "the `ADD` of this `ONBUILD` starts on a later line";
      result.skips.push({ range: instruction.range, reason });
      continue;
    }

    const doubt = reviews.find((review) => review.doubt)?.doubt;
    const edit = {
      range: keyword,
      text: matchKeywordCase("COPY", add.keywordText),
    };
    result.findings.push({
      ...describeFinding(context, isTrigger, doubt),
      range: keyword,
      edits: [edit],
    });
  }
  return result;
}

/** Returns the `ADD` itself, or the `ADD` that an `ONBUILD` adds. */
function addOf(instruction: Instruction): Instruction | undefined {
  if (instruction.keyword === "ADD") return instruction;
  if (instruction.trigger?.keyword === "ADD") return instruction.trigger;
  return undefined;
}

/** Checks the flags and the form, before the sources. */
function reviewSyntax(
  instruction: Instruction,
  add: Instruction,
): string | undefined {
  const flag = add.flags.find((candidate) => !SHARED_FLAGS.has(candidate.name));
  if (flag) return `\`--${flag.name}\` has no \`COPY\` equivalent`;
  // An ONBUILD trigger's heredocs belong to the ONBUILD instruction.
  if (instruction.heredocs.length > 0) return "a heredoc gives the source";
  if (!readSources(add)) return "`ADD` needs a source and a destination";
  return undefined;
}

/**
 * Finds the `ADD` keyword in the source. A trigger shares the range of
 * its `ONBUILD`, so its keyword is looked up after `ONBUILD` on that line.
 */
function keywordRangeOf(
  dockerfile: Dockerfile,
  instruction: Instruction,
  add: Instruction,
): Range | undefined {
  if (add === instruction) return instruction.keywordRange;
  const { text } = dockerfile;
  let start = instruction.keywordRange.end;
  while (text[start] === " " || text[start] === "\t") start++;
  if (!text.startsWith(add.keywordText, start)) return undefined;
  return { start, end: start + add.keywordText.length };
}

/** Writes the message and safety of a finding. */
function describeFinding(
  context: BuildContext | undefined,
  isTrigger: boolean,
  doubt: string | undefined,
): Pick<Finding, "message" | "safety" | "safetyNote"> {
  if (doubt === undefined && context) {
    return {
      message: `\`ADD\` unpacks none of its sources in the build context \`${context.root}\``,
      safety: "safe",
    };
  }
  let message =
    "`ADD` may unpack a source, and no build context was given to check it";
  if (isTrigger) message = "`ONBUILD ADD` may unpack a source in a later build";
  else if (context) {
    message = `\`ADD\` may unpack a source in the build context \`${context.root}\``;
  }
  return { message, safety: "unsafe", safetyNote: doubt };
}
