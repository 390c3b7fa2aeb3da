import { openImageArchive, type ImageArchive } from "./archive.js";
import { decompress, type Compression } from "./decompress.js";
import {
  CompressedDataError,
  LayerFormatError,
  TarFormatError,
} from "./errors.js";
import { HardLinkTargetError, LayeredFilesystem } from "./filesystem.js";
import {
  pairHistoryWithLayers,
  readHistory,
  type HistoryStep,
} from "./history.js";
import type { ImageSource, LayerBlob, LayoutKind } from "./image-source.js";
import {
  arrayField,
  objectField,
  stringItems,
  type JsonObject,
} from "./json.js";
import { readLayerChanges, type LayerChanges } from "./layer-changes.js";
import { resolveImageSource } from "./layout.js";
import { parsePlatform, type Platform } from "./platform.js";

/** One layer of an image, as stored and as applied. */
export interface ImageLayer {
  /** Position in the manifest, from 0 for the base layer. */
  index: number;
  /** Archive member that contains the layer blob. */
  member: string;
  /** Blob digest from an OCI manifest. */
  digest?: string;
  /** Digest of the uncompressed tar, from the config's `rootfs.diff_ids`. */
  diffId?: string;
  mediaType?: string;
  /** Compression found from the blob's magic bytes. */
  compression: Compression;
  /** Bytes of the blob as stored in the archive. */
  storedSize: number;
  /** Bytes of the uncompressed tar stream: the layer's size. */
  size: number;
  /** The history step that produced the layer, if known. */
  step?: HistoryStep;
}

/** An image read from a `docker save` output, with its stacked filesystem. */
export interface Image {
  /** The tar file or folder it was read from. */
  path: string;
  layout: LayoutKind;
  references: string[];
  platform?: Platform;
  manifestDigest?: string;
  configDigest?: string;
  /** The image config JSON, including `config`, `history` and `rootfs`. */
  config: JsonObject;
  history: HistoryStep[];
  /** False when history and layers disagree, so layers are unknown. */
  historyMatched: boolean;
  layers: ImageLayer[];
  filesystem: LayeredFilesystem;
}

export interface ReadImageOptions {
  /** `os/architecture[/variant]` or a parsed platform. */
  platform?: string | Platform;
  /** Tag or reference name, for an archive that contains several images. */
  reference?: string;
}

/**
 * Reads an image from a `docker save` tar file or extracted folder, in the
 * legacy or the OCI layout, and applies its layers one by one. Layers are
 * streamed, so memory grows with the number of paths, not with the bytes.
 * Throws ImageReadError subclasses, which name the path and the fix.
 */
export async function readImage(
  path: string,
  options: ReadImageOptions = {},
): Promise<Image> {
  const archive = await openImageArchive(path);
  const platform =
    typeof options.platform === "string"
      ? parsePlatform(options.platform)
      : options.platform;
  const source = await resolveImageSource(archive, {
    platform,
    reference: options.reference,
  });
  const history = readHistory(source.config);
  const pairing = pairHistoryWithLayers(history, source.layers.length);
  const { layers, filesystem } = await readLayers(
    archive,
    source,
    pairing.steps,
  );
  return {
    path,
    layout: source.layout,
    references: source.references,
    platform: source.platform,
    manifestDigest: source.manifestDigest,
    configDigest: source.configDigest,
    config: source.config,
    history,
    historyMatched: pairing.matched,
    layers,
    filesystem,
  };
}

/** Reads and applies the layers in order, base layer first. */
async function readLayers(
  archive: ImageArchive,
  source: ImageSource,
  steps: readonly (HistoryStep | undefined)[],
): Promise<{ layers: ImageLayer[]; filesystem: LayeredFilesystem }> {
  const diffIds = stringItems(
    arrayField(objectField(source.config, "rootfs"), "diff_ids"),
  );
  const filesystem = new LayeredFilesystem();
  const layers: ImageLayer[] = [];
  for (const [index, blob] of source.layers.entries()) {
    const { compression, changes } = await readLayer(archive, blob, index);
    applyLayer(archive.path, filesystem, index, changes);
    layers.push({
      index,
      member: blob.member,
      digest: blob.digest,
      diffId: diffIds[index],
      mediaType: blob.mediaType,
      compression,
      storedSize: blob.storedSize,
      size: changes.tarSize,
      step: steps[index],
    });
  }
  return { layers, filesystem };
}

async function readLayer(
  archive: ImageArchive,
  blob: LayerBlob,
  index: number,
): Promise<{ compression: Compression; changes: LayerChanges }> {
  try {
    const { compression, chunks } = await decompress(
      archive.stream(blob.member),
    );
    return { compression, changes: await readLayerChanges(chunks) };
  } catch (error) {
    if (
      error instanceof TarFormatError ||
      error instanceof CompressedDataError
    ) {
      throw new LayerFormatError(
        archive.path,
        index,
        `\`${blob.digest ?? blob.member}\` is damaged: ${error.message}. ` +
          "Save the image again with `docker save`.",
        { cause: error },
      );
    }
    throw error;
  }
}

function applyLayer(
  archivePath: string,
  filesystem: LayeredFilesystem,
  index: number,
  changes: LayerChanges,
): void {
  try {
    filesystem.apply(index, changes);
  } catch (error) {
    if (!(error instanceof HardLinkTargetError)) throw error;
    throw new LayerFormatError(
      archivePath,
      index,
      `${error.message} in this layer or a lower one, so Docker cannot ` +
        "extract it either. Rebuild the image.",
      { cause: error },
    );
  }
}
