import { describe, expect, it } from "vitest";

import type { ReportedFinding } from "../src/run.js";
import {
  MAX_LISTED_DIFFERENCES,
  VERIFY_JSON_FORMAT,
  formatProgress,
  renderVerifyReport,
  verifyReportJson,
  type BuildSummary,
  type PathDifference,
  type VerifyReport,
} from "../src/verify/index.js";

const finding: ReportedFinding = {
  transform: "merge-runs",
  title: "Fold `apt-get update` and cleanup RUNs into the install they serve",
  safety: "safe",
  message: "`RUN apt-get update` runs in its own layer",
  safetyNote: undefined,
  applied: true,
  line: 2,
  column: 1,
  endLine: 2,
  endColumn: 19,
};

function buildSummary(overrides: Partial<BuildSummary>): BuildSummary {
  return {
    label: "original",
    built: true,
    tag: "layerfix-verify:abc-original",
    imageId: "sha256:1111",
    size: 142_600_000,
    wastedBytes: 19_900_000,
    layers: [
      { instruction: "(Imported from -)", size: 121_500_000 },
      { instruction: "RUN apt-get update", size: 19_900_000 },
      { instruction: "RUN apt-get install -y hello", size: 1_200_000 },
    ],
    logTail: "",
    seconds: 2.94,
    ...overrides,
  };
}

function fabricatedReport(overrides: Partial<VerifyReport> = {}): VerifyReport {
  return {
    dockerfile: "app/Dockerfile",
    context: "/work/app",
    rewrite: { diff: "--- a\n+++ b\n", findings: [finding, finding] },
    builds: [
      buildSummary({}),
      buildSummary({
        label: "rewritten",
        tag: "layerfix-verify:abc-rewritten",
        size: 122_700_000,
        wastedBytes: 0,
        layers: [
          { instruction: "(Imported from -)", size: 121_500_000 },
          {
            instruction: "RUN apt-get update && \\\n  apt-get install -y hello",
            size: 1_200_000,
          },
        ],
        seconds: 2.5,
      }),
    ],
    noise: {
      source: "default",
      patterns: ["var/log/**"],
      fields: [],
      paths: ["/var/log/dpkg.log"],
    },
    differences: { paths: [], config: [] },
    removedCaches: [
      {
        transform: "apt-lists-cleanup",
        paths: ["/var/lib/apt/lists/a", "/var/lib/apt/lists/b"],
        bytes: 42_700_000,
      },
      { transform: "merge-runs", paths: [], bytes: 19_900_000 },
    ],
    saving: { bytes: 19_900_000, share: 0.1395 },
    outcome: "identical",
    warnings: [],
    ...overrides,
  };
}

