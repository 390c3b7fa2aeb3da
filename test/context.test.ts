import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFolderContext } from "../src/context/folder.js";
import { BuildContextError } from "../src/context/errors.js";
import { readIgnorePatterns } from "../src/context/dockerignore.js";
import { compileGlob } from "../src/context/glob.js";
import {
  hasArchiveName,
  readSources,
  remoteKindOf,
} from "../src/context/sources.js";
import { parseDockerfile } from "../src/parse/index.js";

type TarFormat = "ustar" | "gnu" | "v7";

/** Writes an octal field of `width` bytes: digits, then a NUL. */
function writeOctal(
  block: Buffer,
  offset: number,
  width: number,
  value: number,
) {
  block.write(
    `${value.toString(8).padStart(width - 1, "0")}\0`,
    offset,
    "latin1",
  );
}

function tarHeader(name: string, size: number, format: TarFormat): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, "latin1");
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0o14000000000);
  block.write(format === "v7" ? "\0" : "0", 156, "latin1");
  if (format === "ustar") block.write("ustar\x0000", 257, "latin1");
  if (format === "gnu") block.write("ustar  \0", 257, "latin1");
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

function tarArchive(name: string, content: string, format: TarFormat): Buffer {
  const data = Buffer.from(content);
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  const end = Buffer.alloc(1024);
  return Buffer.concat([tarHeader(name, data.length, format), padded, end]);
}

/** Builds a zstd frame with one raw block (RFC 8878), which fzstd reads. */
function zstdFrame(content: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x60, 0, 0]);
  header.writeUInt16LE(content.length - 256, 5);
  const block = Buffer.alloc(3);
  block.writeUIntLE(1 | (content.length << 3), 0, 3);
  return Buffer.concat([header, block, content]);
}

