// Entry points of `layerfix verify`, for the CLI and for engine tests. The
// other modules in this folder are internal.
export { verifyRewrite } from "./verify.js";
export { connectDocker, EngineUnavailableError } from "./engine.js";
export {
  DEFAULT_NOISE_PATTERNS,
  defaultNoise,
  measuredNoise,
  type NoiseRule,
} from "./noise.js";
export { parseBuildStep, type BuildStep } from "./progress.js";
export {
  compareImages,
  findBuildNoise,
  type AppliedTransform,
  type ComparedImage,
  type ImageComparison,
} from "./compare.js";
export {
  MAX_LISTED_DIFFERENCES,
  VERIFY_JSON_FORMAT,
  formatProgress,
  renderVerifyReport,
  verifyReportJson,
} from "./render.js";
export { LOG_TAIL_LINES } from "./builds.js";
export type * from "./types.js";
