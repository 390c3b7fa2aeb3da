import { describe, expect, it } from "vitest";
import { OptionValueError } from "../src/image/errors.js";
import {
  formatBytes,
  formatShare,
  parseByteSize,
  parseShare,
} from "../src/image/format.js";
import { readImage } from "../src/image/image.js";
import {
  buildInspectReport,
  renderInspectReport,
  type InspectReport,
} from "../src/image/report.js";
import { evaluateThresholds } from "../src/image/thresholds.js";
import {
  imageConfig,
  layer,
  makeTempDir,
  writeOciImage,
} from "./helpers/image-archive.js";
import { buildTar, bytes, file, gzip, whiteout } from "./helpers/image-tar.js";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [42_700_000, "42.7 MB"],
    [999_960, "1.0 MB"],
    [1_500_000_000, "1.5 GB"],
    [2_000_000_000_000_000_000, "2000.0 PB"],
  ])("formats %d as %s", (value, expected) => {
    expect(formatBytes(value)).toBe(expected);
  });
});

describe("formatShare", () => {
  it("prints a percentage with one decimal", () => {
    expect(formatShare(0.8513)).toBe("85.1%");
    expect(formatShare(1)).toBe("100.0%");
  });
});

describe("parseByteSize", () => {
  it.each([
    ["1000", 1000],
    ["500MB", 500_000_000],
    ["1.5 GB", 1_500_000_000],
    ["200MiB", 200 * 1024 * 1024],
    ["10k", 10_000],
    ["3 b", 3],
  ])("parses %s", (text, expected) => {
    expect(parseByteSize(text)).toBe(expected);
  });

  it.each(["", "ten MB", "5 XB", "-1MB"])("rejects %j", (text) => {
    expect(() => parseByteSize(text)).toThrow(OptionValueError);
  });
});

describe("parseShare", () => {
  it.each([
    ["0.9", 0.9],
    ["90%", 0.9],
    ["1", 1],
    ["1%", 0.01],
    ["0", 0],
  ])("parses %s", (text, expected) => {
    expect(parseShare(text)).toBeCloseTo(expected, 12);
  });

  it.each(["90", "1.5", "101", "abc", "-5%", ""])("rejects %j", (text) => {
    expect(() => parseShare(text)).toThrow(/invalid share/);
  });
});

