import { TarFormatError } from "./errors.js";

/** Size of a tar header and of the unit that entry data is padded to. */
export const TAR_BLOCK_SIZE = 512;

/** Cap on PAX and GNU long-name data, which is metadata, not file content. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export type TarEntryType =
  | "file"
  | "hardlink"
  | "symlink"
  | "char-device"
  | "block-device"
  | "directory"
  | "fifo"
  | "other";

/** One tar member after GNU long names and PAX records are applied. */
export interface TarHeader {
  /** Name as stored in the archive, before any path normalization. */
  name: string;
  type: TarEntryType;
  typeflag: string;
  /** Bytes of data that follow the header, before padding. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Target of a symbolic link or hard link, empty for other types. */
  linkName: string;
  deviceMajor: number;
  deviceMinor: number;
  /** Extended attributes from `SCHILY.xattr.*` PAX records, values in hex. */
  xattrs: Record<string, string>;
}

/** Header fields as stored in one 512-byte block. */
export interface RawTarHeader extends Omit<TarHeader, "type" | "xattrs"> {}

const TYPES: Record<string, TarEntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char-device",
  "4": "block-device",
  "5": "directory",
  "6": "fifo",
};

/** Returns the padding that follows `size` bytes of entry data. */
export function paddingAfter(size: number): number {
  const remainder = size % TAR_BLOCK_SIZE;
  return remainder === 0 ? 0 : TAR_BLOCK_SIZE - remainder;
}

/** Returns whether a block is all zero bytes, which marks the archive end. */
export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}

/**
 * Parses one header block in ustar, GNU or v7 form. Throws TarFormatError
 * when the checksum does not match or a numeric field is invalid.
 */
export function parseHeaderBlock(block: Buffer): RawTarHeader {
  verifyChecksum(block);
  const magic = block.toString("latin1", 257, 263);
  const prefix = magic === "ustar\0" ? readString(block, 345, 155) : "";
  const name = readString(block, 0, 100);
  return {
    name: prefix === "" ? name : `${prefix}/${name}`,
    mode: readNumber(block, 100, 8, "mode"),
    uid: readNumber(block, 108, 8, "uid"),
    gid: readNumber(block, 116, 8, "gid"),
    size: readNumber(block, 124, 12, "size"),
    typeflag: String.fromCharCode(block[156] ?? 0),
    linkName: readString(block, 157, 100),
    deviceMajor: readNumber(block, 329, 8, "devmajor"),
    deviceMinor: readNumber(block, 337, 8, "devminor"),
  };
}

function verifyChecksum(block: Buffer): void {
  const stored = readNumber(block, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old writers summed signed chars, so both sums are accepted.
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError(
      `invalid header checksum (stored ${stored}, computed ${unsigned})`,
    );
  }
}

function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end === -1 ? length : end);
}

/** Reads an octal field, or a GNU base-256 field when the top bit is set. */
function readNumber(
  block: Buffer,
  start: number,
  length: number,
  field: string,
): number {
  const bytes = block.subarray(start, start + length);
  if (((bytes[0] ?? 0) & 0x80) !== 0) {
    return readBase256(bytes, field);
  }
  const text = bytes
    .toString("latin1")
    .replace(/[\0 ].*$/s, "")
    .trim();
  if (!/^[0-7]*$/.test(text)) {
    throw new TarFormatError(`invalid octal ${field} field \`${text}\``);
  }
  return text === "" ? 0 : parseInt(text, 8);
}

function readBase256(bytes: Buffer, field: string): number {
  if (bytes[0] === 0xff) {
    throw new TarFormatError(`negative base-256 ${field} field`);
  }
  let value = (bytes[0] ?? 0) & 0x7f;
  for (const byte of bytes.subarray(1)) {
    value = value * 256 + byte;
  }
  if (!Number.isSafeInteger(value)) {
    throw new TarFormatError(`base-256 ${field} field is too large`);
  }
  return value;
}

