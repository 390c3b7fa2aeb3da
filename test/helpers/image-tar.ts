import { gzipSync } from "node:zlib";

/** One member of a tar archive built for a test. */
export interface TarEntrySpec {
  name: string;
  type?:
    | "file"
    | "directory"
    | "symlink"
    | "hardlink"
    | "char-device"
    | "block-device"
    | "fifo";
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkName?: string;
  deviceMajor?: number;
  deviceMinor?: number;
  /** PAX records written in an `x` header before the entry. */
  pax?: Record<string, string>;
  /** Writes the name in a GNU `L` entry instead of the header. */
  gnuLongName?: boolean;
}

const TYPEFLAGS: Record<NonNullable<TarEntrySpec["type"]>, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "char-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

/** Builds an uncompressed ustar archive with two zero blocks at the end. */
export function buildTar(entries: readonly TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(...entryBlocks(entry));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function entryBlocks(entry: TarEntrySpec): Buffer[] {
  const blocks: Buffer[] = [];
  if (entry.pax !== undefined) {
    blocks.push(...metadataBlocks("x", "PaxHeader", paxData(entry.pax)));
  }
  if (entry.gnuLongName === true) {
    const data = Buffer.from(`${entry.name}\0`);
    blocks.push(...metadataBlocks("L", "././@LongLink", data));
  }
  const content = Buffer.from(entry.content ?? "");
  const type = entry.type ?? "file";
  const name =
    entry.gnuLongName === true ? entry.name.slice(0, 99) : entry.name;
  blocks.push(header({ ...entry, name }, TYPEFLAGS[type], content.length));
  blocks.push(padded(content));
  return blocks;
}

function metadataBlocks(typeflag: string, name: string, data: Buffer) {
  return [header({ name }, typeflag, data.length), padded(data)];
}

/** Encodes PAX records; each length counts the whole record. */
export function paxData(records: Record<string, string>): Buffer {
  const parts = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) {
      length = String(length).length + Buffer.byteLength(body);
    }
    return Buffer.from(`${length}${body}`);
  });
  return Buffer.concat(parts);
}

function header(entry: TarEntrySpec, typeflag: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  const [prefix, name] = splitName(entry.name);
  block.write(name, 0, 100, "utf8");
  writeOctal(block, 100, 8, entry.mode ?? (typeflag === "5" ? 0o755 : 0o644));
  writeOctal(block, 108, 8, entry.uid ?? 0);
  writeOctal(block, 116, 8, entry.gid ?? 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.write(typeflag, 156, 1, "latin1");
  block.write(entry.linkName ?? "", 157, 100, "utf8");
  block.write("ustar\0" + "00", 257, 8, "latin1");
  writeOctal(block, 329, 8, entry.deviceMajor ?? 0);
  writeOctal(block, 337, 8, entry.deviceMinor ?? 0);
  block.write(prefix, 345, 155, "utf8");
  block.write("        ", 148, 8, "latin1");
  const checksum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
  return block;
}

/** Splits a name longer than 100 bytes into the ustar prefix and name. */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ["", name];
  const slash = name.lastIndexOf("/", 155);
  return [name.slice(0, slash), name.slice(slash + 1)];
}

function writeOctal(
  block: Buffer,
  offset: number,
  length: number,
  value: number,
) {
  block.write(
    `${value.toString(8).padStart(length - 1, "0")}\0`,
    offset,
    length,
    "latin1",
  );
}

function padded(data: Buffer): Buffer {
  const remainder = data.length % 512;
  return remainder === 0
    ? data
    : Buffer.concat([data, Buffer.alloc(512 - remainder)]);
}

export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}

/** Largest block that a zstd frame may hold (128 KiB). */
const ZSTD_MAX_BLOCK = 128 * 1024;

/**
 * Builds a zstd frame from raw (stored) blocks, which any decoder must
 * accept. Node 20 has no zstd encoder, so tests write the frame by hand:
 * magic, a single-segment header with a 4-byte content size, then blocks
 * whose 3-byte header holds last-block flag, type 0 and size.
 */
export function zstdRawFrame(data: Buffer): Buffer {
  const frameHeader = Buffer.alloc(9);
  frameHeader.writeUInt32LE(0xfd2fb528, 0);
  frameHeader[4] = 0xa0; // content size in 4 bytes, single segment
  frameHeader.writeUInt32LE(data.length, 5);
  const blocks: Buffer[] = [];
  let offset = 0;
  do {
    const piece = data.subarray(offset, offset + ZSTD_MAX_BLOCK);
    offset += piece.length;
    const last = offset >= data.length ? 1 : 0;
    blocks.push(blockHeader(last, 0, piece.length), piece);
  } while (offset < data.length);
  return Buffer.concat([frameHeader, ...blocks]);
}

/** Builds a zstd frame of one RLE block: `count` copies of `byte`. */
export function zstdRleFrame(byte: number, count: number): Buffer {
  const frameHeader = Buffer.alloc(9);
  frameHeader.writeUInt32LE(0xfd2fb528, 0);
  frameHeader[4] = 0xa0;
  frameHeader.writeUInt32LE(count, 5);
  return Buffer.concat([
    frameHeader,
    blockHeader(1, 1, count),
    Buffer.from([byte]),
  ]);
}

function blockHeader(last: number, type: number, size: number): Buffer {
  const value = last | (type << 1) | (size << 3);
  return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
}

export const file = (
  name: string,
  content: string | Buffer,
  options: Partial<TarEntrySpec> = {},
): TarEntrySpec => ({ name, content, ...options });

export const directory = (
  name: string,
  options: Partial<TarEntrySpec> = {},
): TarEntrySpec => ({ name, type: "directory", ...options });

export const symlink = (name: string, linkName: string): TarEntrySpec => ({
  name,
  type: "symlink",
  linkName,
  mode: 0o777,
});

export const hardlink = (name: string, linkName: string): TarEntrySpec => ({
  name,
  type: "hardlink",
  linkName,
});

/** Builds a whiteout entry: an empty file named `.wh.<name>` beside the path. */
export function whiteout(path: string): TarEntrySpec {
  const slash = path.lastIndexOf("/");
  return {
    name: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`,
    content: "",
  };
}

/** Builds an opaque marker, which hides the lower content of a directory. */
export function opaque(directoryPath: string): TarEntrySpec {
  return {
    name: `${directoryPath.replace(/\/$/, "")}/.wh..wh..opq`,
    content: "",
  };
}

/** Returns `length` bytes of a repeated character, for easy counting. */
export function bytes(length: number, character = "x"): Buffer {
  return Buffer.alloc(length, character);
}
