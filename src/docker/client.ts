import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";

import {
  dockerEnvironment,
  hasBuiltInBuildKit,
  parseBuildxDriver,
  parseClientVersion,
  type BuilderKind,
} from "./arguments.js";
import { DockerClientError, DockerCommandError } from "./errors.js";
import { lastNonEmptyLine, runDocker, type RunResult } from "./process.js";

export { build, type BuildResult } from "./build.js";
export { inspectImage, removeImages, saveImage } from "./images.js";
export type { ImageInspect } from "./images.js";
export type { BuildRequest, BuilderKind } from "./arguments.js";
export * from "./errors.js";

/** A Docker client that can build with BuildKit, and how it builds. */
export interface DockerClient {
  /** Path of the client executable. */
  path: string;
  /** Client version from `docker --version`, like `20.10.24+dfsg1`. */
  version: string;
  builder: BuilderKind;
  /** Driver of the selected buildx builder; undefined for `built-in`. */
  buildxDriver?: string;
  /**
   * True when builds add `--load` because the builder does not put images
   * into the engine: any buildx driver other than `docker`, or one that
   * `docker buildx inspect` did not name.
   */
  needsLoad: boolean;
  /** Environment of every command: the caller's, with DOCKER_BUILDKIT=1. */
  env: NodeJS.ProcessEnv;
}

/** Options of findDockerClient. */
export interface FindClientOptions {
  /** Client path from `--docker`; a name without `/` is looked up on PATH. */
  docker?: string;
  /** Environment to search and to run the client with; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Paths tried after `docker` on PATH; default the docker.io package's. */
  packagedClients?: readonly string[];
}

/** The engine state that checkEngine found. */
export type EngineStatus =
  { available: true; version: string } | { available: false; reason: string };

/** The client path that the Debian and Ubuntu `docker.io` packages install. */
const packagedClientPaths = ["/usr/bin/docker"];

const probeTimeoutMs = 20_000;

/**
 * Finds a Docker client that can build with BuildKit. Uses `--docker`, else
 * LAYERFIX_DOCKER, else the first usable candidate among `docker` on PATH
 * and the packaged clients. Throws DockerClientError when a requested
 * client cannot be used. Returns undefined when no candidate is usable.
 */
export async function findDockerClient(
  options: FindClientOptions = {},
): Promise<DockerClient | undefined> {
  const env = options.env ?? process.env;
  if (options.docker !== undefined) {
    return requireClient(options.docker, "--docker", env);
  }
  const fromEnv = nonEmpty(env.LAYERFIX_DOCKER);
  if (fromEnv !== undefined) {
    return requireClient(fromEnv, "LAYERFIX_DOCKER", env);
  }

  const onPath = await findExecutable("docker", env);
  const candidates = [
    ...(onPath === undefined ? [] : [onPath]),
    ...(options.packagedClients ?? packagedClientPaths),
  ];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const real = await realpath(candidate).catch(() => undefined);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    const probe = await probeClient(candidate, env);
    if (probe.client !== undefined) return probe.client;
  }
  return undefined;
}

/**
 * Probes the client that `origin` (`--docker` or LAYERFIX_DOCKER) names, and
 * throws DockerClientError with that origin when it cannot be used.
 */
async function requireClient(
  requested: string,
  origin: string,
  env: NodeJS.ProcessEnv,
): Promise<DockerClient> {
  const path = requested.includes("/")
    ? requested
    : await findExecutable(requested, env);
  if (path === undefined) {
    throw new DockerClientError(
      requested,
      `Docker client \`${requested}\` from ${origin} is not found on PATH. ` +
        `Set ${origin} to the client's full path.`,
    );
  }

  if (!(await isExecutableFile(path))) {
    throw new DockerClientError(
      path,
      `Docker client \`${path}\` from ${origin} is not found or not ` +
        `executable. Set ${origin} to the path of a Docker client.`,
    );
  }

  const probe = await probeClient(path, env);
  if (probe.client !== undefined) return probe.client;
  throw new DockerClientError(
    path,
    `cannot use Docker client \`${path}\` from ${origin}: ${probe.reason}. ` +
      `Set ${origin} to a client that has the buildx plugin, or to a ` +
      "client before 23.0.",
  );
}

type ProbeResult =
  | { client: DockerClient; reason?: undefined }
  | { client?: undefined; reason: string };

/** Runs `--version` and buildx commands to learn how a client builds. */
async function probeClient(
  path: string,
  callerEnv: NodeJS.ProcessEnv,
): Promise<ProbeResult> {
  const env = dockerEnvironment(callerEnv);
  const versionRun = await runProbe(path, ["--version"], env);
  if (typeof versionRun === "string") return { reason: versionRun };
  const version = parseClientVersion(versionRun.stdout);
  if (version === undefined) {
    return { reason: "`--version` printed no Docker client version" };
  }

  const buildxRun = await runProbe(path, ["buildx", "version"], env);
  if (typeof buildxRun !== "string" && buildxRun.exitCode === 0) {
    // A Driver line is enough whatever the exit code, and without one the
    // build adds `--load`, which loads the image on every driver.
    // NOTE: the buildx path is tested only with fake clients, not a plugin.
    const inspectRun = await runProbe(path, ["buildx", "inspect"], env);
    const driver =
      typeof inspectRun === "string"
        ? undefined
        : parseBuildxDriver(inspectRun.stdout);
    const needsLoad = driver !== "docker";
    return {
      client: {
        path,
        version,
        env,
        builder: "buildx",
        buildxDriver: driver,
        needsLoad,
      },
    };
  }

  if (!hasBuiltInBuildKit(version)) {
    return {
      reason:
        `client ${version} has no buildx plugin, and clients since ` +
        "Docker 23.0 need it to build with BuildKit",
    };
  }
  return {
    client: { path, version, env, builder: "built-in", needsLoad: false },
  };
}

/** Runs a probe command. Returns the reason as text when it cannot run. */
async function runProbe(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<RunResult | string> {
  try {
    return await runDocker(path, args, { env, timeoutMs: probeTimeoutMs });
  } catch (error) {
    if (error instanceof DockerCommandError) return error.message;
    throw error;
  }
}

/**
 * Checks that the engine responds to the client, with the client's
 * DOCKER_HOST or DOCKER_CONTEXT. Returns the server version or the reason.
 */
export async function checkEngine(client: DockerClient): Promise<EngineStatus> {
  const args = ["version", "--format", "{{json .Server}}"];
  const run = await runProbe(client.path, args, client.env);
  if (typeof run === "string") return { available: false, reason: run };

  const server = parseServer(run.stdout);
  if (run.exitCode === 0 && server !== undefined) {
    return { available: true, version: server };
  }
  const reason = lastNonEmptyLine(run.stderr) ?? "the engine sent no version";
  return { available: false, reason };
}

/** Returns true when the engine responds to the client. */
export async function engineAvailable(client: DockerClient): Promise<boolean> {
  const status = await checkEngine(client);
  return status.available;
}

function parseServer(stdout: string): string | undefined {
  try {
    const server: unknown = JSON.parse(stdout);
    if (typeof server !== "object" || server === null) return undefined;
    const version = (server as { Version?: unknown }).Version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the first executable file called `name` in the PATH folders. */
async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const folders = (env.PATH ?? "").split(delimiter).filter((f) => f !== "");
  for (const folder of folders) {
    const path = join(folder, name);
    if (await isExecutableFile(path)) return path;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
