import { describe, expect, it } from "vitest";
import { compareImageConfigs } from "../src/image/config-diff.js";
import { compileGlob } from "../src/image/glob.js";
import { readImage } from "../src/image/image.js";
import {
  compareSnapshots,
  takeSnapshot,
  type FilesystemSnapshot,
} from "../src/image/snapshot.js";
import {
  imageConfig,
  layer,
  makeTempDir,
  sha256,
  writeLegacyImage,
  writeOciImage,
} from "./helpers/image-archive.js";
import { stackLayers } from "./helpers/image-stack.js";
import {
  directory,
  file,
  hardlink,
  symlink,
  type TarEntrySpec,
} from "./helpers/image-tar.js";

async function snapshotOf(
  layers: TarEntrySpec[][],
): Promise<FilesystemSnapshot> {
  return takeSnapshot(await stackLayers(layers));
}

describe("takeSnapshot", () => {
  it("records type, mode, owner, size and hash per path", async () => {
    const snapshot = await snapshotOf([
      [
        directory("usr/", { mode: 0o755 }),
        file("usr/bin/sudo", "root tool", { mode: 0o4755, uid: 0, gid: 0 }),
        hardlink("usr/bin/sudoedit", "usr/bin/sudo"),
        symlink("usr/bin/editor", "/usr/bin/vim"),
        directory("tmp/", { mode: 0o1777 }),
        {
          name: "dev/sda",
          type: "block-device",
          deviceMajor: 8,
          deviceMinor: 0,
          mode: 0o660,
          gid: 6,
        },
        { name: "run/pipe", type: "fifo", mode: 0o600, uid: 1000, gid: 1000 },
      ],
    ]);
    const byPath = new Map(snapshot.entries.map((e) => [e.path, e]));
    expect(byPath.get("/usr/bin/sudo")).toEqual({
      path: "/usr/bin/sudo",
      type: "file",
      mode: 0o4755,
      uid: 0,
      gid: 0,
      size: 9,
      sha256: sha256("root tool"),
    });
    expect(byPath.get("/usr/bin/sudoedit")).toMatchObject({
      type: "file",
      size: 9,
      mode: 0o4755,
    });
    expect(byPath.get("/usr/bin/editor")).toMatchObject({
      type: "symlink",
      linkTarget: "/usr/bin/vim",
      size: 0,
    });
    expect(byPath.get("/tmp")).toMatchObject({
      type: "directory",
      mode: 0o1777,
    });
    expect(byPath.get("/dev/sda")).toMatchObject({
      type: "block-device",
      device: { major: 8, minor: 0 },
      gid: 6,
    });
    expect(byPath.get("/run/pipe")).toMatchObject({
      type: "fifo",
      uid: 1000,
      gid: 1000,
    });
  });

  it("sorts paths and leaves out the root", async () => {
    const snapshot = await snapshotOf([
      [file("./", ""), file("b", "1"), file("a-b", "2"), file("a/b", "3")],
    ]);
    expect(snapshot.entries.map((e) => e.path)).toEqual([
      "/a",
      "/a-b",
      "/a/b",
      "/b",
    ]);
  });

  it("gives the same snapshot for both layouts", async () => {
    const layers = [
      layer([file("etc/app.conf", "x=1"), symlink("etc/link", "app.conf")]),
    ];
    const legacy = makeTempDir();
    const oci = makeTempDir();
    writeLegacyImage(legacy, layers, imageConfig(layers));
    writeOciImage(oci, layers, imageConfig(layers));
    const a = takeSnapshot((await readImage(legacy)).filesystem);
    const b = takeSnapshot((await readImage(oci)).filesystem);
    expect(a).toEqual(b);
    expect(a.entries).toHaveLength(3);
  });
});