/** Builds an image whose numbers are easy to count by hand. */
async function wastefulImage() {
  const layers = [
    layer([file("etc/base", bytes(2000))]),
    layer(
      [
        file("var/lib/apt/lists/main_Packages", bytes(1000)),
        file("usr/bin/tool", bytes(500)),
      ],
      gzip,
    ),
    layer([whiteout("var/lib/apt/lists/main_Packages")]),
  ];
  const root = makeTempDir();
  writeOciImage(
    root,
    layers,
    imageConfig(layers, {
      history: [
        { created_by: "/bin/sh -c #(nop) ADD file:abc in / " },
        {
          created_by:
            "RUN /bin/sh -c apt-get update && apt-get install -y tool # buildkit",
        },
        { created_by: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit" },
        { created_by: 'CMD ["tool"]', empty_layer: true },
      ],
    }),
  );
  return { image: await readImage(root), layers, root };
}

describe("buildInspectReport", () => {
  it("counts sizes and waste per layer", async () => {
    const { image, layers } = await wastefulImage();
    const report = buildInspectReport(image);
    const tarSizes = layers.map((l) => l.tar.length);
    expect(report.layers.map((l) => l.size)).toEqual(tarSizes);
    expect(report.imageSize).toBe(tarSizes.reduce((a, b) => a + b, 0));
    expect(report.layers[1]?.storedSize).toBe(layers[1]?.blob.length);
    expect(report.layers[1]?.compression).toBe("gzip");
    expect(report.layers.map((l) => l.wastedBytes)).toEqual([0, 1000, 0]);
    expect(report.storedFileBytes).toBe(3500);
    expect(report.visibleFileBytes).toBe(2500);
    expect(report.wastedBytes).toBe(1000);
    expect(report.efficiency).toBe(2500 / 3500);
    expect(report.wastedShare).toBe(1000 / report.imageSize);
    expect(report.layers[1]?.instruction).toBe(
      "RUN apt-get update && apt-get install -y tool",
    );
    expect(report.layers[1]?.largestWasted).toEqual([
      {
        path: "/var/lib/apt/lists/main_Packages",
        size: 1000,
        layer: 1,
        hiddenBy: { layer: 2, reason: "deleted" },
      },
    ]);
  });

  it("matches the tar sizes of the fixture layers", async () => {
    const { image } = await wastefulImage();
    const report = buildInspectReport(image);
    // Layer 1: 512 + 1024 for the lists file, 512 + 512 for the tool, 1024 end.
    expect(report.layers[1]?.size).toBe(3584);
    expect(report.layers[1]?.size).toBe(
      buildTar([file("a", bytes(1000)), file("b", bytes(500))]).length,
    );
  });

  it("serializes to JSON with raw byte counts", async () => {
    const { image } = await wastefulImage();
    const json = JSON.parse(
      JSON.stringify(buildInspectReport(image)),
    ) as InspectReport;
    expect(json.wastedBytes).toBe(1000);
    expect(json.layout).toBe("oci");
    expect(json.platform).toBe("linux/amd64");
  });
});

describe("renderInspectReport", () => {
  it("prints the table and totals", async () => {
    const { image } = await wastefulImage();
    const report = buildInspectReport(image);
    const text = renderInspectReport(report);
    const lines = text.split("\n");
    expect(lines).toContain(
      "Sizes use SI units: 1 kB = 1000 bytes, 1 MB = 1000 kB.",
    );
    expect(lines).toContain("LAYER      SIZE    WASTED  INSTRUCTION");
    expect(lines).toContain(
      "    1    3.6 kB    1.0 kB  RUN apt-get update && apt-get install -y tool",
    );
    expect(text).toContain(
      "1.0 kB  /var/lib/apt/lists/main_Packages (deleted in layer 2)",
    );
    expect(text).toContain(
      `Image size  ${formatBytes(report.imageSize)} (${report.imageSize.toLocaleString("en-US")} bytes`,
    );
    expect(text).toContain("Wasted      1.0 kB (1,000 bytes) in 1 file, ");
    expect(text).toContain("Efficiency  71.4% of the file bytes");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("labels layers unknown when history does not match", async () => {
    const { image } = await wastefulImage();
    const report = buildInspectReport({
      ...image,
      historyMatched: false,
      layers: image.layers.map((l) => ({ ...l, step: undefined })),
    });
    const text = renderInspectReport(report);
    expect(text).toContain("so layer instructions are unknown");
    expect(text).toContain("    0    3.6 kB       0 B  (unknown)");
  });

  it("counts the wasted files it does not list", async () => {
    const { image } = await wastefulImage();
    const report = buildInspectReport(image, { largestCount: 0 });
    expect(renderInspectReport(report)).toContain(
      "\n                           and 1 smaller wasted file\n",
    );
  });

  it("shows the comment of a step without instruction", async () => {
    const { image } = await wastefulImage();
    const [first, ...rest] = buildInspectReport(image).layers;
    const layers = [
      { ...first!, instruction: undefined, comment: "Imported from -" },
      ...rest,
    ];
    const text = renderInspectReport({ ...buildInspectReport(image), layers });
    expect(text).toContain("    0    3.6 kB       0 B  (Imported from -)\n");
  });

  it("shortens long instructions to the table width", async () => {
    const { image } = await wastefulImage();
    const report = buildInspectReport(image);
    const long = {
      ...report,
      layers: [
        { ...report.layers[0]!, instruction: `RUN ${"x ".repeat(100)}` },
      ],
    };
    const row = renderInspectReport(long)
      .split("\n")
      .find((l) => l.includes("RUN x"));
    expect(row?.length).toBe(100);
    expect(row?.endsWith("…")).toBe(true);
  });
});

describe("evaluateThresholds", () => {
  const report = {
    efficiency: 0.8,
    wastedBytes: 5_000_000,
    wastedShare: 0.25,
  } as InspectReport;

  it("passes when every limit holds", () => {
    const result = evaluateThresholds(report, {
      lowestEfficiency: 0.8,
      highestWastedBytes: 5_000_000,
      highestWastedShare: 0.25,
    });
    expect(result.passed).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.checks).toHaveLength(3);
  });

  it("fails with one reason per broken limit", () => {
    const result = evaluateThresholds(report, {
      lowestEfficiency: 0.9,
      highestWastedBytes: 1_000_000,
      highestWastedShare: 0.1,
    });
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      "efficiency 80.0% is below the lowest allowed 90.0%",
      "wasted 5.0 MB (5000000 bytes) exceeds the highest allowed 1.0 MB (1000000 bytes)",
      "wasted share 25.0% of the image size exceeds the highest allowed 10.0%",
    ]);
  });

  it("reads limits above 1 as percentages", () => {
    const result = evaluateThresholds(report, {
      lowestEfficiency: 85,
      highestWastedShare: 30,
    });
    expect(result.checks.map((c) => c.limit)).toEqual([0.85, 0.3]);
    expect(result.checks.map((c) => c.passed)).toEqual([false, true]);
  });

  it("checks nothing without limits", () => {
    expect(evaluateThresholds(report, {})).toEqual({
      passed: true,
      checks: [],
      failures: [],
    });
  });
});
