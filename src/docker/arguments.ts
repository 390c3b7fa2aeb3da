import { resolve } from "node:path";

import { BuildOptionError } from "./errors.js";

/**
 * The BuildKit front end of a client: `buildx` is the buildx plugin
 * (`docker buildx build`), and `built-in` is the BuildKit support of
 * clients before 23.0 (`docker build` with DOCKER_BUILDKIT=1).
 */
export type BuilderKind = "buildx" | "built-in";

/** The facts about a client that decide the build command line. */
export interface BuilderFacts {
  builder: BuilderKind;
  /**
   * True when the buildx builder keeps results in its own store, as the
   * `docker-container`, `kubernetes` and `remote` drivers do, so a build
   * needs `--load` to put the image into the engine.
   */
  needsLoad: boolean;
}

/** One image build. Paths may be relative to the working directory. */
export interface BuildRequest {
  /** Path of the Dockerfile. */
  dockerfile: string;
  /** Path of the build context folder. */
  context: string;
  /** Build stage to stop at (`--target`). */
  target?: string;
  /** `NAME=value`, or `NAME` to take the value from the environment. */
  buildArgs?: readonly string[];
  /** Target platform, like `linux/amd64`. */
  platform?: string;
  /** `--secret` values, like `id=token,src=token.txt`. */
  secrets?: readonly string[];
  /** `--ssh` values, like `default` or `deploy=/path/to/key`. */
  ssh?: readonly string[];
  /** `--build-context` values, like `base=docker-image://alpine`. */
  buildContexts?: readonly string[];
  /** Image reference to tag the result with. */
  tag: string;
  noCache: boolean;
  /** Receives each progress line of the build log. */
  onProgress?: (line: string) => void;
}

/**
 * Returns the arguments of the build command for `request`. Throws
 * BuildOptionError when the request needs a feature that the builder lacks.
 * Paths become absolute, so a path that starts with `-` is not read as a flag.
 */
export function buildArguments(
  facts: BuilderFacts,
  request: BuildRequest,
  imageIdFile: string,
): string[] {
  const buildContexts = request.buildContexts ?? [];
  if (facts.builder === "built-in" && buildContexts.length > 0) {
    throw new BuildOptionError(
      "buildContexts",
      "named build contexts (`--build-context`) need the buildx plugin, " +
        "and this Docker client builds with its built-in BuildKit. " +
        "Install buildx or pass --docker with a client that has it.",
    );
  }

  const args = facts.builder === "buildx" ? ["buildx", "build"] : ["build"];
  args.push("--progress=plain", "--file", resolve(request.dockerfile));
  args.push("--tag", request.tag, "--iidfile", imageIdFile);
  if (request.noCache) args.push("--no-cache");
  if (request.target !== undefined) args.push("--target", request.target);
  if (request.platform !== undefined) {
    args.push("--platform", request.platform);
  }

  args.push(...repeatFlag("--build-arg", request.buildArgs));
  args.push(...repeatFlag("--secret", request.secrets));
  args.push(...repeatFlag("--ssh", request.ssh));
  args.push(...repeatFlag("--build-context", buildContexts));
  if (facts.needsLoad) args.push("--load");
  args.push(resolve(request.context));
  return args;
}

function repeatFlag(
  flag: string,
  values: readonly string[] | undefined,
): string[] {
  return (values ?? []).flatMap((value) => [flag, value]);
}

/**
 * Returns the environment for Docker commands: the caller's, including
 * DOCKER_HOST, DOCKER_CONTEXT and BUILDX_BUILDER, with DOCKER_BUILDKIT=1,
 * which makes clients before 23.0 build with BuildKit.
 */
export function dockerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DOCKER_BUILDKIT: "1" };
}

/**
 * Returns the version from `docker --version` output, like `20.10.24+dfsg1`
 * from `Docker version 20.10.24+dfsg1, build 297e128`, or undefined for
 * other output.
 */
export function parseClientVersion(output: string): string | undefined {
  const match = /^Docker version ([^\s,]+)/m.exec(output);
  return match?.[1];
}

/**
 * Returns true when a client of this version builds with BuildKit without
 * buildx. Docker 23.0 made `docker build` an alias of `docker buildx build`,
 * and later clients without buildx reject DOCKER_BUILDKIT=1.
 */
export function hasBuiltInBuildKit(version: string): boolean {
  const major = Number.parseInt(version, 10);
  return Number.isInteger(major) && major < 23;
}

/**
 * Returns the driver of the selected builder from `docker buildx inspect`
 * output, like `docker` or `docker-container`, or undefined when the output
 * names none.
 */
export function parseBuildxDriver(output: string): string | undefined {
  const match = /^Driver:\s*(\S+)/m.exec(output);
  return match?.[1];
}
