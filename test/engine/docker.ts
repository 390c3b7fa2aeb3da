import { execFile } from "node:child_process";

/** The exit status and output of one Docker client command. */
export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The client path that the suite's own Docker commands use. run.sh sets
 * LAYERFIX_DOCKER, and layerfix reads the same variable.
 */
export const dockerClient = process.env.LAYERFIX_DOCKER ?? "/usr/bin/docker";

/**
 * Runs a Docker client command with the caller's DOCKER_HOST and resolves
 * with its status and output. Rejects only when the client cannot start.
 */
export function docker(args: readonly string[]): Promise<DockerRun> {
  const env = { ...process.env, DOCKER_BUILDKIT: "1" };
  const options = { env, maxBuffer: 256 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    execFile(dockerClient, args, options, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(error);
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Runs a Docker client command and throws with its stderr when it fails. */
export async function dockerOk(args: readonly string[]): Promise<string> {
  const run = await docker(args);
  if (run.code !== 0) {
    const tail = run.stderr.trim().split("\n").slice(-15).join("\n");
    throw new Error(`\`docker ${args.join(" ")}\` failed:\n${tail}`);
  }
  return run.stdout;
}

/** Builds an image with BuildKit and no cache, and tags it. */
export async function buildImage(
  dockerfile: string,
  context: string,
  tag: string,
): Promise<void> {
  const args = ["build", "--no-cache", "--progress=plain"];
  await dockerOk([...args, "--file", dockerfile, "--tag", tag, context]);
}

/** Removes images by tag, and ignores tags that are already gone. */
export async function removeTags(tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const run = await docker(["image", "rm", "--force", ...tags]);
  const missing = /no such image/i;
  if (run.code !== 0 && !missing.test(run.stderr)) {
    throw new Error(`cannot remove images ${tags.join(", ")}: ${run.stderr}`);
  }
}
