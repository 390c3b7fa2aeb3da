import { describe, expect, it } from "vitest";

import { takeSnapshot, type JsonObject } from "../src/image/index.js";
import {
  DEFAULT_NOISE_PATTERNS,
  compareImages,
  defaultNoise,
  findBuildNoise,
  measuredNoise,
  parseBuildStep,
  type ComparedImage,
} from "../src/verify/index.js";
import { createStepReader } from "../src/verify/progress.js";
import { stackLayers } from "./helpers/image-stack.js";
import type { TarEntrySpec } from "./helpers/image-tar.js";

const base: TarEntrySpec[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/hostname", content: "box\n" },
  { name: "var/lib/apt/lists/", type: "directory" },
  { name: "var/log/", type: "directory" },
];

async function image(
  layers: TarEntrySpec[][],
  config: JsonObject = { Cmd: ["hello"] },
): Promise<ComparedImage> {
  const filesystem = await stackLayers(layers);
  const stored = filesystem.storedFiles;
  const wastedBytes = stored
    .filter((file) => file.hiddenBy !== undefined)
    .reduce((total, file) => total + file.size, 0);
  return {
    snapshot: takeSnapshot(filesystem),
    config: { config },
    wastedBytes,
  };
}

const lists = (bytes: number): TarEntrySpec => ({
  name: "var/lib/apt/lists/packages",
  content: Buffer.alloc(bytes, 1),
});
const hello: TarEntrySpec = {
  name: "usr/bin/hello",
  content: "binary",
  mode: 0o755,
};

describe("compareImages", () => {
  it("counts removed lists as a removed cache", async () => {
    const original = await image([base, [lists(1000), hello]]);
    const rewritten = await image([base, [hello]]);
    const comparison = compareImages(original, rewritten, defaultNoise(), [
      { id: "apt-lists-cleanup", removesPaths: ["var/lib/apt/lists/**"] },
    ]);

    expect(comparison.differences.paths).toEqual([]);
    expect(comparison.differences.config).toEqual([]);
    expect(comparison.removedCaches).toEqual([
      {
        transform: "apt-lists-cleanup",
        paths: ["/var/lib/apt/lists/packages"],
        bytes: 1000,
      },
    ]);
  });

  it("reports removed lists when no transform removes them", async () => {
    const original = await image([base, [lists(1000), hello]]);
    const rewritten = await image([base, [hello]]);
    const comparison = compareImages(original, rewritten, defaultNoise(), []);

    expect(comparison.differences.paths).toHaveLength(1);
    expect(comparison.differences.paths[0]?.change).toBe("removed");
    expect(comparison.differences.paths[0]?.path).toBe(
      "/var/lib/apt/lists/packages",
    );
    expect(comparison.removedCaches).toEqual([]);
  });

  it("credits merge-runs with the drop in wasted bytes", async () => {
    const whiteout = { name: "var/lib/apt/lists/.wh.packages" };
    const original = await image([base, [lists(700)], [hello], [whiteout]]);
    const rewritten = await image([base, [hello]]);
    const comparison = compareImages(original, rewritten, defaultNoise(), [
      { id: "merge-runs" },
    ]);

    expect(original.wastedBytes).toBe(700);
    expect(comparison.differences.paths).toEqual([]);
    expect(comparison.removedCaches).toEqual([
      { transform: "merge-runs", paths: [], bytes: 700 },
    ]);
  });

  it("names changed attributes with both entries", async () => {
    const original = await image([base, [hello]]);
    const rewritten = await image([base, [{ ...hello, mode: 0o644 }]]);
    const comparison = compareImages(original, rewritten, defaultNoise(), []);
    const [difference] = comparison.differences.paths;

    expect(difference?.path).toBe("/usr/bin/hello");
    expect(difference?.change).toBe("changed");
    expect(difference?.attributes).toEqual(["mode"]);
    expect(difference?.before?.mode).toBe(0o755);
    expect(difference?.after?.mode).toBe(0o644);
  });

  it("reports added paths and config fields", async () => {
    const original = await image([base, [hello]]);
    const rewritten = await image(
      [base, [hello, { name: "tmp/extra", content: "x" }]],
      { Cmd: ["sh"] },
    );
    const comparison = compareImages(original, rewritten, defaultNoise(), []);

    const added = comparison.differences.paths.map((d) => [d.change, d.path]);
    expect(added).toContainEqual(["added", "/tmp/extra"]);
    expect(comparison.differences.config.map((d) => d.field)).toEqual(["Cmd"]);
  });

  it("sets default noise paths aside", async () => {
    const log = (text: string): TarEntrySpec => ({
      name: "var/log/dpkg.log",
      content: text,
    });
    const original = await image([base, [hello, log("first run")]]);
    const rewritten = await image([base, [hello, log("second run")]]);
    const comparison = compareImages(original, rewritten, defaultNoise(), []);

    expect(comparison.differences.paths).toEqual([]);
    expect(comparison.noisePaths).toEqual(["/var/log/dpkg.log"]);
  });

  it("sets measured paths and fields aside exactly", async () => {
    const original = await image(
      [base, [hello, { name: "etc/stamp", content: "1" }]],
      { Cmd: ["hello"], Labels: { built: "1" } },
    );
    const rewritten = await image(
      [base, [hello, { name: "etc/stamp", content: "2" }]],
      { Cmd: ["hello"], Labels: { built: "2" } },
    );
    const noise = measuredNoise(["/etc/stamp"], ["Labels"]);
    const comparison = compareImages(original, rewritten, noise, []);

    expect(comparison.differences.paths).toEqual([]);
    expect(comparison.differences.config).toEqual([]);
    expect(comparison.noisePaths).toEqual(["/etc/stamp"]);
  });
});

