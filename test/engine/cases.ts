import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import type { DockerClient } from "../../src/docker/client.js";
import type { Transform } from "../../src/transform.js";
import { verifyRewrite } from "../../src/verify/index.js";
import type { BuildLabel, VerifyReport } from "../../src/verify/types.js";
import { transforms } from "../../transforms/index.js";
import { buildImage, dockerOk, removeTags } from "./docker.js";
import type { EngineCase } from "./fixtures.js";
import { Expect, formatSaving, megabytes, percent } from "./harness.js";
import {
  differingPaths,
  listImagePaths,
  readConfigFields,
} from "./image-listing.js";
import { sumLayerSizes } from "./layer-count.js";

/** One row of the results table. Sizes are in bytes. */
export interface CaseRow {
  name: string;
  outcome: string;
  originalSize: number | undefined;
  rewrittenSize: number | undefined;
  saving: { bytes: number; share: number } | undefined;
  seconds: number;
}

/** Paths listed in full before the output only counts the rest. */
const LISTED_PATHS = 8;

/**
 * Verifies the rewrite of one case in the engine and records what failed
 * in `expect`. Prints the sizes, the saving, the removed caches and the
 * noise paths, and returns the table row.
 */
export async function checkCase(
  engineCase: EngineCase,
  client: DockerClient,
  expect: Expect,
): Promise<CaseRow> {
  const started = performance.now();
  const report = await verifyRewrite({
    dockerfile: engineCase.dockerfile,
    context: engineCase.context,
    transforms,
    unsafe: engineCase.expected.unsafe,
    noise: true,
    client,
    keepImages: true,
  });
  const tags = report.builds.map((build) => build.tag);
  try {
    const row = await checkReport(engineCase, report, expect);
    row.seconds = (performance.now() - started) / 1000;
    printCase(report, row);
    return row;
  } finally {
    await removeTags(tags);
  }
}

async function checkReport(
  engineCase: EngineCase,
  report: VerifyReport,
  expect: Expect,
): Promise<CaseRow> {
  for (const warning of report.warnings) console.log(`  warning: ${warning}`);
  const row: CaseRow = {
    name: engineCase.name,
    outcome: report.outcome,
    originalSize: sizeOf(report, "original"),
    rewrittenSize: sizeOf(report, "rewritten"),
    saving: report.saving,
    seconds: 0,
  };

  if (!engineCase.expected.changes) {
    expect.equal(report.outcome, "unchanged", "outcome");
    expect.equal(report.rewrite.diff, "", "rewrite diff");
    // The rewrite left the file alone, so only the original is built, to
    // show that the case itself builds.
    if (report.outcome === "unchanged") {
      row.originalSize = await buildOriginalOnly(engineCase);
    }
    return row;
  }

  expect.ok(report.rewrite.diff !== "", "the rewrite must change the file");
  checkBuilds(report, expect);
  checkComparison(engineCase, report, expect);
  if (report.builds.length === 3 && report.builds.every((b) => b.built)) {
    await crossCheckImages(report, expect);
  }
  return row;
}

function checkBuilds(report: VerifyReport, expect: Expect): void {
  const labels = report.builds.map((build) => build.label);
  expect.equal(labels, ["original", "original again", "rewritten"], "builds");
  for (const build of report.builds) {
    expect.ok(
      build.built,
      `the ${build.label} build failed; its log ends with:\n${build.logTail}`,
    );
  }
}

function checkComparison(
  engineCase: EngineCase,
  report: VerifyReport,
  expect: Expect,
): void {
  const { paths, config } = report.differences;
  expect.equal(
    paths.map((difference) => `${difference.change} ${difference.path}`),
    [],
    "paths that differ beyond noise and removed caches",
  );
  expect.equal(
    config.map((difference) => difference.field),
    [],
    "config fields that differ",
  );
  expect.equal(report.outcome, "identical", "outcome");

  const share = report.saving?.share;
  if (expect.ok(share !== undefined, "verify reports no saving")) {
    expect.atLeast(share!, engineCase.expected.minSavingShare, "saving share");
  }
}

/**
 * Lists the three images from inside containers and checks the report
 * against that listing. Every path that differs between original and
 * rewritten must also differ between the two original builds, or lie
 * under a path that an applied transform removes on purpose. Config
 * fields get the same check.
 */
