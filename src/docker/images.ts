import type { DockerClient } from "./client.js";
import { DockerCommandError, ImageNotFoundError } from "./errors.js";
import { describeCommand, requireSuccess, runDocker } from "./process.js";

/**
 * The fields of `docker image inspect` output that layerfix reads. The
 * engine sends more, and they are kept as they are.
 */
export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  Created?: string;
  Architecture?: string;
  Os?: string;
  /** Bytes of all layers, uncompressed. */
  Size?: number;
  Config?: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: Record<string, string> | null;
    [key: string]: unknown;
  } | null;
  RootFS?: { Type: string; Layers?: string[] };
  [key: string]: unknown;
}

// Engines report a missing image as "No such image: <ref>" (inspect and rm,
// 20.10 and 28.x) or as "reference does not exist" (save, 20.10).
const missingImagePattern = /no such image|reference does not exist/i;

/**
 * Writes the image `reference` to `outFile` as a tar archive with
 * `docker image save`. Throws ImageNotFoundError for a missing image.
 */
export async function saveImage(
  client: DockerClient,
  reference: string,
  outFile: string,
): Promise<void> {
  const args = ["image", "save", "--output", outFile, reference];
  const result = await runDocker(client.path, args, { env: client.env });
  if (result.exitCode !== 0 && missingImagePattern.test(result.stderr)) {
    throw new ImageNotFoundError(reference);
  }
  requireSuccess(client.path, args, result);
}

/**
 * Returns the parsed `docker image inspect` output of one image. Throws
 * ImageNotFoundError for a missing image.
 */
export async function inspectImage(
  client: DockerClient,
  reference: string,
): Promise<ImageInspect> {
  const args = ["image", "inspect", reference];
  const result = await runDocker(client.path, args, { env: client.env });
  const images = parseInspectOutput(result.stdout);
  if (images?.length === 0) throw new ImageNotFoundError(reference);
  requireSuccess(client.path, args, result);

  const image = images?.[0];
  if (!isImageInspect(image)) {
    throw new DockerCommandError(
      `\`${describeCommand(client.path, args)}\` printed output that is ` +
        "not a list of images. Check that the client is a Docker client.",
      args,
      result.exitCode,
      result.stderr,
    );
  }
  return image;
}

function parseInspectOutput(stdout: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isImageInspect(value: unknown): value is ImageInspect {
  if (typeof value !== "object" || value === null) return false;
  return typeof (value as { Id?: unknown }).Id === "string";
}

/**
 * Removes images by reference with `docker image rm`. References with no
 * image are skipped, so cleanup can run twice. An image that a container
 * still uses is not removed, and the command error is thrown.
 */
export async function removeImages(
  client: DockerClient,
  references: readonly string[],
): Promise<void> {
  if (references.length === 0) return;
  const args = ["image", "rm", ...references];
  const result = await runDocker(client.path, args, { env: client.env });
  if (result.exitCode === 0) return;

  const errors = result.stderr
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !missingImagePattern.test(line));
  if (errors.length === 0) return;
  requireSuccess(client.path, args, { ...result, stderr: errors.join("\n") });
}
