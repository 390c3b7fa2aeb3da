import { constants, gunzipSync } from "node:zlib";
import { Decompress as ZstdDecoder } from "fzstd";
import { describeError } from "./errors.js";
import { hasTarChecksum, TAR_BLOCK_SIZE } from "./tar-header.js";
import type { ArchiveCheck } from "./types.js";

/** The leading bytes of a file, and whether they are the whole file. */
export interface FileHead {
  bytes: Uint8Array;
  complete: boolean;
}

export type Compression = "none" | "gzip" | "bzip2" | "xz" | "zstd";

/** Bytes of a file that `inspectArchive` may need. */
export const HEAD_BYTES = 256 * 1024;

/** Compressed bytes given to gunzip: deflate emits output as input arrives. */
const GZIP_INPUT_BYTES = 16 * 1024;
/** Enough for any 16 KiB of deflate data, which expands at most 1032 times. */
const GZIP_OUTPUT_LIMIT = 32 * 1024 * 1024;
/** A larger window counts as unknown, because fzstd allocates it whole. */
const ZSTD_MAX_WINDOW = 32 * 1024 * 1024;
const ZSTD_SLICE_BYTES = 16 * 1024;

const LFS_POINTER = "version https://git-lfs.github.com/spec/v1";

const MAGIC: [Exclude<Compression, "none">, number[]][] = [
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["gzip", [0x1f, 0x8b, 0x08]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

/**
 * Detects compression by magic bytes, as moby's `DecompressStream` does
 * for `ADD`, whatever the file's name. A zstd skippable frame counts too.
 */
export function detectCompression(head: Uint8Array): Compression {
  for (const [compression, magic] of MAGIC) {
    if (magic.every((byte, i) => head[i] === byte)) return compression;
  }
  if (head.length >= 8 && isSkippableFrame(head)) return "zstd";
  return "none";
}

function isSkippableFrame(head: Uint8Array): boolean {
  const magic = Buffer.from(head.subarray(0, 4)).readUInt32LE(0);
  return (magic & 0xfffffff0) >>> 0 === 0x184d2a50;
}

/**
 * Decides what `ADD` does with a file from its leading bytes: BuildKit
 * undoes gzip, bzip2, xz or zstd compression and unpacks the result when
 * its first block is a valid tar header. A Git LFS pointer is reported on
 * its own, because the file checked out elsewhere may be an archive.
 */
export function inspectArchive(head: FileHead): ArchiveCheck {
  const text = Buffer.from(head.bytes.subarray(0, LFS_POINTER.length));
  if (text.toString("latin1") === LFS_POINTER) return { kind: "lfs-pointer" };

  const compression = detectCompression(head.bytes);
  switch (compression) {
    case "none":
      return checkTarStart(head, compression);
    case "gzip":
      return checkDecoded(gunzipStart(head), compression);
    case "zstd":
      return checkDecoded(unzstdStart(head), compression);
    case "bzip2":
    case "xz":
      return {
        kind: "unknown",
        reason:
          `the file is ${compression}-compressed, and layerfix cannot ` +
          "decompress it to look for a tar header",
      };
  }
}

function checkDecoded(
  decoded: FileHead | string,
  compression: Compression,
): ArchiveCheck {
  if (typeof decoded === "string") return { kind: "unknown", reason: decoded };
  return checkTarStart(decoded, compression);
}

function checkTarStart(head: FileHead, compression: Compression): ArchiveCheck {
  if (head.bytes.length >= TAR_BLOCK_SIZE) {
    return hasTarChecksum(head.bytes.subarray(0, TAR_BLOCK_SIZE))
      ? { kind: "archive", compression }
      : { kind: "not-archive" };
  }
  // Go's tar reader fails on a stream shorter than one header.
  if (head.complete) return { kind: "not-archive" };
  return {
    kind: "unknown",
    reason: `the start of the ${compression} stream decodes to less than one tar header`,
  };
}

/** Inflates the start of a gzip file, or returns why that failed. */
function gunzipStart(head: FileHead): FileHead | string {
  const input = head.bytes.subarray(0, GZIP_INPUT_BYTES);
  const complete = head.complete && head.bytes.length <= GZIP_INPUT_BYTES;
  try {
    const bytes = gunzipSync(input, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: GZIP_OUTPUT_LIMIT,
    });
    return { bytes, complete };
  } catch (error) {
    return `gunzip failed: ${describeError(error)}`;
  }
}

/** Decodes the start of a zstd file, or returns why that failed. */
function unzstdStart(head: FileHead): FileHead | string {
  const problem = checkZstdFrameHeader(head.bytes);
  if (problem) return problem;
  const chunks: Uint8Array[] = [];
  let length = 0;
  // fzstd may reuse the buffer it passes, so each chunk is copied.
  const decoder = new ZstdDecoder((chunk) => {
    chunks.push(chunk.slice());
    length += chunk.length;
  });
  const { bytes } = head;
  try {
    for (let at = 0; at < bytes.length && length < TAR_BLOCK_SIZE;) {
      const end = Math.min(at + ZSTD_SLICE_BYTES, bytes.length);
      decoder.push(
        bytes.subarray(at, end),
        head.complete && end === bytes.length,
      );
      at = end;
    }
  } catch (error) {
    if (length < TAR_BLOCK_SIZE) {
      return `zstd decoding failed: ${describeError(error)}`;
    }
  }
  return { bytes: Buffer.concat(chunks), complete: head.complete };
}

/** Rejects frames that fzstd cannot decode or would need a large window for. */
function checkZstdFrameHeader(bytes: Uint8Array): string | undefined {
  if (bytes[0] !== 0x28) {
    return "the zstd stream starts with a skippable frame, which layerfix does not follow";
  }
  const descriptor = bytes[4] ?? 0;
  if ((descriptor & 3) !== 0) {
    return "the zstd frame needs a dictionary";
  }
  const window = zstdWindowSize(bytes, descriptor);
  if (window === undefined || window > ZSTD_MAX_WINDOW) {
    return `the zstd frame's window is larger than ${ZSTD_MAX_WINDOW / 1024 / 1024} MiB`;
  }
  return undefined;
}

/**
 * Reads the window size from a zstd frame header (RFC 8878, section
 * 3.1.1.1). A single-segment frame's window is its content size.
 */
function zstdWindowSize(
  bytes: Uint8Array,
  descriptor: number,
): number | undefined {
  const singleSegment = (descriptor & 0x20) !== 0;
  if (!singleSegment) {
    const windowDescriptor = bytes[5];
    if (windowDescriptor === undefined) return undefined;
    const base = 2 ** (10 + (windowDescriptor >> 3));
    return base + (base / 8) * (windowDescriptor & 7);
  }
  const sizeFlag = descriptor >> 6;
  const width = [1, 2, 4, 8][sizeFlag]!;
  const start = 5;
  if (bytes.length < start + width) return undefined;
  let size = 0;
  for (let i = width - 1; i >= 0; i--) size = size * 256 + bytes[start + i]!;
  return sizeFlag === 1 ? size + 256 : size;
}
