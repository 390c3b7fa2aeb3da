import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { decompress, detectCompression } from "../src/image/decompress.js";
import { CompressedDataError } from "../src/image/errors.js";
import { chunked } from "./helpers/image-stack.js";
import { gzip, zstdRawFrame, zstdRleFrame } from "./helpers/image-tar.js";

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces);
}

async function roundTrip(blob: Buffer, chunkSize = 50) {
  const { compression, chunks } = await decompress(chunked(blob, chunkSize));
  return { compression, data: await collect(chunks) };
}

const payload = Buffer.from("layer bytes ".repeat(20_000));
const hasZstdTool = spawnSync("zstd", ["--version"]).status === 0;

describe("detectCompression", () => {
  it("tells the formats apart by magic bytes", () => {
    expect(detectCompression(gzip(payload))).toBe("gzip");
    expect(detectCompression(zstdRawFrame(payload))).toBe("zstd");
    expect(detectCompression(payload)).toBe("none");
    expect(detectCompression(Buffer.alloc(0))).toBe("none");
  });
});

describe("decompress", () => {
  it("passes uncompressed data through", async () => {
    const result = await roundTrip(payload);
    expect(result.compression).toBe("none");
    expect(result.data.equals(payload)).toBe(true);
  });

  it("inflates gzip split into small chunks", async () => {
    const result = await roundTrip(gzip(payload), 3);
    expect(result.compression).toBe("gzip");
    expect(result.data.equals(payload)).toBe(true);
  });

  it("inflates concatenated gzip members", async () => {
    const blob = Buffer.concat([
      gzip(Buffer.from("one ")),
      gzip(Buffer.from("two")),
    ]);
    expect((await roundTrip(blob)).data.toString()).toBe("one two");
  });

  it("decodes zstd raw blocks across several blocks", async () => {
    const result = await roundTrip(zstdRawFrame(payload), 1000);
    expect(result.compression).toBe("zstd");
    expect(result.data.length).toBe(payload.length);
    expect(result.data.equals(payload)).toBe(true);
  });

  it("decodes zstd RLE blocks and several frames", async () => {
    const blob = Buffer.concat([
      zstdRleFrame(0x61, 5),
      zstdRawFrame(Buffer.from("bc")),
    ]);
    expect((await roundTrip(blob, 4)).data.toString()).toBe("aaaaabc");
  });

  it.skipIf(!hasZstdTool)("decodes output of the zstd tool", async () => {
    const compressed = spawnSync("zstd", ["-19", "-c"], { input: payload });
    expect(compressed.status).toBe(0);
    const result = await roundTrip(compressed.stdout, 4096);
    expect(result.data.equals(payload)).toBe(true);
  });

  it("rejects damaged gzip data", async () => {
    const blob = gzip(payload);
    blob.fill(0xff, 20, 60);
    await expect(roundTrip(blob)).rejects.toThrow(CompressedDataError);
  });

  it("rejects a cut-off zstd frame", async () => {
    const blob = zstdRawFrame(payload).subarray(0, 5000);
    await expect(roundTrip(blob)).rejects.toThrow(CompressedDataError);
  });

  it("passes on an error of the source", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gzip(payload).subarray(0, 100);
      throw new Error("disk read failed");
    }
    const { chunks } = await decompress(failing());
    await expect(collect(chunks)).rejects.toThrow("disk read failed");
  });
});
