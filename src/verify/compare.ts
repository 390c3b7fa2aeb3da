import {
  compareImageConfigs,
  compareSnapshots,
  compileGlob,
  type ConfigDifference,
  type FilesystemSnapshot,
  type JsonObject,
  type SnapshotComparison,
  type SnapshotEntry,
} from "../image/index.js";
import type { NoiseRule } from "./noise.js";
import type { PathDifference, RemovedCache } from "./types.js";

/** The facts of one built image that the comparison reads. */
export interface ComparedImage {
  snapshot: FilesystemSnapshot;
  /** The image config JSON, with its `config` object. */
  config: JsonObject;
  /** Regular-file bytes that a later layer hides, from buildInspectReport. */
  wastedBytes: number;
}

/** An applied transform, with the paths it removes on purpose. */
export interface AppliedTransform {
  id: string;
  removesPaths?: readonly string[];
}

/** The outcome of comparing the original image with the rewritten one. */
export interface ImageComparison {
  differences: { paths: PathDifference[]; config: ConfigDifference[] };
  /** Differing paths that the noise rule set aside, sorted. */
  noisePaths: string[];
  removedCaches: RemovedCache[];
}

/**
 * Transforms whose effect is bytes that no final path points to any more,
 * so their saving is the drop in wasted bytes. merge-runs folds a cleanup
 * RUN into the RUN that wrote the files, and the files never reach a layer.
 */
const HIDDEN_BYTES_TRANSFORMS = new Set(["merge-runs"]);

/**
 * Returns the paths and config fields that differ between two builds of
 * the same Dockerfile, the input of measuredNoise.
 */
export function findBuildNoise(
  first: ComparedImage,
  second: ComparedImage,
): { paths: string[]; fields: ConfigDifference["field"][] } {
  const comparison = compareSnapshots(first.snapshot, second.snapshot);
  const paths = listPaths(comparison).sort(compareText);
  const config = compareImageConfigs(first.config, second.config);
  return { paths, fields: config.map((difference) => difference.field) };
}

/**
 * Compares the rewritten image with the original. A path missing from the
 * rewritten image that an applied transform's `removesPaths` matches is a
 * removed cache, a differing path that `noise` matches is noise, and every
 * other differing path or config field is a difference.
 */
export function compareImages(
  original: ComparedImage,
  rewritten: ComparedImage,
  noise: NoiseRule,
  applied: readonly AppliedTransform[],
): ImageComparison {
  const comparison = compareSnapshots(original.snapshot, rewritten.snapshot);
  const removers = applied.map((transform) => ({
    id: transform.id,
    globs: (transform.removesPaths ?? []).map(compileGlob),
  }));
  const caches = new Map<string, SnapshotEntry[]>();
  const remaining: SnapshotEntry[] = [];
  for (const entry of comparison.removed) {
    const remover = removers.find(({ globs }) =>
      globs.some((glob) => glob.test(entry.path)),
    );
    if (remover === undefined) remaining.push(entry);
    else caches.set(remover.id, [...(caches.get(remover.id) ?? []), entry]);
  }

  const all = toDifferences({ ...comparison, removed: remaining });
  const paths = all.filter((difference) => !noise.matches(difference.path));
  const noisePaths = all
    .filter((difference) => noise.matches(difference.path))
    .map((difference) => difference.path);
  const config = compareImageConfigs(original.config, rewritten.config).filter(
    (difference) => !noise.fields.includes(difference.field),
  );
  return {
    differences: { paths, config },
    noisePaths,
    removedCaches: listRemovedCaches(caches, original, rewritten, applied),
  };
}

function toDifferences(comparison: SnapshotComparison): PathDifference[] {
  const differences: PathDifference[] = [
    ...comparison.added.map((after): PathDifference => ({
      path: after.path,
      change: "added",
      attributes: [],
      after,
    })),
    ...comparison.removed.map((before): PathDifference => ({
      path: before.path,
      change: "removed",
      attributes: [],
      before,
    })),
    ...comparison.changed.map(
      ({ path, attributes, before, after }): PathDifference => ({
        path,
        change: "changed",
        attributes: [...attributes],
        before,
        after,
      }),
    ),
  ];
  return differences.sort((a, b) => compareText(a.path, b.path));
}

function listRemovedCaches(
  caches: ReadonlyMap<string, readonly SnapshotEntry[]>,
  original: ComparedImage,
  rewritten: ComparedImage,
  applied: readonly AppliedTransform[],
): RemovedCache[] {
  const removed: RemovedCache[] = [];
  for (const { id } of applied) {
    const entries = caches.get(id);
    if (entries !== undefined) {
      removed.push({
        transform: id,
        paths: entries.map((entry) => entry.path),
        bytes: sumFileBytes(entries),
      });
    }
    if (HIDDEN_BYTES_TRANSFORMS.has(id)) {
      const bytes = original.wastedBytes - rewritten.wastedBytes;
      removed.push({ transform: id, paths: [], bytes });
    }
  }
  return removed.sort((a, b) => compareText(a.transform, b.transform));
}

// NOTE: a snapshot shows a hard link as the file it links to, so bytes
// shared by two removed paths count twice.
function sumFileBytes(entries: readonly SnapshotEntry[]): number {
  return entries
    .filter((entry) => entry.type === "file")
    .reduce((total, entry) => total + entry.size, 0);
}

function listPaths(comparison: SnapshotComparison): string[] {
  return [
    ...comparison.added.map((entry) => entry.path),
    ...comparison.removed.map((entry) => entry.path),
    ...comparison.changed.map((change) => change.path),
  ];
}

/** Orders strings by UTF-16 code units, the same on every locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
