// Public entry points of the image layer model behind `layerfix inspect`
// and `layerfix verify`. The other modules in this folder are internal.
export {
  readImage,
  type Image,
  type ImageLayer,
  type ReadImageOptions,
} from "./image.js";
export type { Compression } from "./decompress.js";
export type { LayoutKind } from "./image-source.js";
export {
  CompressedDataError,
  ImageFormatError,
  ImageReadError,
  ImageSelectionError,
  LayerFormatError,
  MissingBlobError,
  OptionValueError,
  PlatformSyntaxError,
  TarFormatError,
} from "./errors.js";
export {
  formatPlatform,
  hostPlatform,
  parsePlatform,
  type Platform,
} from "./platform.js";
export {
  cleanCreatedBy,
  pairHistoryWithLayers,
  readHistory,
  type HistoryPairing,
  type HistoryStep,
} from "./history.js";
export type { FileType } from "./layer-changes.js";
export type { HideReason, StoredFile } from "./filesystem.js";
export {
  summarizeWaste,
  type HiddenByLayer,
  type LayerWaste,
  type WastedFile,
  type WasteSummary,
} from "./waste.js";
export {
  compareSnapshots,
  takeSnapshot,
  type ChangedPath,
  type CompareSnapshotsOptions,
  type FilesystemSnapshot,
  type SnapshotAttribute,
  type SnapshotComparison,
  type SnapshotEntry,
} from "./snapshot.js";
export { compileGlob } from "./glob.js";
export {
  COMPARED_CONFIG_FIELDS,
  compareImageConfigs,
  type ConfigDifference,
  type ConfigField,
} from "./config-diff.js";
export {
  buildInspectReport,
  renderInspectReport,
  type InspectReport,
  type InspectReportOptions,
  type LayerReport,
} from "./report.js";
export {
  evaluateThresholds,
  type ThresholdCheck,
  type ThresholdResult,
  type Thresholds,
} from "./thresholds.js";
export {
  SIZE_UNITS_NOTE,
  formatBytes,
  formatShare,
  parseByteSize,
  parseShare,
} from "./format.js";
export {
  mapWasteToDockerfile,
  type DockerfileInstruction,
  type LayerWasteMapping,
  type WasteFix,
  type WasteTransformId,
} from "./dockerfile-map.js";
export type { JsonObject, JsonValue } from "./json.js";
