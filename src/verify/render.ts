import {
  SIZE_UNITS_NOTE,
  formatBytes,
  formatShare,
  type ConfigDifference,
  type SnapshotEntry,
} from "../image/index.js";
import type {
  BuildSummary,
  PathDifference,
  RemovedCache,
  VerifyOutcome,
  VerifyProgress,
  VerifyReport,
} from "./types.js";

/**
 * Version of the `layerfix verify --json` shape. It changes only when a
 * field changes meaning or goes away.
 */
export const VERIFY_JSON_FORMAT = 1;

/** Paths and settings listed in the text report before it refers to `--json`. */
export const MAX_LISTED_DIFFERENCES = 50;

const OUTCOME_TEXT: Record<VerifyOutcome, string> = {
  unchanged: "nothing to rewrite, so nothing was built",
  identical:
    "the images match apart from removed caches and noise, " +
    "so the rewrite is safe for this build",
  differs: "the images differ, see Differences",
  "rewritten-failed": "the rewritten Dockerfile does not build",
  "original-failed":
    "the original Dockerfile does not build, so nothing was compared",
};

/** Formats a progress event as one stderr line, without a line end. */
export function formatProgress(event: VerifyProgress): string {
  switch (event.phase) {
    case "build":
      return `building ${event.build}`;
    case "step":
      return `building ${event.build}: ${event.message}`;
    case "save":
      return `saving ${event.build} image`;
    case "read":
      return `reading ${event.build} image`;
  }
}

/**
 * Renders the report as text: outcome and saving, a table of the builds,
 * each build's layers, the differences, the noise and the removed caches.
 */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = [
    `Dockerfile      ${report.dockerfile}`,
    `Context         ${report.context}`,
    `Rewrite         ${describeRewrite(report)}`,
    `Result          ${report.outcome}: ${OUTCOME_TEXT[report.outcome]}`,
  ];
  if (report.saving !== undefined) {
    lines.push(
      `Saving          ${formatBytes(report.saving.bytes)} ` +
        `(${formatShare(report.saving.share)} of the original image)`,
    );
  }
  if (report.builds.length > 0) {
    lines.push("", SIZE_UNITS_NOTE, "", ...renderBuildTable(report.builds));
    for (const build of report.builds) lines.push("", ...renderLayers(build));
  }
  if (report.outcome === "identical" || report.outcome === "differs") {
    lines.push("", ...renderDifferences(report));
    lines.push(...renderNoise(report), ...renderRemovedCaches(report));
  }
  return `${lines.join("\n")}\n`;
}

function describeRewrite(report: VerifyReport): string {
  const counts = new Map<string, number>();
  for (const finding of report.rewrite.findings) {
    if (!finding.applied) continue;
    counts.set(finding.transform, (counts.get(finding.transform) ?? 0) + 1);
  }
  const withheld = report.rewrite.findings.filter(
    (finding) => !finding.applied && finding.safety === "unsafe",
  ).length;
  const withheldText =
    withheld === 0 ? "" : `; ${plural(withheld, "unsafe change")} withheld`;
  if (counts.size === 0) return `no changes${withheldText}`;
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const byTransform = [...counts]
    .map(([id, count]) => `${id} ${count}`)
    .join(", ");
  return `${plural(total, "change")} (${byTransform})${withheldText}`;
}

function renderBuildTable(builds: readonly BuildSummary[]): string[] {
  const rows = builds.map(
    (build) =>
      build.label.padEnd(16) +
      (build.built ? "yes" : "no").padEnd(7) +
      (build.size === undefined ? "-" : formatBytes(build.size)).padStart(10) +
      String(build.built ? build.layers.length : "-").padStart(8) +
      `${build.seconds.toFixed(1)} s`.padStart(12) +
      "  " +
      build.tag,
  );
  return [
    "BUILD           BUILT        SIZE  LAYERS  BUILD TIME  TAG",
    ...rows,
  ];
}

function renderLayers(build: BuildSummary): string[] {
  if (!build.built) return [`Layers of ${build.label}: none, the build failed`];
  const rows = build.layers.map(
    (layer, index) =>
      String(index).padStart(5) +
      formatBytes(layer.size).padStart(11) +
      `  ${truncate(layer.instruction.replace(/\s+/g, " "), 80)}`,
  );
  return [`Layers of ${build.label} (from 0, the base layer)`, ...rows];
}

function renderDifferences(report: VerifyReport): string[] {
  const { paths, config } = report.differences;
  if (paths.length === 0 && config.length === 0) {
    return ["Differences     none"];
  }
  const lines = [
    ...config.map(describeConfigDifference),
    ...paths.map(describePathDifference),
  ];
  const listed = lines.slice(0, MAX_LISTED_DIFFERENCES);
  if (lines.length > listed.length) {
    listed.push(`and ${lines.length - listed.length} more (see --json)`);
  }
  const count =
    plural(paths.length, "path") +
    ` and ${plural(config.length, "config field")}`;
  return [`Differences     ${count}`, ...indent(listed)];
}