/**
 * Parses PAX extended header records (`"<length> <key>=<value>\n"`, where
 * the length counts the whole record). Values stay raw bytes.
 */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length && data[offset] !== 0) {
    const space = data.indexOf(0x20, offset);
    const length = Number(data.toString("latin1", offset, space));
    const end = offset + length;
    if (space === -1 || !Number.isInteger(length) || end > data.length) {
      throw new TarFormatError(`invalid PAX record at byte ${offset}`);
    }
    const record = data.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals === -1) {
      throw new TarFormatError(`PAX record at byte ${offset} has no \`=\``);
    }
    records.set(
      record.toString("utf8", 0, equals),
      record.subarray(equals + 1),
    );
    offset = end;
  }
  return records;
}

/**
 * Collects GNU long names (`L`, `K`) and PAX headers (`x`, `g`), and
 * applies them to the next regular header.
 */
export class TarMetadata {
  private readonly global = new Map<string, Buffer>();
  private local = new Map<string, Buffer>();
  private longName: string | undefined;
  private longLinkName: string | undefined;

  /** Returns whether the header only carries metadata for later entries. */
  isMetadata(raw: RawTarHeader): boolean {
    return ["x", "g", "L", "K"].includes(raw.typeflag);
  }

  /** Returns the data size to read for a metadata header, checking the cap. */
  metadataSize(raw: RawTarHeader): number {
    if (raw.size > MAX_METADATA_BYTES) {
      throw new TarFormatError(
        `metadata entry of type \`${raw.typeflag}\` has ${raw.size} bytes, ` +
          `more than the ${MAX_METADATA_BYTES} accepted`,
      );
    }
    return raw.size;
  }

  /** Stores the data of a metadata header for the entries that follow. */
  absorb(raw: RawTarHeader, data: Buffer): void {
    if (raw.typeflag === "L") {
      this.longName = readString(data, 0, data.length);
    } else if (raw.typeflag === "K") {
      this.longLinkName = readString(data, 0, data.length);
    } else {
      const target = raw.typeflag === "g" ? this.global : this.local;
      for (const [key, value] of parsePaxRecords(data)) {
        target.set(key, value);
      }
    }
  }

  /** Applies and then clears the pending metadata. */
  resolve(raw: RawTarHeader): TarHeader {
    const records = new Map([...this.global, ...this.local]);
    const header: TarHeader = {
      ...raw,
      name: this.longName ?? raw.name,
      linkName: this.longLinkName ?? raw.linkName,
      type: "other",
      xattrs: {},
    };
    applyPaxRecords(header, records);
    header.type = entryType(raw.typeflag, header.name);
    this.local = new Map();
    this.longName = undefined;
    this.longLinkName = undefined;
    return header;
  }
}

function entryType(typeflag: string, name: string): TarEntryType {
  const type = TYPES[typeflag];
  // Old archives mark a directory only with a trailing slash.
  if (type === "file" && name.endsWith("/")) {
    return "directory";
  }
  // NOTE: GNU sparse files (`S`) and unknown types come out as "other", and
  // readers skip them, while Docker rebuilds sparse files on extraction.
  return type ?? "other";
}

function applyPaxRecords(
  header: TarHeader,
  records: Map<string, Buffer>,
): void {
  for (const [key, value] of records) {
    const text = value.toString("utf8");
    if (key === "path") header.name = text;
    else if (key === "linkpath") header.linkName = text;
    else if (key === "size") header.size = paxNumber(key, text);
    else if (key === "uid") header.uid = paxNumber(key, text);
    else if (key === "gid") header.gid = paxNumber(key, text);
    else if (key.startsWith("SCHILY.xattr.")) {
      header.xattrs[key.slice("SCHILY.xattr.".length)] = value.toString("hex");
    }
  }
}

function paxNumber(key: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new TarFormatError(`invalid PAX \`${key}\` value \`${text}\``);
  }
  return value;
}
