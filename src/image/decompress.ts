import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress as ZstdDecoder } from "fzstd";
import { CompressedDataError } from "./errors.js";

export type Compression = "none" | "gzip" | "zstd";

/** Bytes needed to tell the formats apart. */
const MAGIC_LENGTH = 4;

/** A byte source after its compression was detected and undone. */
export interface DecompressedSource {
  compression: Compression;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Detects gzip or zstd from the magic bytes, ignoring any media type, which
 * tools do not always set right.
 */
export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  const zstd = [0x28, 0xb5, 0x2f, 0xfd];
  if (zstd.every((byte, i) => head[i] === byte)) return "zstd";
  return "none";
}

/**
 * Reads the first bytes of `source` to detect its compression, and returns
 * the decompressed stream. Throws CompressedDataError for invalid data.
 */
export async function decompress(
  source: AsyncIterable<Uint8Array>,
): Promise<DecompressedSource> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < MAGIC_LENGTH) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const compression = detectCompression(Buffer.concat(head));
  const whole = prepend(head, iterator);
  if (compression === "gzip") return { compression, chunks: gunzip(whole) };
  if (compression === "zstd") return { compression, chunks: unzstd(whole) };
  return { compression, chunks: whole };
}

async function* prepend(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield* head;
  let next = await rest.next();
  while (next.done !== true) {
    yield next.value;
    next = await rest.next();
  }
}

/** Inflates gzip data, including concatenated gzip members. */
async function* gunzip(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  const inflater = createGunzip();
  let sourceError: unknown;
  input.on("error", (error) => {
    sourceError = error;
    inflater.destroy(error);
  });
  input.pipe(inflater);
  try {
    yield* inflater;
  } catch (error) {
    if (error === sourceError) throw error;
    throw new CompressedDataError(`invalid gzip data: ${String(error)}`, {
      cause: error,
    });
  } finally {
    input.destroy();
  }
}

/** Decodes zstd frames with fzstd, because Node 20's zlib has no zstd. */
async function* unzstd(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const output: Uint8Array[] = [];
  const decoder = new ZstdDecoder((chunk) => {
    if (chunk.length > 0) output.push(chunk);
  });
  for await (const chunk of source) {
    pushZstd(decoder, chunk, false);
    yield* output.splice(0);
  }
  pushZstd(decoder, new Uint8Array(0), true);
  yield* output.splice(0);
}

function pushZstd(decoder: ZstdDecoder, chunk: Uint8Array, final: boolean) {
  try {
    decoder.push(chunk, final);
  } catch (error) {
    throw new CompressedDataError(`invalid zstd data: ${String(error)}`, {
      cause: error,
    });
  }
}
