import { TarFormatError } from "./errors.js";
import {
  TAR_BLOCK_SIZE,
  TarMetadata,
  isZeroBlock,
  paddingAfter,
  parseHeaderBlock,
  type TarHeader,
} from "./tar-header.js";

const EMPTY = Buffer.alloc(0);

/**
 * A forward-only reader over a chunked byte source that counts the bytes it
 * consumes. It keeps at most one source chunk and the unread rest of the
 * chunk before it.
 */
export class ByteStream {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer = EMPTY;
  private ended = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Reads `length` bytes, or fewer only at the end of the source. */
  async read(length: number): Promise<Buffer> {
    let more = true;
    while (this.pending.length < length && more) {
      more = await this.pull();
    }
    return this.consume(length);
  }

  /** Yields exactly `length` bytes in pieces, or throws at an early end. */
  async *take(length: number): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      if (this.pending.length === 0 && !(await this.pull())) {
        throw new TarFormatError(
          `data ends ${remaining} bytes early, at byte ${this.position}`,
        );
      }
      const piece = this.consume(remaining);
      remaining -= piece.length;
      yield piece;
    }
  }

  /** Skips exactly `length` bytes, or throws at an early end. */
  async skip(length: number): Promise<void> {
    for await (const piece of this.take(length)) {
      void piece;
    }
  }

  /** Consumes the rest of the source. */
  async drain(): Promise<void> {
    this.consume(this.pending.length);
    while (await this.pull()) {
      this.consume(this.pending.length);
    }
  }

  private consume(length: number): Buffer {
    const piece = this.pending.subarray(0, length);
    this.pending = this.pending.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done === true) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(
      next.value.buffer,
      next.value.byteOffset,
      next.value.byteLength,
    );
    this.pending =
      this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }
}

/** One member of a tar stream. Read `content()` before requesting the next. */
export interface TarEntry {
  header: TarHeader;
  /** Yields the entry data. Whatever is left unread is skipped. */
  content(): AsyncGenerator<Buffer>;
}

/**
 * Yields the members of a tar stream in archive order. It stops at the
 * end-of-archive block, or at the end of the source if that comes first.
 * Throws TarFormatError for a damaged or truncated archive.
 */
export async function* readTarEntries(
  stream: ByteStream,
): AsyncGenerator<TarEntry> {
  const metadata = new TarMetadata();
  for (;;) {
    const block = await stream.read(TAR_BLOCK_SIZE);
    if (block.length === 0 || isZeroBlock(block)) return;
    if (block.length < TAR_BLOCK_SIZE) {
      throw new TarFormatError(`header at byte ${stream.position} is cut off`);
    }
    const raw = parseHeaderBlock(block);
    if (metadata.isMetadata(raw)) {
      const data = await readAll(stream, metadata.metadataSize(raw));
      metadata.absorb(raw, data);
      await stream.skip(paddingAfter(raw.size));
      continue;
    }
    const header = metadata.resolve(raw);
    const body = new EntryBody(stream, header.size);
    yield { header, content: () => body.chunks() };
    await body.skipRest();
    await stream.skip(paddingAfter(header.size));
  }
}

/** Tracks how much of one entry's data the consumer has read. */
class EntryBody {
  private remaining: number;

  constructor(
    private readonly stream: ByteStream,
    size: number,
  ) {
    this.remaining = size;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for await (const piece of this.stream.take(this.remaining)) {
      this.remaining -= piece.length;
      yield piece;
    }
  }

  async skipRest(): Promise<void> {
    await this.stream.skip(this.remaining);
    this.remaining = 0;
  }
}

async function readAll(stream: ByteStream, length: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream.take(length)) {
    pieces.push(Buffer.from(piece));
  }
  return Buffer.concat(pieces);
}