/** Builds a zip archive with one stored file. */
function zipArchive(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const entry = Buffer.concat([local, Buffer.from(name), data]);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const directory = Buffer.concat([central, Buffer.from(name)]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(entry.length, 16);
  return Buffer.concat([entry, directory, end]);
}

const LONG_TEXT = "line of plain text\n".repeat(100);

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "layerfix-context-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, content: string | Buffer): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

function link(path: string, target: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  symlinkSync(target, full);
}

describe("checkArchive", () => {
  it("finds no archive in a plain text file", () => {
    write("notes.txt", LONG_TEXT);
    expect(createFolderContext(root).checkArchive("notes.txt")).toEqual({
      kind: "not-archive",
    });
  });

  it("finds no archive in a directory", () => {
    write("app/main.js", "run()\n");
    expect(createFolderContext(root).checkArchive("app")).toEqual({
      kind: "not-archive",
    });
  });

  it("finds no archive in an empty file", () => {
    write("empty", "");
    expect(createFolderContext(root).checkArchive("empty")).toEqual({
      kind: "not-archive",
    });
  });

  it("finds no archive in a file shorter than a tar header", () => {
    write("short.txt", "hello\n");
    expect(createFolderContext(root).checkArchive("short.txt")).toEqual({
      kind: "not-archive",
    });
  });

  it.each<TarFormat>(["ustar", "gnu", "v7"])(
    "detects a %s tar archive",
    (format) => {
      write("data.bin", tarArchive("hello.txt", "hello\n", format));
      expect(createFolderContext(root).checkArchive("data.bin")).toEqual({
        kind: "archive",
        compression: "none",
      });
    },
  );

  it("accepts a checksum summed over signed bytes", () => {
    const header = tarHeader("caf\xe9.txt", 0, "ustar");
    header.fill(0x20, 148, 156);
    const signed = header.reduce(
      (sum, byte) => sum + (byte < 128 ? byte : byte - 256),
      0,
    );
    header.write(`${signed.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    write("signed.tar", Buffer.concat([header, Buffer.alloc(1024)]));
    expect(createFolderContext(root).checkArchive("signed.tar")).toEqual({
      kind: "archive",
      compression: "none",
    });
  });

  it("rejects a header with a wrong checksum", () => {
    const archive = tarArchive("hello.txt", "hello\n", "ustar");
    archive.write("0000001\0", 148, "latin1");
    write("broken.tar", archive);
    expect(createFolderContext(root).checkArchive("broken.tar")).toEqual({
      kind: "not-archive",
    });
  });

  it("rejects a block of zeros", () => {
    write("zeros", Buffer.alloc(2048));
    expect(createFolderContext(root).checkArchive("zeros")).toEqual({
      kind: "not-archive",
    });
  });

  it("detects a gzip-compressed tar archive", () => {
    write("bundle.dat", gzipSync(tarArchive("a.txt", "a\n", "ustar")));
    expect(createFolderContext(root).checkArchive("bundle.dat")).toEqual({
      kind: "archive",
      compression: "gzip",
    });
  });

  it("finds no archive in gzip of plain text", () => {
    write("notes.txt.gz", gzipSync(LONG_TEXT));
    expect(createFolderContext(root).checkArchive("notes.txt.gz")).toEqual({
      kind: "not-archive",
    });
  });

  it("finds no archive in gzip of short text", () => {
    write("short.gz", gzipSync("hello\n"));
    expect(createFolderContext(root).checkArchive("short.gz")).toEqual({
      kind: "not-archive",
    });
  });

  it("reports invalid gzip data as unknown", () => {
    const data = gzipSync(LONG_TEXT);
    data.fill(0xff, 10, 40);
    write("broken.gz", data);
    const check = createFolderContext(root).checkArchive("broken.gz");
    expect(check.kind).toBe("unknown");
  });

  it("detects a zstd-compressed tar archive", () => {
    write("bundle.zst", zstdFrame(tarArchive("a.txt", "a\n", "gnu")));
    expect(createFolderContext(root).checkArchive("bundle.zst")).toEqual({
      kind: "archive",
      compression: "zstd",
    });
  });

  it("finds no archive in zstd of plain text", () => {
    write("notes.zst", zstdFrame(Buffer.from(LONG_TEXT)));
    expect(createFolderContext(root).checkArchive("notes.zst")).toEqual({
      kind: "not-archive",
    });
  });

  it("reports a zstd frame with a large window as unknown", () => {
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 1, 0, 0]);
    write("huge.zst", Buffer.concat([frame, Buffer.alloc(600)]));
    const check = createFolderContext(root).checkArchive("huge.zst");
    expect(check.kind).toBe("unknown");
  });

  it.each([
    ["bzip2", Buffer.from("BZh91AY&SY")],
    ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4])],
  ])("reports %s data as unknown", (name, magic) => {
    write("data", Buffer.concat([magic, Buffer.alloc(600, 1)]));
    expect(createFolderContext(root).checkArchive("data")).toEqual({
      kind: "unknown",
      reason: expect.stringContaining(`${name}-compressed`),
    });
  });

  it("finds no archive in a zip file", () => {
    write("site.zip", zipArchive("index.html", LONG_TEXT));
    expect(createFolderContext(root).checkArchive("site.zip")).toEqual({
      kind: "not-archive",
    });
  });

  it("detects a Git LFS pointer", () => {
    const pointer =
      "version https://git-lfs.github.com/spec/v1\n" +
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n" +
      "size 12345\n";
    write("model.bin", pointer);
    expect(createFolderContext(root).checkArchive("model.bin")).toEqual({
      kind: "lfs-pointer",
    });
  });

  it("follows a symbolic link inside the context", () => {
    write("real/data.tar", tarArchive("a.txt", "a\n", "ustar"));
    link("current.tar", "real/data.tar");
    expect(createFolderContext(root).checkArchive("current.tar")).toEqual({
      kind: "archive",
      compression: "none",
    });
  });

  it("reports a link outside the context as unknown", () => {
    link("escape.txt", "../../etc/hostname");
    const check = createFolderContext(root).checkArchive("escape.txt");
    expect(check.kind).toBe("unknown");
  });

  it("reports a missing file as unknown", () => {
    const check = createFolderContext(root).checkArchive("nothing.txt");
    expect(check).toEqual({
      kind: "unknown",
      reason: "`nothing.txt` is missing from the build context",
    });
  });
});

describe("resolve", () => {
  it("finds a plain file", () => {
    write("notes.txt", "hi\n");
    expect(createFolderContext(root).resolve("notes.txt")).toEqual([
      { path: "notes.txt", kind: "file" },
    ]);
  });

  it("reads leading slashes and dots from the root", () => {
    write("dir/notes.txt", "hi\n");
    const context = createFolderContext(root);
    for (const source of [
      "/dir/notes.txt",
      "./dir/notes.txt",
      "../dir/notes.txt",
    ]) {
      expect(context.resolve(source)).toEqual([
        { path: "dir/notes.txt", kind: "file" },
      ]);
    }
  });

  it("finds a directory and the root", () => {
    write("app/main.js", "run()\n");
    const context = createFolderContext(root);
    expect(context.resolve("app/")).toEqual([
      { path: "app", kind: "directory" },
    ]);
    expect(context.resolve(".")).toEqual([{ path: ".", kind: "directory" }]);
  });

  it("reports a missing path", () => {
    expect(createFolderContext(root).resolve("gone.txt")).toEqual([
      { path: "gone.txt", kind: "missing" },
    ]);
  });

  it("reports a path below a file as missing", () => {
    write("notes.txt", "hi\n");
    expect(createFolderContext(root).resolve("notes.txt/more")).toEqual([
      { path: "notes.txt/more", kind: "missing" },
    ]);
  });

  it("follows links inside the context", () => {
    write("real/config.json", "{}\n");
    link("config.json", "real/config.json");
    link("current", "real");
    link("real/again", "../current/config.json");
    const context = createFolderContext(root);
    expect(context.resolve("config.json")).toEqual([
      { path: "config.json", kind: "file" },
    ]);
    expect(context.resolve("current")).toEqual([
      { path: "current", kind: "directory" },
    ]);
    expect(context.resolve("current/config.json")).toEqual([
      { path: "current/config.json", kind: "file" },
    ]);
    expect(context.resolve("real/again")).toEqual([
      { path: "real/again", kind: "file" },
    ]);
  });

  it("stops at links that leave the context", () => {
    link("up", "../outside");
    link("absolute", "/etc/hostname");
    const context = createFolderContext(root);
    expect(context.resolve("up")).toEqual([{ path: "up", kind: "other" }]);
    expect(context.resolve("absolute")).toEqual([
      { path: "absolute", kind: "other" },
    ]);
  });

  it("stops at a link loop", () => {
    link("a", "b");
    link("b", "a");
    expect(createFolderContext(root).resolve("a")).toEqual([
      { path: "a", kind: "other" },
    ]);
  });

  it("expands wildcards within one segment", () => {
    write("a.txt", "");
    write("b.txt", "");
    write("c.md", "");
    write("sub/d.txt", "");
    expect(createFolderContext(root).resolve("*.txt")).toEqual([
      { path: "a.txt", kind: "file" },
      { path: "b.txt", kind: "file" },
    ]);
  });

  it("expands ?, classes and wildcards in a parent", () => {
    write("pkg1/setup.py", "");
    write("pkg2/setup.py", "");
    write("pkgs/setup.py", "");
    write("pkg1/other.py", "");
    const context = createFolderContext(root);
    expect(context.resolve("pkg?/setup.py").map((entry) => entry.path)).toEqual(
      ["pkg1/setup.py", "pkg2/setup.py", "pkgs/setup.py"],
    );
    expect(context.resolve("pkg[0-9]/*.py").map((entry) => entry.path)).toEqual(
      ["pkg1/other.py", "pkg1/setup.py", "pkg2/setup.py"],
    );
  });

  it("does not search inside a matched directory", () => {
    write("lib/lib.txt", "");
    expect(createFolderContext(root).resolve("l*")).toEqual([
      { path: "lib", kind: "directory" },
    ]);
  });

  it("returns no entries when a wildcard matches nothing", () => {
    write("a.txt", "");
    const context = createFolderContext(root);
    expect(context.resolve("*.log")).toEqual([]);
    expect(context.resolve("missing/*.txt")).toEqual([]);
    expect(context.resolve("[z")).toEqual([]);
  });

  it("reports the kind of a matched link's target", () => {
    write("real.txt", "");
    link("link.txt", "real.txt");
    link("out.txt", "../x.txt");
    expect(createFolderContext(root).resolve("*.txt")).toEqual([
      { path: "link.txt", kind: "file" },
      { path: "out.txt", kind: "other" },
      { path: "real.txt", kind: "file" },
    ]);
  });
});

describe("resolve with .dockerignore", () => {
  it("leaves out ignored files and keeps exceptions", () => {
    write(".dockerignore", "# logs\n*.log\n!keep.log\n");
    write("drop.log", "");
    write("keep.log", "");
    const context = createFolderContext(root);
    expect(context.resolve("drop.log")).toEqual([
      { path: "drop.log", kind: "missing" },
    ]);
    expect(context.resolve("keep.log")).toEqual([
      { path: "keep.log", kind: "file" },
    ]);
    expect(context.resolve("*.log")).toEqual([
      { path: "keep.log", kind: "file" },
    ]);
  });

  it("leaves out everything in an ignored directory", () => {
    write(".dockerignore", "/build\n");
    write("build/out.bin", "");
    const context = createFolderContext(root);
    expect(context.resolve("build")).toEqual([
      { path: "build", kind: "missing" },
    ]);
    expect(context.resolve("build/out.bin")).toEqual([
      { path: "build/out.bin", kind: "missing" },
    ]);
  });

  it("keeps an ignored directory that holds an exception", () => {
    write(".dockerignore", "build\n!build/keep.txt\n");
    write("build/keep.txt", "");
    write("build/drop.txt", "");
    const context = createFolderContext(root);
    expect(context.resolve("build")).toEqual([
      { path: "build", kind: "directory" },
    ]);
    expect(context.resolve("build/*")).toEqual([
      { path: "build/keep.txt", kind: "file" },
    ]);
  });

  it("does not inherit a pattern skipped at the parent", () => {
    // fsutil passes each pattern's parent result down only when the
    // pattern was evaluated, so the last `a` does not reach `a/b`.
    write(".dockerignore", "a\n!a/b\na\n");
    write("a/b", "");
    write("a/c", "");
    const context = createFolderContext(root);
    expect(context.resolve("a/b")[0]!.kind).toBe("file");
    expect(context.resolve("a/c")[0]!.kind).toBe("missing");
  });

  it("matches ** across directories", () => {
    write(".dockerignore", "**/*.tmp\n");
    write("a/b/c.tmp", "");
    write("top.tmp", "");
    write("a/b/c.txt", "");
    const context = createFolderContext(root);
    expect(context.resolve("a/b/c.tmp")[0]!.kind).toBe("missing");
    expect(context.resolve("top.tmp")[0]!.kind).toBe("missing");
    expect(context.resolve("a/b/c.txt")[0]!.kind).toBe("file");
  });

  it("hides a link target that is ignored", () => {
    write(".dockerignore", "secret\n");
    write("secret/key.txt", "");
    link("key.txt", "secret/key.txt");
    expect(createFolderContext(root).resolve("key.txt")).toEqual([
      { path: "key.txt", kind: "missing" },
    ]);
  });

  it("prefers the Dockerfile's own ignore file", () => {
    write(".dockerignore", "a.txt\n");
    write("docker/Dockerfile.dev.dockerignore", "b.txt\n");
    write("a.txt", "");
    write("b.txt", "");
    const context = createFolderContext(root, {
      dockerfile: "docker/Dockerfile.dev",
    });
    expect(context.resolve("a.txt")[0]!.kind).toBe("file");
    expect(context.resolve("b.txt")[0]!.kind).toBe("missing");
  });

  it("uses .dockerignore when the Dockerfile has none", () => {
    write(".dockerignore", "a.txt\n");
    write("a.txt", "");
    const context = createFolderContext(root, {
      dockerfile: join(root, "Dockerfile"),
    });
    expect(context.resolve("a.txt")[0]!.kind).toBe("missing");
  });

  it("rejects a pattern that BuildKit rejects", () => {
    write(".dockerignore", "ok.txt\n[unclosed\n");
    expect(() => createFolderContext(root)).toThrow(BuildContextError);
  });
});

describe("createFolderContext", () => {
  it("rejects a root that is not a folder", () => {
    write("file.txt", "");
    expect(() => createFolderContext(join(root, "file.txt"))).toThrow(
      BuildContextError,
    );
    expect(() => createFolderContext(join(root, "none"))).toThrow(
      BuildContextError,
    );
  });

  it("keeps the root as given for messages", () => {
    expect(createFolderContext(root).root).toBe(root);
  });
});

describe("readIgnorePatterns", () => {
  it("cleans patterns as BuildKit does", () => {
    const text =
      "\uFEFF# comment\n  /a/./b/  \r\n\n! /c/../d\n #not a comment\n";
    expect(readIgnorePatterns(text)).toEqual(["a/b", "!d", "#not a comment"]);
  });
});

describe("compileGlob", () => {
  it.each([
    ["*.txt", "a.txt", true],
    ["*.txt", "d/a.txt", false],
    ["a?c", "a/c", false],
    ["[^a-c]x", "dx", true],
    ["[z-a]", "q", false],
    ["a\\*", "a*", true],
  ])("matches %s against %s", (pattern, name, expected) => {
    expect(compileGlob(pattern)?.test(name)).toBe(expected);
  });

  it.each(["[]a]", "[-a]", "a[", "a\\", "[a-]", "[^]"])(
    "rejects %s",
    (pattern) => {
      expect(compileGlob(pattern)).toBeUndefined();
    },
  );
});

describe("readSources", () => {
  function sourcesOf(line: string): string[] | undefined {
    const [instruction] = parseDockerfile(`${line}\n`).instructions;
    return readSources(instruction!);
  }

  it("drops the destination in shell form", () => {
    expect(sourcesOf("ADD --chown=1 a.txt  b/\tc /dst/")).toEqual([
      "a.txt",
      "b/",
      "c",
    ]);
  });

  it("reads the exec form", () => {
    expect(sourcesOf('ADD ["a b.txt", "/dst/"]')).toEqual(["a b.txt"]);
  });

  it("needs a destination", () => {
    expect(sourcesOf("ADD lonely.txt")).toBeUndefined();
  });
});

describe("remoteKindOf", () => {
  it.each([
    ["https://example.com/a.tar.gz", "url"],
    ["HTTP://example.com/a", "url"],
    ["https://github.com/moby/moby.git#v27.0.0", "git"],
    ["git://example.com/repo", "git"],
    ["ssh://git@example.com/repo.git", "git"],
    ["git@github.com:moby/buildkit.git", "git"],
    ["src/app", undefined],
    ["repo.git", undefined],
    ["github.com/moby/moby", undefined],
  ])("reads %s as %s", (source, kind) => {
    expect(remoteKindOf(source)).toBe(kind);
  });
});

describe("hasArchiveName", () => {
  it.each([
    "a.tar",
    "a.TAR.GZ",
    "a.tgz",
    "dir/a.tbz2",
    "a.txz",
    "a.tar.zst",
    "a.gz",
    "a.bz2",
    "a.xz",
    "a.zst",
    "dist.tar/",
  ])("reads %s as an archive name", (path) => {
    expect(hasArchiveName(path)).toBe(true);
  });

  it.each(["a.zip", "a.txt", "tar", "a.tar.bak", "gz/file"])(
    "reads %s as a plain name",
    (path) => {
      expect(hasArchiveName(path)).toBe(false);
    },
  );
});