function describePathDifference(difference: PathDifference): string {
  const { change, path, before, after } = difference;
  if (change === "added" && after !== undefined) {
    return `added    ${path} (${describeEntry(after)})`;
  }
  if (change === "removed" && before !== undefined) {
    return `removed  ${path} (${describeEntry(before)})`;
  }
  const details = difference.attributes.map((attribute) =>
    describeAttribute(attribute, before, after),
  );
  return `changed  ${path}: ${details.join(", ")}`;
}

function describeEntry(entry: SnapshotEntry): string {
  return entry.type === "file"
    ? `file, ${formatBytes(entry.size)}`
    : entry.type;
}

function describeAttribute(
  attribute: string,
  before: SnapshotEntry | undefined,
  after: SnapshotEntry | undefined,
): string {
  const show = (value: (entry: SnapshotEntry) => string) =>
    `${before === undefined ? "?" : value(before)} -> ` +
    (after === undefined ? "?" : value(after));
  switch (attribute) {
    case "type":
      return `type ${show((e) => e.type)}`;
    case "mode":
      return `mode ${show((e) => e.mode.toString(8).padStart(4, "0"))}`;
    case "uid":
      return `uid ${show((e) => String(e.uid))}`;
    case "gid":
      return `gid ${show((e) => String(e.gid))}`;
    case "size":
      return `size ${show((e) => formatBytes(e.size))}`;
    case "linkTarget":
      return `link target ${show((e) => e.linkTarget ?? "(none)")}`;
    case "sha256":
      return "content";
    case "xattrs":
      return "extended attributes";
    default:
      return attribute;
  }
}

function describeConfigDifference(difference: ConfigDifference): string {
  const keys =
    difference.keys === undefined ? "" : ` (${difference.keys.join(", ")})`;
  const before = truncate(JSON.stringify(difference.before), 60);
  const after = truncate(JSON.stringify(difference.after), 60);
  return `config   ${difference.field}${keys}: ${before} -> ${after}`;
}

function renderNoise(report: VerifyReport): string[] {
  const { noise } = report;
  const source =
    noise.source === "measured"
      ? `${plural(noise.patterns.length, "path")} and ` +
        `${plural(noise.fields.length, "config field")} differed ` +
        "between two builds of the original"
      : `default patterns ${noise.patterns.join(", ")}`;
  const lines = [
    `Noise           ${plural(noise.paths.length, "differing path")} ` +
      `set aside; ${source}`,
  ];
  const listed = noise.paths.slice(0, MAX_LISTED_DIFFERENCES);
  if (noise.paths.length > listed.length) {
    listed.push(`and ${noise.paths.length - listed.length} more (see --json)`);
  }
  return [...lines, ...indent(listed)];
}

function renderRemovedCaches(report: VerifyReport): string[] {
  if (report.removedCaches.length === 0) return ["Removed caches  none"];
  const [first, ...rest] = report.removedCaches.map(describeRemovedCache);
  return [`Removed caches  ${first}`, ...indent(rest)];
}

function describeRemovedCache(cache: RemovedCache): string {
  if (cache.paths.length === 0) {
    return (
      `${cache.transform}: ${formatBytes(cache.bytes)} ` +
      "of hidden file bytes no longer stored in lower layers"
    );
  }
  return (
    `${cache.transform}: ${formatBytes(cache.bytes)} ` +
    `in ${plural(cache.paths.length, "path")}`
  );
}

/**
 * Returns the `--json` document: `format` (VERIFY_JSON_FORMAT), `tool`
 * (`name` and `version`), then the VerifyReport fields: `outcome`,
 * `dockerfile`, `context`, `rewrite`, `builds`, `noise`, `differences`,
 * `removedCaches`, `saving` and `warnings`. Absent values are `null`.
 */
export function verifyReportJson(
  report: VerifyReport,
  version: string,
): string {
  const document = {
    format: VERIFY_JSON_FORMAT,
    tool: { name: "layerfix", version },
    outcome: report.outcome,
    dockerfile: report.dockerfile,
    context: report.context,
    rewrite: report.rewrite,
    builds: report.builds,
    noise: report.noise,
    differences: report.differences,
    removedCaches: report.removedCaches,
    saving: report.saving,
    warnings: report.warnings,
  };
  const nullForUndefined = (_key: string, value: unknown) =>
    value === undefined ? null : value;
  return `${JSON.stringify(document, nullForUndefined, 2)}\n`;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `                ${line}`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
