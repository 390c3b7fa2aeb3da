import { createFolderContext } from "./context/folder.js";
import type { BuildContext } from "./context/types.js";
import {
  runTransforms,
  type ReportedFinding,
  type ReportedProposal,
  type ReportedSkip,
} from "./run.js";
import type { Transform } from "./transform.js";
import { transforms as allTransforms } from "../transforms/index.js";

export { ParseError } from "./parse/errors.js";
export { TransformError } from "./run.js";
export type {
  ReportedFinding,
  ReportedProposal,
  ReportedSkip,
  Location,
} from "./run.js";
export type {
  Finding,
  Safety,
  Skip,
  Transform,
  TransformExample,
  TransformInput,
  TransformResult,
} from "./transform.js";
export type {
  ArchiveCheck,
  BuildContext,
  ContextEntry,
  PathKind,
} from "./context/types.js";
export type { Edit } from "./edit/types.js";
export type { Dockerfile, Instruction, Range } from "./parse/types.js";
export { createFolderContext } from "./context/folder.js";

/** Every built-in transform, sorted by id. */
export const transforms: readonly Transform[] = allTransforms;

export interface OptimizeOptions {
  /** The transforms to run, in order; all built-in ones by default. */
  transforms?: readonly Transform[];
  /** Also apply findings whose safety is `unsafe`. */
  unsafe?: boolean;
  /** The build context: a folder, or a view object. Without it, ADD checks stay unsafe. */
  context?: string | BuildContext;
  /** The file's path, for messages and the diff header; `Dockerfile` by default. */
  path?: string;
}

export interface OptimizeResult {
  /** The rewritten Dockerfile; equal to the input when nothing applies. */
  output: string;
  /** A git-style unified diff, or "" when nothing changed. */
  diff: string;
  /** Applied findings, withheld unsafe findings and proposals, by position. */
  findings: ReportedFinding[];
  /** Changes shown as diffs and never applied. */
  proposals: ReportedProposal[];
  /** Places where a transform left the file alone, with the reason. */
  skips: ReportedSkip[];
}

/**
 * Rewrites a Dockerfile with the given transforms and returns the output,
 * its diff and the findings. Rejects with `ParseError` for a file BuildKit
 * would not accept, and with `TransformError` when a transform fails.
 */
export async function optimize(
  text: string,
  options: OptimizeOptions = {},
): Promise<OptimizeResult> {
  const context =
    typeof options.context === "string"
      ? createFolderContext(options.context)
      : options.context;
  const result = await runTransforms(text, {
    transforms: options.transforms ?? transforms,
    unsafe: options.unsafe ?? false,
    context,
    path: options.path ?? "Dockerfile",
  });
  const { output, diff, findings, proposals, skips } = result;
  return { output, diff, findings, proposals, skips };
}
