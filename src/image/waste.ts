import type { HideReason, StoredFile } from "./filesystem.js";

/** A stored file copy that no path in the final image points to. */
export interface WastedFile {
  path: string;
  size: number;
  /** Layer that stores the bytes. */
  layer: number;
  hiddenBy: { layer: number; reason: HideReason };
}

/** Wasted bytes of one layer that one later layer hid in one way. */
export interface HiddenByLayer {
  layer: number;
  reason: HideReason;
  bytes: number;
  files: number;
}

export interface LayerWaste {
  layer: number;
  /** Regular-file bytes stored in the layer. Hard links add nothing. */
  fileBytes: number;
  /** Regular-file bytes of the layer that a later layer deletes or overwrites. */
  wastedBytes: number;
  wastedFiles: number;
  /** The largest wasted copies, largest first. */
  largestWasted: WastedFile[];
  /** Wasted bytes grouped by the hiding layer and reason, in layer order. */
  hiddenBy: HiddenByLayer[];
}

export interface WasteSummary {
  layers: LayerWaste[];
  /** Regular-file bytes stored across all layers, each copy once. */
  storedFileBytes: number;
  /** Stored bytes that some path in the final image still points to. */
  visibleFileBytes: number;
  /** `storedFileBytes - visibleFileBytes`: every hidden copy, once each. */
  wastedBytes: number;
  wastedFiles: number;
  /**
   * `visibleFileBytes / storedFileBytes`, from 0 to 1, or 1 when no layer
   * stores file bytes. Only regular-file content counts: tar headers,
   * padding, directories and links are in neither number.
   */
  efficiency: number;
}

/**
 * Sums the stored, visible and wasted regular-file bytes per layer. A file
 * written in three layers wastes the first two copies, and the visible copy
 * is not waste. `largestCount` caps each layer's list of wasted files.
 */
export function summarizeWaste(
  storedFiles: readonly StoredFile[],
  layerCount: number,
  largestCount = 5,
): WasteSummary {
  const byLayer = Array.from({ length: layerCount }, (): StoredFile[] => []);
  for (const file of storedFiles) byLayer[file.layer]?.push(file);
  const layers = byLayer.map((stored, layer) =>
    summarizeLayer(stored, layer, largestCount),
  );
  const storedFileBytes = sum(layers.map((l) => l.fileBytes));
  const wastedBytes = sum(layers.map((l) => l.wastedBytes));
  const visibleFileBytes = storedFileBytes - wastedBytes;
  return {
    layers,
    storedFileBytes,
    visibleFileBytes,
    wastedBytes,
    wastedFiles: sum(layers.map((l) => l.wastedFiles)),
    efficiency: storedFileBytes === 0 ? 1 : visibleFileBytes / storedFileBytes,
  };
}

function summarizeLayer(
  stored: readonly StoredFile[],
  layer: number,
  largestCount: number,
): LayerWaste {
  const wasted = stored.flatMap(toWastedFile);
  const largest = [...wasted].sort(
    (a, b) => b.size - a.size || a.path.localeCompare(b.path),
  );
  return {
    layer,
    fileBytes: sum(stored.map((file) => file.size)),
    wastedBytes: sum(wasted.map((file) => file.size)),
    wastedFiles: wasted.length,
    largestWasted: largest.slice(0, largestCount),
    hiddenBy: groupByHidingLayer(wasted),
  };
}

function toWastedFile(file: StoredFile): WastedFile[] {
  const { hiddenBy } = file;
  if (hiddenBy === undefined) return [];
  return [{ path: file.path, size: file.size, layer: file.layer, hiddenBy }];
}

function groupByHidingLayer(wasted: readonly WastedFile[]): HiddenByLayer[] {
  const groups = new Map<string, HiddenByLayer>();
  for (const { hiddenBy, size } of wasted) {
    const key = `${hiddenBy.layer}:${hiddenBy.reason}`;
    const group = groups.get(key) ?? { ...hiddenBy, bytes: 0, files: 0 };
    group.bytes += size;
    group.files += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) => a.layer - b.layer || a.reason.localeCompare(b.reason),
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
