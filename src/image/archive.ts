import { createReadStream } from "node:fs";
import { open, readFile, stat, type FileHandle } from "node:fs/promises";
import { join, posix } from "node:path";
import { detectCompression } from "./decompress.js";
import {
  ImageFormatError,
  ImageReadError,
  MissingBlobError,
  TarFormatError,
} from "./errors.js";
import {
  TAR_BLOCK_SIZE,
  TarMetadata,
  isZeroBlock,
  paddingAfter,
  parseHeaderBlock,
  type TarHeader,
} from "./tar-header.js";

/**
 * Cap on a JSON document (index, manifest, config) read into memory. Real
 * ones stay under a few megabytes, so a larger one is a wrong entry.
 */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** Symbolic links followed inside a tar archive before giving up. */
const MAX_LINK_DEPTH = 8;

/**
 * Read access to the members of a `docker save` output, either the tar file
 * itself or a folder it was extracted to. Member names are relative to the
 * archive root, like `manifest.json` or `blobs/sha256/<hex>`.
 */
export interface ImageArchive {
  /** The tar file or folder as given, for messages. */
  readonly path: string;
  /** Returns the member's size in bytes, or undefined when it is missing. */
  sizeOf(name: string): Promise<number | undefined>;
  /** Reads a whole member into memory. Throws MissingBlobError if missing. */
  readDocument(name: string): Promise<Buffer>;
  /** Streams a member's bytes without loading it whole. */
  stream(name: string): AsyncIterable<Uint8Array>;
}

/**
 * Opens a `docker save` tar file or extracted folder. For a tar file it
 * reads only the headers, seeking past member data.
 */
export async function openImageArchive(path: string): Promise<ImageArchive> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw new ImageReadError(
      path,
      "file or folder not found. Pass the output of `docker save`.",
    );
  });
  if (stats.isDirectory()) return new DirectoryArchive(path);
  return TarFileArchive.open(path);
}

/**
 * Normalizes a member name to `a/b/c`. Returns undefined for a name that
 * leaves the archive root through `..`.
 */
export function normalizeMemberName(name: string): string | undefined {
  const relative = posix
    .normalize(name.replace(/^\/+/, ""))
    .replace(/\/+$/, "");
  if (relative === ".." || relative.startsWith("../")) return undefined;
  return relative === "." ? "" : relative;
}

function requireMemberName(archivePath: string, name: string): string {
  const normalized = normalizeMemberName(name);
  if (normalized === undefined || normalized === "") {
    throw new ImageFormatError(
      archivePath,
      `member name \`${name}\` points outside the archive. ` +
        "Save the image again with `docker save`.",
    );
  }
  return normalized;
}

function checkDocumentSize(archivePath: string, name: string, size: number) {
  if (size > MAX_DOCUMENT_BYTES) {
    throw new ImageFormatError(
      archivePath,
      `\`${name}\` has ${size} bytes, more than the ${MAX_DOCUMENT_BYTES} ` +
        "accepted for a JSON document. Check that it is an image manifest " +
        "or config.",
    );
  }
}

function missingMember(archivePath: string, name: string): MissingBlobError {
  return new MissingBlobError(
    archivePath,
    name,
    undefined,
    `\`${name}\` is missing. Save the image again with \`docker save\`.`,
  );
}

class DirectoryArchive implements ImageArchive {
  constructor(readonly path: string) {}

  async sizeOf(name: string): Promise<number | undefined> {
    const file = join(this.path, requireMemberName(this.path, name));
    const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
      throw error;
    });
    return stats?.isFile() === true ? stats.size : undefined;
  }

  async readDocument(name: string): Promise<Buffer> {
    const size = await this.sizeOf(name);
    if (size === undefined) throw missingMember(this.path, name);
    checkDocumentSize(this.path, name, size);
    return readFile(join(this.path, requireMemberName(this.path, name)));
  }

  stream(name: string): AsyncIterable<Uint8Array> {
    return createReadStream(
      join(this.path, requireMemberName(this.path, name)),
    );
  }
}

/** A tar member's resolved header and the file offset of its data. */
interface TarMember {
  header: TarHeader;
  dataOffset: number;
}

