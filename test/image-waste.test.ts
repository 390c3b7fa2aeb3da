import { describe, expect, it } from "vitest";
import { summarizeWaste } from "../src/image/waste.js";
import { stackLayers } from "./helpers/image-stack.js";
import {
  bytes,
  file,
  hardlink,
  opaque,
  whiteout,
  type TarEntrySpec,
} from "./helpers/image-tar.js";

async function wasteOf(layers: TarEntrySpec[][], largestCount = 5) {
  const filesystem = await stackLayers(layers);
  return summarizeWaste(filesystem.storedFiles, layers.length, largestCount);
}

describe("summarizeWaste", () => {
  it("counts a deleted 1000-byte file as 1000 wasted bytes", async () => {
    const waste = await wasteOf([
      [file("big", bytes(1000)), file("small", bytes(500))],
      [whiteout("big")],
    ]);
    expect(waste.layers[0]?.fileBytes).toBe(1500);
    expect(waste.layers[0]?.wastedBytes).toBe(1000);
    expect(waste.layers[0]?.wastedFiles).toBe(1);
    expect(waste.layers[1]?.wastedBytes).toBe(0);
    expect(waste.storedFileBytes).toBe(1500);
    expect(waste.visibleFileBytes).toBe(500);
    expect(waste.wastedBytes).toBe(1000);
    expect(waste.efficiency).toBe(500 / 1500);
  });

  it("wastes the first two copies of a file written three times", async () => {
    const waste = await wasteOf([
      [file("conf", bytes(100))],
      [file("conf", bytes(200))],
      [file("conf", bytes(300))],
    ]);
    expect(waste.layers.map((l) => l.wastedBytes)).toEqual([100, 200, 0]);
    expect(waste.wastedBytes).toBe(300);
    expect(waste.wastedFiles).toBe(2);
    expect(waste.visibleFileBytes).toBe(300);
    expect(waste.efficiency).toBe(0.5);
    expect(waste.layers[0]?.largestWasted[0]?.hiddenBy).toEqual({
      layer: 1,
      reason: "overwritten",
    });
  });

  it("counts hard-linked bytes once", async () => {
    const waste = await wasteOf([
      [
        file("bin/busybox", bytes(1000)),
        hardlink("bin/sh", "bin/busybox"),
        hardlink("bin/ls", "bin/busybox"),
      ],
      [whiteout("bin/busybox"), whiteout("bin/ls")],
    ]);
    expect(waste.storedFileBytes).toBe(1000);
    expect(waste.wastedBytes).toBe(0);
    expect(waste.efficiency).toBe(1);
  });

  it("wastes a hard-linked copy once when every link is deleted", async () => {
    const waste = await wasteOf([
      [file("a", bytes(1000)), hardlink("b", "a")],
      [whiteout("a"), whiteout("b")],
    ]);
    expect(waste.wastedBytes).toBe(1000);
    expect(waste.wastedFiles).toBe(1);
    expect(waste.efficiency).toBe(0);
  });

  it("counts bytes hidden by an opaque directory", async () => {
    const waste = await wasteOf([
      [file("cache/a", bytes(40)), file("cache/sub/b", bytes(60))],
      [opaque("cache"), file("cache/c", bytes(10))],
    ]);
    expect(waste.wastedBytes).toBe(100);
    expect(waste.layers[0]?.hiddenBy).toEqual([
      { layer: 1, reason: "deleted", bytes: 100, files: 2 },
    ]);
    expect(waste.efficiency).toBe(10 / 110);
  });

  it("counts an entry repeated in one layer as waste of that layer", async () => {
    const waste = await wasteOf([
      [file("twice", bytes(30)), file("twice", bytes(70))],
    ]);
    expect(waste.layers[0]?.wastedBytes).toBe(30);
    expect(waste.layers[0]?.largestWasted[0]?.hiddenBy).toEqual({
      layer: 0,
      reason: "overwritten",
    });
  });

  it("lists the largest wasted files first, capped", async () => {
    const waste = await wasteOf(
      [
        [
          file("s", bytes(10)),
          file("l", bytes(300)),
          file("m", bytes(200)),
          file("m2", bytes(200)),
        ],
        [whiteout("s"), whiteout("l")],
        [whiteout("m"), whiteout("m2")],
      ],
      3,
    );
    const largest = waste.layers[0]?.largestWasted ?? [];
    expect(largest.map((f) => [f.path, f.size])).toEqual([
      ["/l", 300],
      ["/m", 200],
      ["/m2", 200],
    ]);
    expect(waste.layers[0]?.wastedFiles).toBe(4);
    expect(waste.layers[0]?.hiddenBy).toEqual([
      { layer: 1, reason: "deleted", bytes: 310, files: 2 },
      { layer: 2, reason: "deleted", bytes: 400, files: 2 },
    ]);
  });

  it("reports full efficiency for an image without file bytes", async () => {
    const waste = await wasteOf([[{ name: "d/", type: "directory" }]]);
    expect(waste.storedFileBytes).toBe(0);
    expect(waste.efficiency).toBe(1);
  });

  it("ignores symlinks and directories in the byte counts", async () => {
    const waste = await wasteOf([
      [
        { name: "l", type: "symlink", linkName: "target" },
        { name: "d/", type: "directory" },
      ],
      [whiteout("l"), whiteout("d")],
    ]);
    expect(waste.storedFileBytes).toBe(0);
    expect(waste.wastedBytes).toBe(0);
  });
});