describe("measuredNoise", () => {
  it("matches exact paths only", () => {
    const noise = measuredNoise(["/etc"], []);
    expect(noise.matches("/etc")).toBe(true);
    expect(noise.matches("/etc/passwd")).toBe(false);
  });
});

describe("defaultNoise", () => {
  it.each([
    ["/var/log/apt/history.log", true],
    ["/var/log/dpkg.log", true],
    ["/var/cache/ldconfig/aux-cache", true],
    ["/etc/shadow", true],
    ["/etc/shadow-", true],
    ["/app/__pycache__/m.cpython-311.pyc", true],
    ["/etc/passwd", false],
    ["/var/lib/apt/lists/packages", false],
    ["/usr/bin/hello", false],
  ])("classifies %s", (path, expected) => {
    expect(defaultNoise().matches(path)).toBe(expected);
  });

  it("lists the default patterns", () => {
    expect(defaultNoise().patterns).toEqual(DEFAULT_NOISE_PATTERNS);
    expect(defaultNoise().source).toBe("default");
  });
});

describe("findBuildNoise", () => {
  it("lists paths and fields that differ", async () => {
    const first = await image([base, [{ name: "etc/stamp", content: "1" }]], {
      Labels: { built: "1" },
    });
    const second = await image(
      [base, [{ name: "etc/stamp", content: "2" }, hello]],
      { Labels: { built: "2" } },
    );
    const noise = findBuildNoise(first, second);

    expect(noise.paths).toEqual([
      "/etc/stamp",
      "/usr",
      "/usr/bin",
      "/usr/bin/hello",
    ]);
    expect(noise.fields).toEqual(["Labels"]);
  });
});

describe("parseBuildStep", () => {
  it.each([
    ["#5 [2/4] RUN apt-get update", 5, "[2/4] RUN apt-get update"],
    ["#9 [build 3/5] COPY . .", 9, "[build 3/5] COPY . ."],
    [
      "#6 [stage-2 2/3] COPY --from=a /etc/hostname /a",
      6,
      "[stage-2 2/3] COPY --from=a /etc/hostname /a",
    ],
  ])("reads %s", (line, vertex, text) => {
    expect(parseBuildStep(line)).toEqual({ vertex, text });
  });

  it.each([
    "#1 [internal] load build definition from Dockerfile",
    "#5 0.321 Get:1 http://deb.debian.org/debian bookworm InRelease",
    "#5 DONE 2.1s",
    "#5 sha256:a64328532b8c38c6ab5e7764a69fa5a4d70c6da3b0a520fc7fdbf181fdaf7b43",
    "ERROR: failed to solve",
  ])("ignores %s", (line) => {
    expect(parseBuildStep(line)).toBeUndefined();
  });
});

describe("createStepReader", () => {
  it("passes each vertex on once", () => {
    const steps: string[] = [];
    const read = createStepReader((text) => steps.push(text));
    read("#5 [2/3] RUN make");
    read("#5 0.1 building");
    read("#6 [3/3] RUN make install");
    read("#5 [2/3] RUN make");
    expect(steps).toEqual(["[2/3] RUN make", "[3/3] RUN make install"]);
  });
});