class TarFileArchive implements ImageArchive {
  private constructor(
    readonly path: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  static async open(path: string): Promise<TarFileArchive> {
    const handle = await open(path, "r");
    try {
      await rejectCompressedArchive(path, handle);
      return new TarFileArchive(path, await indexMembers(path, handle));
    } finally {
      await handle.close();
    }
  }

  async sizeOf(name: string): Promise<number | undefined> {
    return this.find(name)?.header.size;
  }

  async readDocument(name: string): Promise<Buffer> {
    const member = this.find(name);
    if (member === undefined) throw missingMember(this.path, name);
    checkDocumentSize(this.path, name, member.header.size);
    const handle = await open(this.path, "r");
    try {
      return await readAt(handle, member.dataOffset, member.header.size);
    } finally {
      await handle.close();
    }
  }

  stream(name: string): AsyncIterable<Uint8Array> {
    const member = this.find(name);
    if (member === undefined) throw missingMember(this.path, name);
    const { dataOffset, header } = member;
    if (header.size === 0) return emptySource();
    return createReadStream(this.path, {
      start: dataOffset,
      end: dataOffset + header.size - 1,
    });
  }

  /**
   * Finds a regular member, following symbolic and hard links. Legacy
   * `docker save` output links a repeated layer to its first copy.
   */
  private find(name: string, depth = 0): TarMember | undefined {
    const normalized = requireMemberName(this.path, name);
    const member = this.members.get(normalized);
    if (member === undefined || depth > MAX_LINK_DEPTH) return undefined;
    const { type, linkName } = member.header;
    if (type === "symlink") {
      const target = linkName.startsWith("/")
        ? linkName
        : posix.join(posix.dirname(normalized), linkName);
      return this.find(target, depth + 1);
    }
    if (type === "hardlink") return this.find(linkName, depth + 1);
    return type === "file" ? member : undefined;
  }
}

async function* emptySource(): AsyncGenerator<Uint8Array> {}

async function rejectCompressedArchive(path: string, handle: FileHandle) {
  const head = await readAt(handle, 0, 4, false);
  const compression = detectCompression(head);
  if (compression === "none") return;
  const tool = compression === "gzip" ? "gunzip" : "unzstd";
  throw new ImageFormatError(
    path,
    `the archive is ${compression}-compressed. ` +
      `Decompress it first, for example with \`${tool} --keep\`.`,
  );
}

/** Reads every header of a tar file, seeking past member data. */
async function indexMembers(
  path: string,
  handle: FileHandle,
): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const metadata = new TarMetadata();
  const fileSize = (await handle.stat()).size;
  let offset = 0;
  try {
    for (;;) {
      const block = await readAt(handle, offset, TAR_BLOCK_SIZE, false);
      if (block.length === 0 || isZeroBlock(block)) return members;
      if (block.length < TAR_BLOCK_SIZE) {
        throw new TarFormatError(`header at byte ${offset} is cut off`);
      }
      const raw = parseHeaderBlock(block);
      offset += TAR_BLOCK_SIZE;
      if (offset + raw.size > fileSize) {
        throw new TarFormatError(`data of \`${raw.name}\` is cut off`);
      }
      if (metadata.isMetadata(raw)) {
        const size = metadata.metadataSize(raw);
        metadata.absorb(raw, await readAt(handle, offset, size));
      } else {
        addMember(members, metadata.resolve(raw), offset);
      }
      offset += raw.size + paddingAfter(raw.size);
    }
  } catch (error) {
    if (!(error instanceof TarFormatError)) throw error;
    throw new ImageFormatError(
      path,
      `not a valid tar archive: ${error.message}. ` +
        "Pass the output of `docker save` or the folder it was extracted to.",
      { cause: error },
    );
  }
}

function addMember(
  members: Map<string, TarMember>,
  header: TarHeader,
  dataOffset: number,
): void {
  const name = normalizeMemberName(header.name);
  // Members outside the root cannot be named by a manifest, so they are left out.
  if (name === undefined || name === "") return;
  members.set(name, { header, dataOffset });
}

/**
 * Reads `length` bytes at `offset`. With `exact`, a short read throws
 * TarFormatError because the archive is cut off.
 */
async function readAt(
  handle: FileHandle,
  offset: number,
  length: number,
  exact = true,
): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(
      buffer,
      filled,
      length - filled,
      offset + filled,
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (exact && filled < length) {
    throw new TarFormatError(`data at byte ${offset} is cut off`);
  }
  return buffer.subarray(0, filled);
}
