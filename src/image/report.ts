import type { Compression } from "./decompress.js";
import { SIZE_UNITS_NOTE, formatBytes, formatShare } from "./format.js";
import type { Image, ImageLayer } from "./image.js";
import type { LayoutKind } from "./image-source.js";
import { formatPlatform } from "./platform.js";
import {
  summarizeWaste,
  type HiddenByLayer,
  type LayerWaste,
  type WastedFile,
} from "./waste.js";

/** One layer in the `layerfix inspect` output. Sizes are in bytes. */
export interface LayerReport {
  /** From 0 for the base layer. */
  index: number;
  /** The Dockerfile instruction, like `RUN apt-get update`, if known. */
  instruction?: string;
  /** `created_by` as the builder stored it. */
  createdBy?: string;
  /** The history comment, like `Imported from -` for `docker import`. */
  comment?: string;
  created?: string;
  digest?: string;
  diffId?: string;
  compression: Compression;
  /** Bytes of the blob in the archive. */
  storedSize: number;
  /** Bytes of the uncompressed tar stream. */
  size: number;
  /** Regular-file bytes stored in the layer. */
  fileBytes: number;
  /** Regular-file bytes of this layer that a later layer hides. */
  wastedBytes: number;
  wastedFiles: number;
  largestWasted: WastedFile[];
  hiddenBy: HiddenByLayer[];
}

/** The data behind `layerfix inspect`, also printed by `--json`. */
export interface InspectReport {
  path: string;
  layout: LayoutKind;
  references: string[];
  /** Like `linux/arm64/v8`. */
  platform?: string;
  /** Sum of the layer sizes: uncompressed tar stream bytes. */
  imageSize: number;
  storedFileBytes: number;
  visibleFileBytes: number;
  wastedBytes: number;
  wastedFiles: number;
  /** `wastedBytes / imageSize`, or 0 for an empty image. */
  wastedShare: number;
  /** `visibleFileBytes / storedFileBytes`, as WasteSummary defines it. */
  efficiency: number;
  /** False when history and layers disagree, so instructions are unknown. */
  historyMatched: boolean;
  layers: LayerReport[];
}

export interface InspectReportOptions {
  /** Count of each layer's largest wasted files to list (default 5). */
  largestCount?: number;
}

/** Builds the inspect data: per-layer sizes and waste, and the totals. */
export function buildInspectReport(
  image: Image,
  options: InspectReportOptions = {},
): InspectReport {
  const waste = summarizeWaste(
    image.filesystem.storedFiles,
    image.layers.length,
    options.largestCount ?? 5,
  );
  const layers = image.layers.map((layer, index) =>
    toLayerReport(layer, waste.layers[index]),
  );
  const imageSize = layers.reduce((total, layer) => total + layer.size, 0);
  return {
    path: image.path,
    layout: image.layout,
    references: image.references,
    platform: image.platform && formatPlatform(image.platform),
    imageSize,
    storedFileBytes: waste.storedFileBytes,
    visibleFileBytes: waste.visibleFileBytes,
    wastedBytes: waste.wastedBytes,
    wastedFiles: waste.wastedFiles,
    wastedShare: imageSize === 0 ? 0 : waste.wastedBytes / imageSize,
    efficiency: waste.efficiency,
    historyMatched: image.historyMatched,
    layers,
  };
}

function toLayerReport(
  layer: ImageLayer,
  waste: LayerWaste | undefined,
): LayerReport {
  return {
    index: layer.index,
    instruction: layer.step?.instruction,
    createdBy: layer.step?.createdBy,
    comment: layer.step?.comment,
    created: layer.step?.created,
    digest: layer.digest,
    diffId: layer.diffId,
    compression: layer.compression,
    storedSize: layer.storedSize,
    size: layer.size,
    fileBytes: waste?.fileBytes ?? 0,
    wastedBytes: waste?.wastedBytes ?? 0,
    wastedFiles: waste?.wastedFiles ?? 0,
    largestWasted: waste?.largestWasted ?? [],
    hiddenBy: waste?.hiddenBy ?? [],
  };
}

/** Width of the text table, in characters. */
const TABLE_WIDTH = 100;
const NUMBER_COLUMNS = "LAYER      SIZE    WASTED  ";

/**
 * Renders the report as text: a header, a table with one row per layer and
 * its largest wasted files below it, and the totals.
 */
export function renderInspectReport(report: InspectReport): string {
  const lines = [
    ...renderHeader(report),
    "",
    `${NUMBER_COLUMNS}INSTRUCTION`,
    ...report.layers.flatMap(renderLayer),
    "",
    ...renderTotals(report),
  ];
  return `${lines.join("\n")}\n`;
}

function renderHeader(report: InspectReport): string[] {
  const layout = report.layout === "oci" ? "OCI layout" : "legacy layout";
  const lines = [`Image       ${report.path} (${layout})`];
  if (report.references.length > 0) {
    lines.push(`Reference   ${report.references.join(", ")}`);
  }
  if (report.platform !== undefined) {
    lines.push(`Platform    ${report.platform}`);
  }
  lines.push(SIZE_UNITS_NOTE, "Layers are numbered from 0, the base layer.");
  if (!report.historyMatched) {
    lines.push(
      "The config history does not match the layers one to one, " +
        "so layer instructions are unknown.",
    );
  }
  return lines;
}

function renderLayer(layer: LayerReport): string[] {
  const instruction = truncate(
    oneLine(describeStep(layer)),
    TABLE_WIDTH - NUMBER_COLUMNS.length,
  );
  const row =
    String(layer.index).padStart(5) +
    formatBytes(layer.size).padStart(10) +
    formatBytes(layer.wastedBytes).padStart(10) +
    `  ${instruction}`;
  const indent = " ".repeat(NUMBER_COLUMNS.length);
  const files = layer.largestWasted.map(
    (file) =>
      `${indent}${formatBytes(file.size).padStart(9)}  ${file.path} ` +
      `(${file.hiddenBy.reason} in layer ${file.hiddenBy.layer})`,
  );
  const unlisted = layer.wastedFiles - layer.largestWasted.length;
  if (unlisted > 0) {
    files.push(`${indent}and ${plural(unlisted, "smaller wasted file")}`);
  }
  return [row, ...files];
}

/** Returns the instruction, or else the history comment in brackets. */
function describeStep(layer: LayerReport): string {
  if (layer.instruction !== undefined) return layer.instruction;
  return layer.comment === undefined ? "(unknown)" : `(${layer.comment})`;
}

function renderTotals(report: InspectReport): string[] {
  const bytes = (value: number) => value.toLocaleString("en-US");
  return [
    `Image size  ${formatBytes(report.imageSize)} ` +
      `(${bytes(report.imageSize)} bytes of uncompressed layer tar streams)`,
    `Wasted      ${formatBytes(report.wastedBytes)} ` +
      `(${bytes(report.wastedBytes)} bytes) in ${plural(report.wastedFiles, "file")}, ` +
      `${formatShare(report.wastedShare)} of the image size`,
    `Efficiency  ${formatShare(report.efficiency)} of the file bytes ` +
      "stored in layers are visible in the final image",
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
