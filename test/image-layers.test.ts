import { describe, expect, it } from "vitest";
import { TarFormatError } from "../src/image/errors.js";
import {
  HardLinkTargetError,
  type LayeredFilesystem,
} from "../src/image/filesystem.js";
import { normalizeLayerPath } from "../src/image/layer-changes.js";
import { takeSnapshot } from "../src/image/snapshot.js";
import { sha256 } from "./helpers/image-archive.js";
import { readLayerTar, stackLayers } from "./helpers/image-stack.js";
import {
  buildTar,
  bytes,
  directory,
  file,
  hardlink,
  opaque,
  symlink,
  whiteout,
} from "./helpers/image-tar.js";

function paths(filesystem: LayeredFilesystem): string[] {
  return takeSnapshot(filesystem).entries.map((entry) => entry.path);
}

function stored(filesystem: LayeredFilesystem) {
  return filesystem.storedFiles.map((f) => ({
    layer: f.layer,
    path: f.path,
    size: f.size,
    hiddenBy: f.hiddenBy,
  }));
}

describe("readLayerChanges", () => {
  it("splits entries, whiteouts and opaque markers", async () => {
    const changes = await readLayerTar([
      directory("./etc/"),
      file("./etc/hosts", "127.0.0.1"),
      whiteout("etc/old"),
      opaque("var/cache"),
      file("var/.wh..wh.plnk", ""),
    ]);
    expect(changes.entries.map((e) => e.path)).toEqual(["/etc", "/etc/hosts"]);
    expect(changes.whiteouts).toEqual(["/etc/old"]);
    expect(changes.opaqueDirectories).toEqual(["/var/cache"]);
  });

  it("counts the uncompressed tar stream bytes", async () => {
    const entries = [file("a", bytes(1000)), file("b", "x")];
    const changes = await readLayerTar(entries);
    // 512 + 1024 for a, 512 + 512 for b, and two zero blocks.
    expect(changes.tarSize).toBe(3584);
    expect(changes.tarSize).toBe(buildTar(entries).length);
  });

  it("hashes file content and keeps attributes", async () => {
    const changes = await readLayerTar([
      file("usr/bin/tool", "binary", { mode: 0o4755, uid: 0, gid: 50 }),
      symlink("usr/bin/alias", "tool"),
      { name: "dev/null", type: "char-device", deviceMajor: 1, deviceMinor: 3 },
    ]);
    const [tool, alias, device] = changes.entries;
    expect(tool).toMatchObject({
      type: "file",
      mode: 0o4755,
      gid: 50,
      size: 6,
    });
    expect(tool?.sha256).toBe(sha256("binary"));
    expect(alias).toMatchObject({
      type: "symlink",
      linkTarget: "tool",
      size: 0,
    });
    expect(device?.device).toEqual({ major: 1, minor: 3 });
  });

  it("keeps extended attributes from PAX records", async () => {
    const changes = await readLayerTar([
      {
        ...file("bin/ping", "p"),
        pax: { "SCHILY.xattr.security.capability": "AB" },
      },
    ]);
    expect(changes.entries[0]?.xattrs).toEqual({
      "security.capability": "4142",
    });
  });

  it("rejects a path above the root", async () => {
    await expect(readLayerTar([file("../escape", "x")])).rejects.toThrow(
      TarFormatError,
    );
  });
});

describe("normalizeLayerPath", () => {
  it("makes member names absolute", () => {
    expect(normalizeLayerPath("./usr/bin/")).toBe("/usr/bin");
    expect(normalizeLayerPath("usr//lib/./x")).toBe("/usr/lib/x");
    expect(normalizeLayerPath("./")).toBe("/");
    expect(normalizeLayerPath("/etc/passwd")).toBe("/etc/passwd");
  });
});

