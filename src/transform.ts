import type { BuildContext } from "./context/types.js";
import type { Edit } from "./edit/types.js";
import type { Dockerfile, Range } from "./parse/types.js";
import type { ShellAnalysis } from "./shell/analysis.js";
import type { StageGraph } from "./stages.js";

/** How far a change may be trusted; levels are ordered from most to least. */
export type Safety = "safe" | "unsafe" | "proposal";

/** One suggested change, with the edits that make it. */
export interface Finding {
  range: Range;
  /** The problem in Dockerfile terms, present tense, no trailing period. */
  message: string;
  /** At most as trusted as the transform's own level, never more. */
  safety: Safety;
  /** The reason the finding sits below the transform's level, when it does. */
  safetyNote?: string;
  edits: Edit[];
}

/** A place where a transform chose to leave the file as it is. */
export interface Skip {
  range: Range;
  /** One `skipsWhen` clause or a more specific reason, no trailing period. */
  reason: string;
}

/** The result of a transform's `find`. */
export interface TransformResult {
  findings: Finding[];
  skips: Skip[];
}

/** Everything a transform may read; none of it may be changed. */
export interface TransformInput {
  dockerfile: Dockerfile;
  stages: StageGraph;
  shell: ShellAnalysis;
  /** The build context, or `undefined` when none was given. */
  context: BuildContext | undefined;
}

export interface TransformExample {
  before: string;
  /** The file after the default run; a proposal leaves it as it was. */
  after: string;
  /** For a proposal: the file it proposes, shown as a diff and never applied. */
  proposal?: string;
}

/** A transform: metadata plus a pure function from a parsed file to findings. */
export interface Transform {
  id: string;
  title: string;
  safety: Safety;
  safetyReason: string;
  skipsWhen: string[];
  rationale: string;
  examples: TransformExample[];
  limitations?: string[];
  references?: string[];
  /** hadolint rule codes whose `ignore=` pragma also silences this transform. */
  hadolintRules?: string[];
  /**
   * Globs of image paths (without a leading `/`) that the transform's edits
   * remove on purpose, such as `var/lib/apt/lists/**`. `layerfix verify`
   * accepts their absence and reports their bytes.
   */
  removesPaths?: string[];
  find(input: TransformInput): TransformResult;
}
