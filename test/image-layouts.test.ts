import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readImage } from "../src/image/image.js";
import { buildInspectReport } from "../src/image/report.js";
import { takeSnapshot } from "../src/image/snapshot.js";
import {
  imageConfig,
  layer,
  makeTempDir,
  packDirectory,
  sha256,
  writeLegacyImage,
  writeOciImage,
  type TestLayer,
} from "./helpers/image-archive.js";
import {
  bytes,
  directory,
  file,
  gzip,
  hardlink,
  opaque,
  symlink,
  whiteout,
  zstdRawFrame,
} from "./helpers/image-tar.js";

/**
 * Three layers that exercise most stacking rules. Stored file bytes:
 * layer 0 has 100 + 1000 + 200 + 300, layer 1 has 150 + 50 + 1000, and
 * layer 2 has 120, so 2920 in all.
 */
function scenarioLayers(): TestLayer[] {
  return [
    layer([
      directory("etc/"),
      file("etc/config", bytes(100)),
      file("bin/busybox", bytes(1000, "b"), { mode: 0o755 }),
      hardlink("bin/sh", "bin/busybox"),
      symlink("bin/ls", "busybox"),
      file("var/cache/a", bytes(200)),
      file("var/cache/b", bytes(300)),
    ]),
    layer(
      [
        file("etc/config", bytes(150)),
        whiteout("bin/busybox"),
        file("var/cache/new", bytes(50)),
        opaque("var/cache"),
        file("tmp/big", bytes(1000)),
      ],
      gzip,
    ),
    layer(
      [whiteout("tmp/big"), file("etc/config", bytes(120, "c"))],
      zstdRawFrame,
    ),
  ];
}

/** Writes the scenario in one layout, as a folder or packed into a tar. */
function writeScenario(layout: string, form: string): string {
  const root = makeTempDir();
  const layers = scenarioLayers();
  if (layout === "legacy") writeLegacyImage(root, layers, imageConfig(layers));
  else writeOciImage(root, layers, imageConfig(layers));
  if (form === "folder") return root;
  return packDirectory(root, join(makeTempDir(), "image.tar"));
}

const cases = [
  ["legacy", "folder"],
  ["legacy", "tar"],
  ["oci", "folder"],
  ["oci", "tar"],
];

describe.each(cases)("readImage scenario, %s layout as %s", (layout, form) => {
  const path = writeScenario(layout ?? "", form ?? "");

  it("stacks the final filesystem", async () => {
    const image = await readImage(path);
    expect(image.layout).toBe(layout);
    const entries = takeSnapshot(image.filesystem).entries;
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ["/bin", "directory"],
      ["/bin/ls", "symlink"],
      ["/bin/sh", "file"],
      ["/etc", "directory"],
      ["/etc/config", "file"],
      ["/tmp", "directory"],
      ["/var", "directory"],
      ["/var/cache", "directory"],
      ["/var/cache/new", "file"],
    ]);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get("/bin/ls")?.linkTarget).toBe("busybox");
    expect(byPath.get("/bin/sh")).toMatchObject({ size: 1000, mode: 0o755 });
    expect(byPath.get("/bin/sh")?.sha256).toBe(sha256(bytes(1000, "b")));
    expect(byPath.get("/etc/config")?.sha256).toBe(sha256(bytes(120, "c")));
  });

  it("counts waste and efficiency by hand", async () => {
    const report = buildInspectReport(await readImage(path));
    expect(report.layers.map((l) => l.compression)).toEqual([
      "none",
      "gzip",
      "zstd",
    ]);
    expect(report.layers.map((l) => l.fileBytes)).toEqual([1600, 1200, 120]);
    // Layer 0 loses config (100) and the opaque cache (200 + 300), but sh
    // keeps busybox. Layer 1 loses config (150) and tmp/big (1000).
    expect(report.layers.map((l) => l.wastedBytes)).toEqual([600, 1150, 0]);
    expect(report.storedFileBytes).toBe(2920);
    expect(report.wastedBytes).toBe(1750);
    expect(report.visibleFileBytes).toBe(1170);
    expect(report.efficiency).toBe(1170 / 2920);
    expect(report.imageSize).toBe(
      scenarioLayers().reduce((sum, l) => sum + l.tar.length, 0),
    );
  });
});
