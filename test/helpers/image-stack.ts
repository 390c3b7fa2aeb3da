import { LayeredFilesystem } from "../../src/image/filesystem.js";
import {
  readLayerChanges,
  type LayerChanges,
} from "../../src/image/layer-changes.js";
import { buildTar, type TarEntrySpec } from "./image-tar.js";

/** Yields a buffer in pieces of `size` bytes, like a file stream would. */
export async function* chunked(
  data: Buffer,
  size = 700,
): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) {
    yield data.subarray(offset, offset + size);
  }
}

export function readLayerTar(
  entries: readonly TarEntrySpec[],
): Promise<LayerChanges> {
  return readLayerChanges(chunked(buildTar(entries)));
}

/** Reads and applies layers given as tar entry lists, base layer first. */
export async function stackLayers(
  layers: readonly (readonly TarEntrySpec[])[],
): Promise<LayeredFilesystem> {
  const filesystem = new LayeredFilesystem();
  for (const [index, entries] of layers.entries()) {
    filesystem.apply(index, await readLayerTar(entries));
  }
  return filesystem;
}