describe("renderVerifyReport", () => {
  it("renders outcome, saving and builds", () => {
    const text = renderVerifyReport(fabricatedReport());

    expect(text).toContain("Result          identical:");
    expect(text).toContain("Rewrite         2 changes (merge-runs 2)");
    expect(text).toContain(
      "Saving          19.9 MB (14.0% of the original image)",
    );
    expect(text).toMatch(/^original\s+yes\s+142\.6 MB\s+3\s+2\.9 s/m);
    expect(text).toMatch(/^rewritten\s+yes\s+122\.7 MB\s+2\s+2\.5 s/m);
  });

  it("lists each layer with its instruction", () => {
    const text = renderVerifyReport(fabricatedReport());

    expect(text).toContain("Layers of original (from 0, the base layer)");
    expect(text).toMatch(/^\s+1\s+19\.9 MB\s+RUN apt-get update$/m);
    expect(text).toContain("RUN apt-get update && \\ apt-get install -y hello");
  });

  it("lists noise and removed caches", () => {
    const text = renderVerifyReport(fabricatedReport());

    expect(text).toContain("Differences     none");
    expect(text).toContain("1 differing path set aside");
    expect(text).toMatch(/^\s+\/var\/log\/dpkg\.log$/m);
    expect(text).toContain(
      "Removed caches  apt-lists-cleanup: 42.7 MB in 2 paths",
    );
    expect(text).toContain("merge-runs: 19.9 MB of hidden file bytes");
  });

  it("describes each kind of difference", () => {
    const entry = {
      type: "file" as const,
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: 6,
    };
    const paths: PathDifference[] = [
      {
        path: "/usr/bin/hello",
        change: "changed",
        attributes: ["mode", "uid", "sha256"],
        before: { path: "/usr/bin/hello", ...entry },
        after: { path: "/usr/bin/hello", ...entry, mode: 0o644, uid: 1000 },
      },
      {
        path: "/tmp/extra",
        change: "added",
        attributes: [],
        after: { path: "/tmp/extra", ...entry, size: 2000 },
      },
      {
        path: "/etc/motd",
        change: "removed",
        attributes: [],
        before: { path: "/etc/motd", ...entry },
      },
    ];
    const config = [{ field: "Cmd" as const, before: ["hello"], after: [] }];
    const text = renderVerifyReport(
      fabricatedReport({
        outcome: "differs",
        differences: { paths, config },
      }),
    );

    expect(text).toContain("Differences     3 paths and 1 config field");
    expect(text).toContain(
      "changed  /usr/bin/hello: mode 0755 -> 0644, uid 0 -> 1000, content",
    );
    expect(text).toContain("added    /tmp/extra (file, 2.0 kB)");
    expect(text).toContain("removed  /etc/motd (file, 6 B)");
    expect(text).toContain('config   Cmd: ["hello"] -> []');
  });

  it("caps long difference lists", () => {
    const paths: PathDifference[] = Array.from({ length: 60 }, (_, i) => ({
      path: `/data/${i}`,
      change: "added",
      attributes: [],
    }));
    const text = renderVerifyReport(
      fabricatedReport({
        outcome: "differs",
        differences: { paths, config: [] },
      }),
    );

    expect(text).toContain(
      `and ${60 - MAX_LISTED_DIFFERENCES} more (see --json)`,
    );
  });

  it("shows a failed build without layers", () => {
    const text = renderVerifyReport(
      fabricatedReport({
        outcome: "original-failed",
        builds: [buildSummary({ built: false, size: undefined, layers: [] })],
        saving: undefined,
      }),
    );

    expect(text).toContain("Result          original-failed:");
    expect(text).toMatch(/^original\s+no\s+-\s+-/m);
    expect(text).toContain("Layers of original: none, the build failed");
    expect(text).not.toContain("Differences");
    expect(text).not.toContain("Saving");
  });

  it("says when nothing was rewritten", () => {
    const text = renderVerifyReport(
      fabricatedReport({
        outcome: "unchanged",
        builds: [],
        rewrite: { diff: "", findings: [] },
        saving: undefined,
      }),
    );

    expect(text).toContain("Rewrite         no changes");
    expect(text).toContain("nothing to rewrite, so nothing was built");
    expect(text).not.toContain("BUILD");
  });

  it("counts withheld unsafe changes", () => {
    const withheld = { ...finding, safety: "unsafe" as const, applied: false };
    const text = renderVerifyReport(
      fabricatedReport({
        outcome: "unchanged",
        builds: [],
        rewrite: { diff: "", findings: [withheld] },
        saving: undefined,
      }),
    );

    expect(text).toContain(
      "Rewrite         no changes; 1 unsafe change withheld",
    );
  });
});

describe("verifyReportJson", () => {
  it("writes format, tool and null for absent values", () => {
    const report = fabricatedReport({ saving: undefined });
    report.builds[0]!.imageId = undefined;
    const document = JSON.parse(verifyReportJson(report, "1.2.3"));

    expect(document.format).toBe(VERIFY_JSON_FORMAT);
    expect(document.tool).toEqual({ name: "layerfix", version: "1.2.3" });
    expect(document.outcome).toBe("identical");
    expect(document.saving).toBeNull();
    expect(document.builds[0].imageId).toBeNull();
    expect(document.rewrite.findings[0].safetyNote).toBeNull();
    expect(document.removedCaches).toHaveLength(2);
    expect(Object.keys(document)).toEqual([
      "format",
      "tool",
      "outcome",
      "dockerfile",
      "context",
      "rewrite",
      "builds",
      "noise",
      "differences",
      "removedCaches",
      "saving",
      "warnings",
    ]);
  });
});

describe("formatProgress", () => {
  it.each([
    [{ phase: "build", message: "" }, "building original"],
    [
      { phase: "step", message: "[2/4] RUN apt-get update" },
      "building original: [2/4] RUN apt-get update",
    ],
    [{ phase: "save", message: "" }, "saving original image"],
    [{ phase: "read", message: "" }, "reading original image"],
  ] as const)("formats %o", (event, expected) => {
    expect(formatProgress({ build: "original", ...event })).toBe(expected);
  });
});
