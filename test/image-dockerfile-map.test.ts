import { describe, expect, it } from "vitest";
import {
  mapWasteToDockerfile,
  type DockerfileInstruction,
} from "../src/image/dockerfile-map.js";
import type { InspectReport, LayerReport } from "../src/image/report.js";

function layerReport(
  index: number,
  instruction: string | undefined,
  waste: Partial<LayerReport> = {},
): LayerReport {
  return {
    index,
    instruction,
    compression: "none",
    storedSize: 0,
    size: 0,
    fileBytes: 0,
    wastedBytes: 0,
    wastedFiles: 0,
    largestWasted: [],
    hiddenBy: [],
    ...waste,
  };
}

function reportOf(layers: LayerReport[]): InspectReport {
  return {
    path: "image.tar",
    layout: "oci",
    references: [],
    imageSize: 0,
    storedFileBytes: 0,
    visibleFileBytes: 0,
    wastedBytes: 0,
    wastedFiles: 0,
    wastedShare: 0,
    efficiency: 1,
    historyMatched: true,
    layers,
  };
}

const dockerfile: DockerfileInstruction[] = [
  { line: 1, keyword: "FROM", text: "FROM debian:bookworm" },
  {
    line: 3,
    keyword: "RUN",
    text: "RUN apt-get update \\\n    && apt-get install -y curl",
  },
  { line: 5, keyword: "COPY", text: "COPY . /app" },
  {
    line: 6,
    keyword: "run",
    text: "run --mount=type=cache,target=/root/.npm npm ci",
  },
  { line: 8, keyword: "RUN", text: "rm -rf /var/lib/apt/lists/*" },
];

const aptWaste: Partial<LayerReport> = {
  wastedBytes: 1500,
  wastedFiles: 2,
  largestWasted: [
    {
      path: "/var/lib/apt/lists/deb_Packages",
      size: 1200,
      layer: 1,
      hiddenBy: { layer: 4, reason: "deleted" },
    },
    {
      path: "/var/cache/debconf/templates.dat",
      size: 300,
      layer: 1,
      hiddenBy: { layer: 4, reason: "deleted" },
    },
  ],
  hiddenBy: [{ layer: 4, reason: "deleted", bytes: 1500, files: 2 }],
};

const layers = [
  layerReport(0, "ADD file:abc in /"),
  layerReport(1, "RUN apt-get update && apt-get install -y curl", aptWaste),
  layerReport(2, "COPY . /app"),
  layerReport(3, "RUN npm ci"),
  layerReport(4, "RUN rm -rf /var/lib/apt/lists/*"),
];

describe("mapWasteToDockerfile", () => {
  it("matches layers to instructions by text", () => {
    const mappings = mapWasteToDockerfile(reportOf(layers), dockerfile);
    expect(mappings.map((m) => m.instruction?.line)).toEqual([
      undefined,
      3,
      5,
      6,
      8,
    ]);
  });

  it("names fixes for deleted package lists", () => {
    const [, install] = mapWasteToDockerfile(reportOf(layers), dockerfile);
    expect(install?.wastedBytes).toBe(1500);
    expect(install?.fixes.map((f) => f.transform)).toEqual([
      "apt-lists-cleanup",
      "merge-runs",
    ]);
    expect(install?.fixes[0]?.bytes).toBe(1200);
    expect(install?.fixes[1]).toMatchObject({
      bytes: 1500,
      hidingLayer: 4,
      hidingInstruction: { line: 8 },
      message:
        "the `RUN` at line 8 deletes 2 files that this `RUN` wrote, but they stay in this layer",
    });
  });

  it("suggests nothing for layers without waste", () => {
    const mappings = mapWasteToDockerfile(reportOf(layers), dockerfile);
    expect(
      mappings.filter((m) => m.fixes.length > 0).map((m) => m.layer),
    ).toEqual([1]);
  });

  it("suggests no merge after a COPY overwrite", () => {
    const overwritten = layers.map((l) =>
      l.index === 1
        ? {
            ...l,
            largestWasted: [],
            hiddenBy: [
              {
                layer: 2,
                reason: "overwritten" as const,
                bytes: 1500,
                files: 2,
              },
            ],
          }
        : l,
    );
    const [, install] = mapWasteToDockerfile(reportOf(overwritten), dockerfile);
    expect(install?.fixes).toEqual([]);
  });

  it("matches repeated text in order", () => {
    const repeated: DockerfileInstruction[] = [
      { line: 2, keyword: "RUN", text: "RUN make" },
      { line: 4, keyword: "RUN", text: "RUN make" },
    ];
    const report = reportOf([
      layerReport(0, "RUN make"),
      layerReport(1, "RUN make"),
    ]);
    const mappings = mapWasteToDockerfile(report, repeated);
    expect(mappings.map((m) => m.instruction?.line)).toEqual([2, 4]);
  });

  it("matches classic builder COPY history by destination", () => {
    const report = reportOf([layerReport(0, "COPY file:0a1b2c in /app")]);
    const [mapping] = mapWasteToDockerfile(report, dockerfile);
    expect(mapping?.instruction?.line).toBe(5);
  });

  it("leaves unknown layers unmatched", () => {
    const report = reportOf([layerReport(0, undefined, aptWaste)]);
    const [mapping] = mapWasteToDockerfile(report, dockerfile);
    expect(mapping?.instruction).toBeUndefined();
    expect(mapping?.fixes).toEqual([]);
  });
});
