import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";

import { build, saveImage } from "../docker/client.js";
import {
  buildInspectReport,
  readImage,
  takeSnapshot,
  type InspectReport,
} from "../image/index.js";
import type { ComparedImage } from "./compare.js";
import { createStepReader } from "./progress.js";
import type {
  BuildLabel,
  BuildSummary,
  LayerSummary,
  VerifyOptions,
} from "./types.js";
import type { Workspace } from "./workspace.js";

/** Lines of a failed build's log kept in BuildSummary.logTail. */
export const LOG_TAIL_LINES = 40;

/** A finished build: its summary, and the image facts when it built. */
export interface BuildOutcome {
  summary: BuildSummary;
  image: ComparedImage | undefined;
}

/** Tag suffix of each build, after `layerfix-verify:<random>-`. */
const TAG_SUFFIXES: Record<BuildLabel, string> = {
  original: "original",
  "original again": "original-again",
  rewritten: "rewritten",
};

/** Returns a tag function whose tags share one random run id. */
export function createTagger(): (label: BuildLabel) => string {
  const run = randomBytes(6).toString("hex");
  return (label) => `layerfix-verify:${run}-${TAG_SUFFIXES[label]}`;
}

/**
 * Builds `dockerfile` with `--no-cache`, then saves the image to the
 * workspace and reads it. A failed build returns its log tail and no image.
 */
export async function runBuild(
  options: VerifyOptions,
  workspace: Workspace,
  label: BuildLabel,
  dockerfile: string,
  tag: string,
): Promise<BuildOutcome> {
  const progress = options.onProgress;
  progress?.({ build: label, phase: "build", message: "" });
  const onStep = (message: string) =>
    progress?.({ build: label, phase: "step", message });
  const started = performance.now();
  const result = await build(options.client, {
    dockerfile,
    context: options.context,
    target: options.target,
    buildArgs: options.buildArgs,
    platform: options.platform,
    secrets: options.secrets,
    ssh: options.ssh,
    buildContexts: options.buildContexts,
    tag,
    noCache: true,
    onProgress: createStepReader(onStep),
  });
  const seconds = (performance.now() - started) / 1000;
  const summary: BuildSummary = {
    label,
    built: result.ok,
    tag,
    imageId: result.imageId,
    size: undefined,
    wastedBytes: undefined,
    layers: [],
    logTail: result.ok ? "" : tailLines(result.log, LOG_TAIL_LINES),
    seconds,
  };
  if (!result.ok) return { summary, image: undefined };

  const { report, image } = await saveAndRead(options, workspace, label, tag);
  summary.size = report.imageSize;
  summary.wastedBytes = report.wastedBytes;
  summary.layers = report.layers.map(toLayerSummary);
  return { summary, image };
}

/** Saves the image to a tar file, reads it, and deletes the file. */
async function saveAndRead(
  options: VerifyOptions,
  workspace: Workspace,
  label: BuildLabel,
  tag: string,
): Promise<{ report: InspectReport; image: ComparedImage }> {
  const archive = workspace.archivePath(TAG_SUFFIXES[label]);
  try {
    options.onProgress?.({ build: label, phase: "save", message: "" });
    await saveImage(options.client, tag, archive);
    options.onProgress?.({ build: label, phase: "read", message: "" });
    const image = await readImage(archive, { platform: options.platform });
    const report = buildInspectReport(image);
    const compared: ComparedImage = {
      snapshot: takeSnapshot(image.filesystem),
      config: image.config,
      wastedBytes: report.wastedBytes,
    };
    return { report, image: compared };
  } finally {
    await rm(archive, { force: true });
  }
}

function toLayerSummary(layer: InspectReport["layers"][number]): LayerSummary {
  const instruction =
    layer.instruction ??
    (layer.comment === undefined ? "(unknown)" : `(${layer.comment})`);
  return { instruction, size: layer.size };
}

/** Returns the last `count` lines of `text`, without trailing blank lines. */
export function tailLines(text: string, count: number): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-count).join("\n");
}