describe("LayeredFilesystem.apply", () => {
  it("shows the file of the highest layer", async () => {
    const filesystem = await stackLayers([
      [file("app/config", "one")],
      [file("app/config", "two!")],
    ]);
    const entry = takeSnapshot(filesystem).entries.find(
      (e) => e.path === "/app/config",
    );
    expect(entry?.sha256).toBe(sha256("two!"));
    expect(stored(filesystem)).toEqual([
      {
        layer: 0,
        path: "/app/config",
        size: 3,
        hiddenBy: { layer: 1, reason: "overwritten" },
      },
      { layer: 1, path: "/app/config", size: 4, hiddenBy: undefined },
    ]);
  });

  it("deletes a lower file and directory tree with whiteouts", async () => {
    const filesystem = await stackLayers([
      [
        file("tmp/a", bytes(10)),
        file("tmp/sub/b", bytes(20)),
        file("keep", "k"),
      ],
      [whiteout("tmp/a"), whiteout("tmp/sub")],
    ]);
    expect(paths(filesystem)).toEqual(["/keep", "/tmp"]);
    const hidden = filesystem.storedFiles.filter(
      (f) => f.hiddenBy?.reason === "deleted",
    );
    expect(hidden.map((f) => f.path)).toEqual(["/tmp/a", "/tmp/sub/b"]);
  });

  it("keeps a file of the same layer as the whiteout", async () => {
    const filesystem = await stackLayers([
      [file("etc/conf", "old")],
      [file("etc/conf", "new"), whiteout("etc/conf")],
    ]);
    const entry = takeSnapshot(filesystem).entries.find(
      (e) => e.path === "/etc/conf",
    );
    expect(entry?.sha256).toBe(sha256("new"));
  });

  it("ignores a whiteout for a path no lower layer has", async () => {
    const filesystem = await stackLayers([
      [file("a", "1")],
      [whiteout("missing/b")],
    ]);
    expect(paths(filesystem)).toEqual(["/a"]);
  });

  it("hides opaque directory content, keeps siblings", async () => {
    const filesystem = await stackLayers([
      [
        file("data/old1", bytes(5)),
        file("data/deep/old2", bytes(7)),
        file("other", "o"),
      ],
      [file("data/new", "n"), opaque("data"), directory("data/deep/")],
    ]);
    expect(paths(filesystem)).toEqual([
      "/data",
      "/data/deep",
      "/data/new",
      "/other",
    ]);
    const deleted = filesystem.storedFiles.filter(
      (f) => f.hiddenBy?.reason === "deleted",
    );
    expect(deleted.map((f) => [f.path, f.hiddenBy?.layer])).toEqual([
      ["/data/old1", 1],
      ["/data/deep/old2", 1],
    ]);
  });

  it("merges directories and takes the upper attributes", async () => {
    const filesystem = await stackLayers([
      [directory("srv/", { mode: 0o700, uid: 1 }), file("srv/a", "a")],
      [directory("srv/", { mode: 0o750, uid: 2 }), file("srv/b", "b")],
    ]);
    const snapshot = takeSnapshot(filesystem).entries;
    expect(snapshot.map((e) => e.path)).toEqual(["/srv", "/srv/a", "/srv/b"]);
    expect(snapshot[0]).toMatchObject({ mode: 0o750, uid: 2 });
  });

  it("replaces a lower directory with a file", async () => {
    const filesystem = await stackLayers([
      [file("opt/tool/bin", bytes(30))],
      [file("opt/tool", "now a file")],
    ]);
    expect(paths(filesystem)).toEqual(["/opt", "/opt/tool"]);
    expect(filesystem.storedFiles[0]?.hiddenBy).toEqual({
      layer: 1,
      reason: "overwritten",
    });
  });

  it("creates missing parent directories", async () => {
    const filesystem = await stackLayers([[file("a/b/c", "x")]]);
    const entries = takeSnapshot(filesystem).entries;
    expect(entries.map((e) => [e.path, e.type, e.mode])).toEqual([
      ["/a", "directory", 0o755],
      ["/a/b", "directory", 0o755],
      ["/a/b/c", "file", 0o644],
    ]);
  });

  it("keeps hard-linked bytes while a link remains", async () => {
    const filesystem = await stackLayers([
      [
        file("bin/busybox", bytes(1000), { mode: 0o755 }),
        hardlink("bin/sh", "bin/busybox"),
      ],
      [whiteout("bin/busybox")],
    ]);
    expect(filesystem.storedFiles).toHaveLength(1);
    expect(filesystem.storedFiles[0]?.hiddenBy).toBeUndefined();
    const sh = takeSnapshot(filesystem).entries.find(
      (e) => e.path === "/bin/sh",
    );
    expect(sh).toMatchObject({ type: "file", size: 1000, mode: 0o755 });
    expect(sh?.sha256).toBe(sha256(bytes(1000)));
  });

  it("hides a hard-linked copy with its last link", async () => {
    const filesystem = await stackLayers([
      [file("a", bytes(100)), hardlink("b", "a")],
      [whiteout("a")],
      [whiteout("b")],
    ]);
    expect(filesystem.storedFiles[0]?.hiddenBy).toEqual({
      layer: 2,
      reason: "deleted",
    });
  });

  it("links to a file of a lower layer", async () => {
    const filesystem = await stackLayers([
      [file("lib/x.so", "elf")],
      [hardlink("lib/y.so", "lib/x.so")],
    ]);
    const y = takeSnapshot(filesystem).entries.find(
      (e) => e.path === "/lib/y.so",
    );
    expect(y?.sha256).toBe(sha256("elf"));
    expect(filesystem.storedFiles[0]?.references).toBe(2);
  });

  it("rejects a hard link to a missing file", async () => {
    await expect(stackLayers([[hardlink("b", "nowhere")]])).rejects.toThrow(
      HardLinkTargetError,
    );
  });

  it("keeps symlink targets as written", async () => {
    const filesystem = await stackLayers([
      [symlink("usr/bin/vi", "../../bin/vim.basic")],
    ]);
    const vi = takeSnapshot(filesystem).entries.find(
      (e) => e.path === "/usr/bin/vi",
    );
    expect(vi).toMatchObject({
      type: "symlink",
      linkTarget: "../../bin/vim.basic",
    });
  });

  it("puts a directory over a lower symlink in the way", async () => {
    const filesystem = await stackLayers([
      [directory("usr/lib/"), symlink("lib", "usr/lib")],
      [file("lib/libc.so", "c")],
    ]);
    const entries = takeSnapshot(filesystem).entries;
    expect(entries.find((e) => e.path === "/lib")?.type).toBe("directory");
    expect(entries.find((e) => e.path === "/lib/libc.so")?.type).toBe("file");
  });
});