describe("compareSnapshots", () => {
  const before = snapshotOf([
    [
      file("app/main", "v1", { mode: 0o755 }),
      file("app/mode", "same", { mode: 0o644 }),
      file("app/owner", "o", { uid: 0 }),
      symlink("app/current", "v1"),
      file("app/removed", "gone"),
      file("var/cache/apt/pkgcache.bin", "cache"),
    ],
  ]);
  const after = snapshotOf([
    [
      file("app/main", "v2!", { mode: 0o755 }),
      file("app/mode", "same", { mode: 0o600 }),
      file("app/owner", "o", { uid: 1000, gid: 1000 }),
      symlink("app/current", "v2"),
      file("app/added", "new"),
      file("var/cache/apt/srcpkgcache.bin", "cache"),
    ],
  ]);

  it("lists added, removed and changed paths with attributes", async () => {
    const comparison = compareSnapshots(await before, await after);
    expect(comparison.added.map((e) => e.path)).toEqual([
      "/app/added",
      "/var/cache/apt/srcpkgcache.bin",
    ]);
    expect(comparison.removed.map((e) => e.path)).toEqual([
      "/app/removed",
      "/var/cache/apt/pkgcache.bin",
    ]);
    expect(comparison.changed.map((c) => [c.path, c.attributes])).toEqual([
      ["/app/current", ["linkTarget"]],
      ["/app/main", ["size", "sha256"]],
      ["/app/mode", ["mode"]],
      ["/app/owner", ["uid", "gid"]],
    ]);
    expect(comparison.changed[2]?.before.mode).toBe(0o644);
    expect(comparison.changed[2]?.after.mode).toBe(0o600);
  });

  it("leaves out ignored paths", async () => {
    const comparison = compareSnapshots(await before, await after, {
      ignore: ["/var/cache", "app/*ed", "**/owner"],
    });
    expect(comparison.added).toEqual([]);
    expect(comparison.removed).toEqual([]);
    expect(comparison.changed.map((c) => c.path)).toEqual([
      "/app/current",
      "/app/main",
      "/app/mode",
    ]);
  });

  it("finds no difference between equal snapshots", async () => {
    const comparison = compareSnapshots(await before, await before);
    expect(comparison).toEqual({ added: [], removed: [], changed: [] });
  });

  it("reports a type change", async () => {
    const a = await snapshotOf([[file("x", "")]]);
    const b = await snapshotOf([[directory("x/")]]);
    const [change] = compareSnapshots(a, b).changed;
    expect(change?.attributes).toEqual(["type", "mode", "sha256"]);
  });
});

describe("compileGlob", () => {
  it.each([
    ["/var/cache", "/var/cache", true],
    ["/var/cache", "/var/cache/apt/x.bin", true],
    ["/var/cache", "/var/cachefiles", false],
    ["var/*.log", "/var/a.log", true],
    ["var/*.log", "/var/sub/a.log", false],
    ["var/**/*.log", "/var/a.log", true],
    ["var/**/*.log", "/var/sub/deep/a.log", true],
    ["**/__pycache__", "/usr/lib/python3/__pycache__/x.pyc", true],
    ["/tmp/?", "/tmp/a", true],
    ["/tmp/?", "/tmp/ab", false],
    ["/etc/a.b", "/etc/aXb", false],
    ["/usr/lib/**", "/usr/lib", true],
    ["/usr/lib/**", "/usr/lib/x/y", true],
    ["/usr/lib/**", "/usr/libexec", false],
    ["/opt/[ab]", "/opt/[ab]", true],
  ])("matches %s against %s: %s", (pattern, path, expected) => {
    expect(compileGlob(pattern).test(path)).toBe(expected);
  });
});

describe("compareImageConfigs", () => {
  const base = {
    config: {
      Env: ["PATH=/usr/bin", "LANG=C.UTF-8"],
      Cmd: ["node", "server.js"],
      Entrypoint: null,
      WorkingDir: "/app",
      User: "node",
      ExposedPorts: { "3000/tcp": {} },
      Labels: { a: "1" },
    },
  };

  it("finds no difference after normalizing", () => {
    const same = {
      config: {
        Env: ["LANG=C.UTF-8", "PATH=/usr/bin"],
        Cmd: ["node", "server.js"],
        Entrypoint: [],
        WorkingDir: "/app",
        User: "node",
        ExposedPorts: { "3000/tcp": {} },
        Labels: { a: "1" },
        Healthcheck: null,
      },
    };
    expect(compareImageConfigs(base, same)).toEqual([]);
  });

  it("names changed fields and keys", () => {
    const changed = {
      config: {
        ...base.config,
        Env: ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "DEBUG=1"],
        Cmd: ["node", "main.js"],
        User: "",
        Labels: {},
        Healthcheck: { Test: ["CMD", "true"] },
      },
    };
    const differences = compareImageConfigs(base, changed);
    expect(differences.map((d) => d.field)).toEqual([
      "Env",
      "Cmd",
      "User",
      "Labels",
      "Healthcheck",
    ]);
    expect(differences[0]?.keys).toEqual(["DEBUG", "PATH"]);
    expect(differences[0]?.after).toMatchObject({ DEBUG: "1" });
    expect(differences[3]?.keys).toEqual(["a"]);
    expect(differences[4]?.keys).toBeUndefined();
  });

  it("lets a later Env entry win", () => {
    const duplicate = {
      config: {
        ...base.config,
        Env: ["PATH=/old", "PATH=/usr/bin", "LANG=C.UTF-8"],
      },
    };
    expect(compareImageConfigs(base, duplicate)).toEqual([]);
  });

  it("treats a missing config object as empty", () => {
    const differences = compareImageConfigs(
      {},
      { config: { WorkingDir: "/w" } },
    );
    expect(differences).toEqual([
      { field: "WorkingDir", before: "", after: "/w" },
    ]);
  });
});
