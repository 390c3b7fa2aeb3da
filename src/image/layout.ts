import type { ImageArchive } from "./archive.js";
import { ImageFormatError } from "./errors.js";
import type { ImageSelection, ImageSource } from "./image-source.js";
import { resolveLegacyImage } from "./legacy-layout.js";
import { resolveOciImage } from "./oci-layout.js";

/**
 * Finds the layout of a `docker save` output and resolves the chosen image.
 * Docker 25 and later write both an OCI layout and a legacy manifest.json
 * for the same image. The OCI layout wins whenever `oci-layout` and
 * `index.json` exist, because it also records platforms and media types.
 */
export async function resolveImageSource(
  archive: ImageArchive,
  selection: ImageSelection = {},
): Promise<ImageSource> {
  const hasOciLayout =
    (await archive.sizeOf("oci-layout")) !== undefined &&
    (await archive.sizeOf("index.json")) !== undefined;
  if (hasOciLayout) return resolveOciImage(archive, selection);
  if ((await archive.sizeOf("manifest.json")) !== undefined) {
    return resolveLegacyImage(archive, selection);
  }
  throw new ImageFormatError(
    archive.path,
    "no `manifest.json` and no `oci-layout` with `index.json` found. " +
      "Pass the tar file that `docker save` writes, or the folder it was " +
      "extracted to.",
  );
}
