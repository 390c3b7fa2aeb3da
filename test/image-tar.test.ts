import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TarFormatError } from "../src/image/errors.js";
import { parseHeaderBlock, parsePaxRecords } from "../src/image/tar-header.js";
import { ByteStream, readTarEntries } from "../src/image/tar-reader.js";
import { makeTempDir } from "./helpers/image-archive.js";
import { chunked } from "./helpers/image-stack.js";
import { buildTar, file, paxData } from "./helpers/image-tar.js";

interface ReadEntry {
  name: string;
  type: string;
  size: number;
  linkName: string;
  content: string;
}

async function readAll(tar: Buffer, chunkSize = 300): Promise<ReadEntry[]> {
  const entries: ReadEntry[] = [];
  for await (const entry of readTarEntries(
    new ByteStream(chunked(tar, chunkSize)),
  )) {
    const pieces: Buffer[] = [];
    for await (const piece of entry.content()) pieces.push(Buffer.from(piece));
    const { name, type, size, linkName } = entry.header;
    entries.push({
      name,
      type,
      size,
      linkName,
      content: Buffer.concat(pieces).toString(),
    });
  }
  return entries;
}

const hasGnuTar = spawnSync("tar", ["--version"]).status === 0;

describe("readTarEntries", () => {
  it("reads names, types and content", async () => {
    const tar = buildTar([
      { name: "dir/", type: "directory" },
      file("dir/a.txt", "hello"),
      { name: "dir/link", type: "symlink", linkName: "a.txt" },
    ]);
    const entries = await readAll(tar, 7);
    expect(entries.map((e) => [e.name, e.type, e.content])).toEqual([
      ["dir/", "directory", ""],
      ["dir/a.txt", "file", "hello"],
      ["dir/link", "symlink", ""],
    ]);
    expect(entries[2]?.linkName).toBe("a.txt");
  });

  it("joins the ustar prefix and name", async () => {
    const name = `${"p".repeat(120)}/${"n".repeat(90)}`;
    const [entry] = await readAll(buildTar([file(name, "x")]));
    expect(entry?.name).toBe(name);
  });

  it("applies PAX path, linkpath and size", async () => {
    const longPath = `deep/${"d".repeat(300)}/file`;
    const longTarget = `target/${"t".repeat(200)}`;
    const tar = buildTar([
      { ...file("short", "payload"), pax: { path: longPath } },
      {
        name: "l",
        type: "symlink",
        linkName: "x",
        pax: { linkpath: longTarget },
      },
    ]);
    const [first, second] = await readAll(tar);
    expect(first?.name).toBe(longPath);
    expect(first?.content).toBe("payload");
    expect(second?.linkName).toBe(longTarget);
  });

  it("takes the size from a PAX record over the header", async () => {
    const tar = buildTar([
      { ...file("big", "0123456789"), pax: { size: "10" } },
    ]);
    const [entry] = await readAll(tar);
    expect(entry?.size).toBe(10);
    expect(entry?.content).toBe("0123456789");
  });

  it("reads GNU long names", async () => {
    const name = `gnu/${"g".repeat(150)}.txt`;
    const [entry] = await readAll(
      buildTar([{ ...file(name, "long"), gnuLongName: true }]),
    );
    expect(entry?.name).toBe(name);
    expect(entry?.content).toBe("long");
  });

  it("skips content the consumer leaves unread", async () => {
    const tar = buildTar([file("a", "x".repeat(2000)), file("b", "second")]);
    const names: string[] = [];
    for await (const entry of readTarEntries(
      new ByteStream(chunked(tar, 100)),
    )) {
      names.push(entry.header.name);
    }
    expect(names).toEqual(["a", "b"]);
  });

  it("rejects a header with a wrong checksum", async () => {
    const tar = buildTar([file("a", "x")]);
    tar[0] = "b".charCodeAt(0);
    await expect(readAll(tar)).rejects.toThrow(TarFormatError);
    await expect(readAll(tar)).rejects.toThrow(/checksum/);
  });

  it("rejects data that ends early", async () => {
    const tar = buildTar([file("a", "x".repeat(1000))]).subarray(0, 900);
    await expect(readAll(tar)).rejects.toThrow(/ends 612 bytes early/);
  });

  it("stops at the end-of-archive block", async () => {
    const tar = Buffer.concat([
      buildTar([file("a", "1")]),
      Buffer.from("trailing"),
    ]);
    const entries = await readAll(tar);
    expect(entries.map((e) => e.name)).toEqual(["a"]);
  });

  it.skipIf(!hasGnuTar)(
    "reads GNU tar output in gnu and pax formats",
    async () => {
      const root = makeTempDir();
      const longName = `${"n".repeat(120)}.txt`;
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, "src", longName), "gnu tar content");
      symlinkSync(longName, join(root, "src", "link"));
      for (const format of ["gnu", "pax"]) {
        const archive = join(root, `${format}.tar`);
        const result = spawnSync("tar", [
          `--format=${format}`,
          "-cf",
          archive,
          "-C",
          root,
          "src",
        ]);
        expect(result.status).toBe(0);
        const entries = await readAll(readFileSync(archive));
        const text = entries.find((e) => e.name === `src/${longName}`);
        expect(text?.content).toBe("gnu tar content");
        expect(entries.find((e) => e.name === "src/link")?.linkName).toBe(
          longName,
        );
      }
    },
  );
});

describe("parseHeaderBlock", () => {
  it("reads a base-256 size", () => {
    const block = buildTar([file("a", "")]).subarray(0, 512);
    block.fill(0, 124, 136);
    block[124] = 0x80;
    block.writeUIntBE(8_589_934_592, 130, 6);
    rewriteChecksum(block);
    expect(parseHeaderBlock(block).size).toBe(8_589_934_592);
  });

  it("rejects a non-octal number", () => {
    const block = buildTar([file("a", "")]).subarray(0, 512);
    block.write("12345678", 100, 8, "latin1");
    rewriteChecksum(block);
    expect(() => parseHeaderBlock(block)).toThrow(/invalid octal mode/);
  });
});

describe("parsePaxRecords", () => {
  it("reads records whose values contain = and newlines", () => {
    const records = parsePaxRecords(paxData({ path: "a=b\nc", uid: "1000" }));
    expect(records.get("path")?.toString()).toBe("a=b\nc");
    expect(records.get("uid")?.toString()).toBe("1000");
  });

  it("rejects a record with a wrong length", () => {
    expect(() => parsePaxRecords(Buffer.from("99 path=x\n"))).toThrow(
      /invalid PAX record/,
    );
  });
});

function rewriteChecksum(block: Buffer): void {
  block.write("        ", 148, 8, "latin1");
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
}