async function crossCheckImages(
  report: VerifyReport,
  expect: Expect,
): Promise<void> {
  const tag = (label: BuildLabel) =>
    report.builds.find((build) => build.label === label)!.tag;
  const [original, again, rewritten] = await Promise.all(
    (["original", "original again", "rewritten"] as const).map((label) =>
      listImagePaths(tag(label)),
    ),
  );
  const noise = new Set(differingPaths(original!, again!));
  const isRemovable = removablePathTest(report);
  const changed = differingPaths(original!, rewritten!);

  const unexplained = changed.filter(
    (path) => !noise.has(path) && !isRemovable(path),
  );
  expect.equal(unexplained, [], "container listing: unexplained differences");

  // The report writes image paths with a leading `/`, the listing without.
  const reported = new Set(
    [
      ...report.differences.paths.map((difference) => difference.path),
      ...report.noise.paths,
      ...report.removedCaches.flatMap((cache) => cache.paths),
    ].map((path) => path.replace(/^\/+/, "")),
  );
  const missed = changed.filter((path) => !reported.has(path));
  expect.equal(
    missed,
    [],
    "container listing: differences missing from the verify report",
  );

  const configs = await Promise.all(
    (["original", "original again", "rewritten"] as const).map((label) =>
      readConfigFields(tag(label)),
    ),
  );
  for (const [field, value] of Object.entries(configs[0]!)) {
    if (JSON.stringify(value) !== JSON.stringify(configs[1]![field])) continue;
    expect.equal(configs[2]![field], value, `container config ${field}`);
  }
}

/** Returns a test for paths under the `removesPaths` of applied transforms. */
function removablePathTest(report: VerifyReport): (path: string) => boolean {
  const applied = new Set(
    report.rewrite.findings.filter((f) => f.applied).map((f) => f.transform),
  );
  const patterns = transforms
    .filter((transform: Transform) => applied.has(transform.id))
    .flatMap((transform) => transform.removesPaths ?? [])
    .map(globToRegExp);
  return (path) => patterns.some((pattern) => pattern.test(path));
}

/**
 * Converts a `removesPaths` glob to a regular expression: `**` matches any
 * path below, `*` any part of one name.
 */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split("/**")
    .map((part) =>
      part.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"),
    )
    .join("(?:/.*)?");
  return new RegExp(`^${source}$`);
}

/**
 * Builds the original once and returns its size as verify counts it, the
 * sum of the uncompressed layer tars, so the table compares like with like.
 */
async function buildOriginalOnly(engineCase: EngineCase): Promise<number> {
  const tag = `layerfix-engine-test:${randomBytes(6).toString("hex")}`;
  const folder = await mkdtemp(join(tmpdir(), "layerfix-engine-"));
  try {
    await buildImage(engineCase.dockerfile, engineCase.context, tag);
    const archive = join(folder, "image.tar");
    await dockerOk(["image", "save", "--output", archive, tag]);
    return await sumLayerSizes(archive);
  } finally {
    await removeTags([tag]);
    await rm(folder, { recursive: true, force: true });
  }
}

function sizeOf(report: VerifyReport, label: BuildLabel): number | undefined {
  return report.builds.find((build) => build.label === label)?.size;
}

function printCase(report: VerifyReport, row: CaseRow): void {
  const size = (bytes: number | undefined) =>
    bytes === undefined ? "-" : megabytes(bytes);
  const saving = row.saving
    ? `saving ${formatSaving(row.saving.bytes)} (${percent(row.saving.share)})`
    : "no saving measured";
  console.log(
    `  ${row.outcome}: original ${size(row.originalSize)}, ` +
      `rewritten ${size(row.rewrittenSize)}, ${saving}, ` +
      `${row.seconds.toFixed(1)} s`,
  );
  for (const build of report.builds) {
    console.log(`  ${build.label} build: ${build.seconds.toFixed(1)} s`);
  }
  for (const cache of report.removedCaches) {
    console.log(
      `  removed cache: ${cache.transform} ${formatSaving(cache.bytes)}, ` +
        `${cache.paths.length} paths`,
    );
  }
  console.log(`  noise: ${listPaths(report.noise.paths)}`);
}

function listPaths(paths: readonly string[]): string {
  if (paths.length === 0) return "none";
  const listed = paths.slice(0, LISTED_PATHS).join(", ");
  const rest = paths.length - LISTED_PATHS;
  return rest > 0 ? `${listed} and ${rest} more` : listed;
}
