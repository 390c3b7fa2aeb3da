import type { ImageArchive } from "./archive.js";
import { ImageSelectionError, MissingBlobError } from "./errors.js";
import { stringField, type JsonObject } from "./json.js";
import { formatPlatform, matchesPlatform, type Platform } from "./platform.js";

/** The two folder layouts that `docker save` writes. */
export type LayoutKind = "oci" | "legacy";

/** A layer blob in the archive, in the order the manifest lists it. */
export interface LayerBlob {
  /** Member name in the archive, like `blobs/sha256/<hex>`. */
  member: string;
  /** Blob digest from an OCI manifest. Legacy manifests have none. */
  digest?: string;
  mediaType?: string;
  /** Bytes of the blob as stored, compressed or not. */
  storedSize: number;
}

/** The manifest, config and layer list of the one image that was chosen. */
export interface ImageSource {
  layout: LayoutKind;
  /** Tags or reference names that the archive gives the image. */
  references: string[];
  /** From the index descriptor, or else from the config. */
  platform?: Platform;
  manifestDigest?: string;
  configDigest?: string;
  config: JsonObject;
  layers: LayerBlob[];
}

/** The image to read from an archive, by platform and reference. */
export interface ImageSelection {
  /** The platform to pick from a multi-platform index. */
  platform?: Platform;
  /** Tag or reference name, for an archive that contains several images. */
  reference?: string;
}

/**
 * Returns a member's size. Throws MissingBlobError naming the digest and
 * the member's role (`layer`, `image config`), so the user sees which blob
 * the archive lacks.
 */
export async function requireMember(
  archive: ImageArchive,
  member: string,
  role: string,
  digest?: string,
): Promise<number> {
  const size = await archive.sizeOf(member);
  if (size !== undefined) return size;
  const blob = digest === undefined ? `\`${member}\`` : `blob ${digest}`;
  throw new MissingBlobError(
    archive.path,
    member,
    digest,
    `${role} ${blob} is missing` +
      (digest === undefined ? "" : ` (expected at \`${member}\`)`) +
      ". Save the image again with `docker save`; " +
      "with the containerd image store, pull that platform first.",
  );
}

/**
 * Reads `os`, `architecture` and `variant` from an image config or an index
 * descriptor's `platform` object. Returns undefined if either of the first
 * two is missing.
 */
export function readPlatform(
  object: JsonObject | undefined,
): Platform | undefined {
  const os = stringField(object, "os");
  const architecture = stringField(object, "architecture");
  if (os === undefined || architecture === undefined) return undefined;
  const variant = stringField(object, "variant");
  return variant === undefined || variant === ""
    ? { os, architecture }
    : { os, architecture, variant };
}

/**
 * Throws ImageSelectionError when a platform was requested and the config
 * declares another one. This covers archives that list no platforms.
 */
export function checkConfigPlatform(
  archivePath: string,
  config: JsonObject,
  requested: Platform | undefined,
): void {
  const declared = readPlatform(config);
  if (requested === undefined || declared === undefined) return;
  if (matchesPlatform(declared, requested)) return;
  const actual = formatPlatform(declared);
  throw new ImageSelectionError(
    archivePath,
    [actual],
    `the image is for ${actual}, not ${formatPlatform(requested)}. ` +
      `Pass --platform ${actual}, or save an image for the requested platform.`,
  );
}
