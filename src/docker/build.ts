import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildArguments, type BuildRequest } from "./arguments.js";
import type { DockerClient } from "./client.js";
import { TailBuffer, runDocker } from "./process.js";

/** The outcome of one build. */
export interface BuildResult {
  /** True when the build command exited with status 0. */
  ok: boolean;
  /** Image ID (`sha256:...`) that the builder wrote to `--iidfile`. */
  imageId?: string;
  /**
   * Build output with `--progress=plain`, stdout and stderr in arrival order.
   * Only the last `maxLogLength` characters are kept, after a line that
   * counts the dropped ones.
   */
  log: string;
}

/** Maximum characters of build output kept in BuildResult.log. */
export const maxLogLength = 1024 * 1024;

/**
 * Builds an image with BuildKit and tags it `request.tag`. A failed build
 * resolves with `ok: false` and its log. Throws BuildOptionError for options
 * the builder lacks, and DockerCommandError when the client cannot run.
 */
export async function build(
  client: DockerClient,
  request: BuildRequest,
): Promise<BuildResult> {
  const folder = await mkdtemp(join(tmpdir(), "layerfix-build-"));
  try {
    const imageIdFile = join(folder, "image-id");
    const args = buildArguments(client, request, imageIdFile);
    const log = new TailBuffer(maxLogLength);
    const onLine = (line: string): void => {
      log.append(line + "\n");
      request.onProgress?.(line);
    };

    const result = await runDocker(client.path, args, {
      env: client.env,
      onLine,
      maxOutput: maxLogLength,
    });
    const ok = result.exitCode === 0;
    const imageId = ok ? await readImageId(imageIdFile) : undefined;
    return { ok, imageId, log: formatLog(log) };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Returns the image ID from the `--iidfile` file, or undefined without one. */
async function readImageId(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text === "" ? undefined : text;
  } catch (error) {
    // The builder writes no file when it exports no image, as with a
    // buildx builder that keeps results in its cache.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function formatLog(log: TailBuffer): string {
  const text = log.toString();
  if (log.dropped === 0) return text;
  return `[${log.dropped} characters of earlier build output dropped]\n${text}`;
}
