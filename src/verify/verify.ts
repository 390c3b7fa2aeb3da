import { readFile } from "node:fs/promises";

import { createFolderContext } from "../context/folder.js";
import { removeImages } from "../docker/client.js";
import { runTransforms, type RunResult } from "../run.js";
import { createTagger, runBuild } from "./builds.js";
import {
  compareImages,
  findBuildNoise,
  type AppliedTransform,
  type ComparedImage,
} from "./compare.js";
import { defaultNoise, measuredNoise, type NoiseRule } from "./noise.js";
import type {
  BuildLabel,
  VerifyOptions,
  VerifyOutcome,
  VerifyReport,
} from "./types.js";
import { createWorkspace, type Workspace } from "./workspace.js";

/**
 * Rewrites the Dockerfile in memory, builds the original and the rewritten
 * file with `--no-cache`, and compares the two images path by path and
 * setting by setting. With `noise`, it builds the original twice and sets
 * aside what differs between those two builds, else DEFAULT_NOISE_PATTERNS.
 *
 * It never pushes, pulls only what the builds pull, and removes the images
 * and temporary files it made, also when it throws, unless `keepImages`.
 * Rejects with DockerError subclasses when the client cannot run, with
 * ParseError or BuildContextError for input the rewrite rejects, with
 * ImageReadError for a saved image it cannot read, and with the signal's
 * reason when `signal` aborts.
 */
export async function verifyRewrite(
  options: VerifyOptions,
): Promise<VerifyReport> {
  const text = await readFile(options.dockerfile, "utf8");
  const rewrite = await rewriteText(text, options);
  const report = createReport(options, rewrite);
  if (rewrite.output === text) return report;

  const workspace = await createWorkspace(options.dockerfile, rewrite.output);
  const tags: string[] = [];
  try {
    return await buildAndCompare(options, workspace, tags, report, rewrite);
  } finally {
    await cleanUp(options, workspace, tags, report);
  }
}

function rewriteText(text: string, options: VerifyOptions): Promise<RunResult> {
  const context = createFolderContext(options.context, {
    dockerfile: options.dockerfile,
  });
  return runTransforms(text, {
    transforms: options.transforms,
    unsafe: options.unsafe,
    context,
    path: options.dockerfile,
  });
}

/** Returns the report of a run that has built nothing yet. */
function createReport(
  options: VerifyOptions,
  rewrite: RunResult,
): VerifyReport {
  const noise = options.noise ? measuredNoise([], []) : defaultNoise();
  return {
    dockerfile: options.dockerfile,
    context: options.context,
    rewrite: { diff: rewrite.diff, findings: rewrite.findings },
    builds: [],
    noise: toNoiseReport(noise, []),
    differences: { paths: [], config: [] },
    removedCaches: [],
    saving: undefined,
    outcome: "unchanged",
    warnings: [],
  };
}

async function buildAndCompare(
  options: VerifyOptions,
  workspace: Workspace,
  tags: string[],
  report: VerifyReport,
  rewrite: RunResult,
): Promise<VerifyReport> {
  const tagOf = createTagger();
  const runLabeled = async (label: BuildLabel, dockerfile: string) => {
    options.signal?.throwIfAborted();
    const tag = tagOf(label);
    tags.push(tag);
    const outcome = await runBuild(options, workspace, label, dockerfile, tag);
    options.signal?.throwIfAborted();
    report.builds.push(outcome.summary);
    return outcome;
  };

  const original = await runLabeled("original", options.dockerfile);
  if (original.image === undefined) return finish(report, "original-failed");
  let noise: NoiseRule = defaultNoise();
  if (options.noise) {
    const again = await runLabeled("original again", options.dockerfile);
    if (again.image === undefined) return finish(report, "original-failed");
    const measured = findBuildNoise(original.image, again.image);
    noise = measuredNoise(measured.paths, measured.fields);
  }
  report.noise = toNoiseReport(noise, []);

  const rewritten = await runLabeled("rewritten", workspace.dockerfile);
  if (rewritten.image === undefined) {
    return finish(report, "rewritten-failed");
  }
  const applied = appliedTransforms(options, rewrite);
  return compareBuilds(report, original.image, rewritten.image, noise, applied);
}

function compareBuilds(
  report: VerifyReport,
  original: ComparedImage,
  rewritten: ComparedImage,
  noise: NoiseRule,
  applied: readonly AppliedTransform[],
): VerifyReport {
  const comparison = compareImages(original, rewritten, noise, applied);
  report.noise = toNoiseReport(noise, comparison.noisePaths);
  report.differences = comparison.differences;
  report.removedCaches = comparison.removedCaches;
  report.saving = computeSaving(report);
  const { paths, config } = comparison.differences;
  const matches = paths.length === 0 && config.length === 0;
  return finish(report, matches ? "identical" : "differs");
}

function finish(report: VerifyReport, outcome: VerifyOutcome): VerifyReport {
  report.outcome = outcome;
  return report;
}

/** Returns the transforms with at least one applied finding, in run order. */
function appliedTransforms(
  options: VerifyOptions,
  rewrite: RunResult,
): AppliedTransform[] {
  const ids = new Set(
    rewrite.findings.filter((f) => f.applied).map((f) => f.transform),
  );
  return options.transforms.filter((transform) => ids.has(transform.id));
}

function computeSaving(report: VerifyReport): VerifyReport["saving"] {
  const size = (label: BuildLabel) =>
    report.builds.find((build) => build.label === label)?.size;
  const original = size("original");
  const rewritten = size("rewritten");
  if (original === undefined || rewritten === undefined) return undefined;
  const bytes = original - rewritten;
  return { bytes, share: original === 0 ? 0 : bytes / original };
}

function toNoiseReport(
  noise: NoiseRule,
  paths: readonly string[],
): VerifyReport["noise"] {
  return {
    source: noise.source,
    patterns: [...noise.patterns],
    fields: [...noise.fields],
    paths: [...paths],
  };
}

/**
 * Removes the tagged images unless `keepImages`, then the workspace. A
 * failure here becomes a warning, so it cannot hide the run's own error.
 */
async function cleanUp(
  options: VerifyOptions,
  workspace: Workspace,
  tags: readonly string[],
  report: VerifyReport,
): Promise<void> {
  const warn = (message: string) => {
    report.warnings.push(message);
    options.onWarning?.(message);
  };
  if (!options.keepImages) {
    try {
      await removeImages(options.client, tags);
    } catch (error) {
      warn(
        `cannot remove the images ${tags.join(", ")}: ${describe(error)}. ` +
          "Remove them with `docker image rm`.",
      );
    }
  }
  try {
    await workspace.remove();
  } catch (error) {
    warn(
      `cannot delete the temporary folder ${workspace.folder}: ` +
        `${describe(error)}. Delete it by hand.`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
