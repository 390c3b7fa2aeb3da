import type { DockerClient } from "../docker/client.js";
import type {
  ConfigDifference,
  ConfigField,
  SnapshotEntry,
} from "../image/index.js";
import type { ReportedFinding } from "../run.js";
import type { Transform } from "../transform.js";

/** Options of `verifyRewrite`: the build to repeat and the rewrite to check. */
export interface VerifyOptions {
  /** Path of the original Dockerfile. */
  dockerfile: string;
  /** Build context folder; by default the Dockerfile's folder. */
  context: string;
  target?: string;
  /** `NAME=value` build arguments. */
  buildArgs?: readonly string[];
  platform?: string;
  secrets?: readonly string[];
  ssh?: readonly string[];
  buildContexts?: readonly string[];
  /** The transforms to rewrite with, after `--only` and `--skip`. */
  transforms: readonly Transform[];
  /** Also apply findings whose safety is `unsafe`. */
  unsafe: boolean;
  /** Build the original twice to learn which paths differ between builds anyway. */
  noise: boolean;
  client: DockerClient;
  onProgress?: (event: VerifyProgress) => void;
  /** Receives problems that do not stop the run, such as a failed cleanup. */
  onWarning?: (message: string) => void;
  /**
   * Stops the run between steps. An abort during a build stops after that
   * build, and the images built so far are removed.
   */
  signal?: AbortSignal;
  /** Leave the built images in the engine (tests inspect them); by default they are removed. */
  keepImages?: boolean;
}

/** A progress event while builds run, for stderr. */
export interface VerifyProgress {
  build: BuildLabel;
  phase: VerifyPhase;
  /** A BuildKit step line such as `[2/4] RUN apt-get update`, or a phase. */
  message: string;
}

/**
 * The work on one build: `build` starts it, `step` is a BuildKit step of
 * it, `save` writes its image to a tar file, `read` reads that file.
 */
export type VerifyPhase = "build" | "step" | "save" | "read";

export type BuildLabel = "original" | "original again" | "rewritten";

/** The size of one layer and the instruction that made it. */
export interface LayerSummary {
  instruction: string;
  /** Bytes of the layer's uncompressed tar stream. */
  size: number;
}

/** One build and the image it made. */
export interface BuildSummary {
  label: BuildLabel;
  built: boolean;
  /** Image tag while it exists; removed at the end unless `keepImages`. */
  tag: string;
  imageId: string | undefined;
  /** Sum of layer sizes, in bytes; `undefined` when the build failed. */
  size: number | undefined;
  /** Regular-file bytes that a later layer hides, or `undefined` when the build failed. */
  wastedBytes: number | undefined;
  layers: LayerSummary[];
  /** The last lines of the build log, for a failed build. */
  logTail: string;
  /** Wall-clock time of the build command alone, without save and read. */
  seconds: number;
}

/** A path that differs between the two final images. */
export interface PathDifference {
  path: string;
  change: "added" | "removed" | "changed";
  /** For `changed`: the attributes that differ (type, mode, uid, gid, linkTarget, sha256, size). */
  attributes: string[];
  /** The path in the original image, unless `added`. */
  before?: SnapshotEntry;
  /** The path in the rewritten image, unless `removed`. */
  after?: SnapshotEntry;
}

/** Cache paths that one applied transform removed on purpose. */
export interface RemovedCache {
  transform: string;
  /** Paths present in the original final image and absent in the rewritten one. */
  paths: string[];
  /** Regular-file bytes of those paths, or for `merge-runs` the hidden bytes it no longer stores. */
  bytes: number;
}

export type VerifyOutcome =
  /** The rewrite changes nothing, so nothing was built. */
  | "unchanged"
  /** Both built, and the images match apart from removed caches and noise. */
  | "identical"
  /** Both built, and the images differ beyond removed caches and noise. */
  | "differs"
  /** The rewritten Dockerfile failed to build. */
  | "rewritten-failed"
  /** The original failed to build, so nothing can be compared. */
  | "original-failed";

export interface VerifyReport {
  dockerfile: string;
  context: string;
  rewrite: { diff: string; findings: ReportedFinding[] };
  builds: BuildSummary[];
  noise: NoiseReport;
  differences: { paths: PathDifference[]; config: ConfigDifference[] };
  removedCaches: RemovedCache[];
  /** Original image size minus rewritten image size, and its share of the original. */
  saving: { bytes: number; share: number } | undefined;
  outcome: VerifyOutcome;
  /** Problems that did not stop the run, such as an image that could not be removed. */
  warnings: string[];
}

/** The paths and settings set aside because they differ between builds anyway. */
export interface NoiseReport {
  /**
   * `measured`: the paths and settings that differed between two builds of
   * the original. `default`: DEFAULT_NOISE_PATTERNS.
   */
  source: "measured" | "default";
  /** Globs for `default`, and exact paths for `measured`. */
  patterns: string[];
  /** Config fields that differed between the two original builds. */
  fields: ConfigField[];
  /** Paths that differ between original and rewritten and match `patterns`. */
  paths: string[];
}
