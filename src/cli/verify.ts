import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

import {
  connectDocker,
  formatProgress,
  renderVerifyReport,
  verifyReportJson,
  verifyRewrite,
  type VerifyProgress,
  type VerifyReport,
} from "../verify/index.js";
import { readDockerfile } from "./files.js";
import { describeArgumentError, splitIds, UsageError } from "./options.js";
import { selectTransforms, type Streams } from "./rewrite.js";
import { runSubcommand } from "./subcommand.js";
import { readVersion } from "./version.js";

export const VERIFY_USAGE = `Usage: layerfix verify <Dockerfile> [options]

Rewrites the Dockerfile in memory, builds the original and the rewritten
file with --no-cache, and compares the two images: every path's type, mode,
owner, link target and content, and the image settings (Env, Cmd,
Entrypoint, WorkingDir, User, ExposedPorts, Labels, Healthcheck). Paths
that an applied transform removes on purpose (such as apt package lists)
count as removed caches, not differences. The Dockerfile is not changed,
and the images are removed at the end.

Options:
  --context DIR           build context (default: the Dockerfile's folder)
  --target NAME           build stage to build and compare
  --build-arg NAME=VALUE  build argument, repeatable
  --platform OS/ARCH      target platform, like linux/amd64
  --secret VALUE          build secret as docker build takes it, repeatable
  --ssh VALUE             SSH agent socket or keys, repeatable
  --build-context NAME=VALUE
                          named build context, repeatable (needs buildx)
  --unsafe                also apply changes whose safety is "unsafe"
  --only ID[,ID...]       rewrite with only these transforms
  --skip ID[,ID...]       do not rewrite with these transforms
  --noise                 build the original twice and set aside the paths
                          that differ between those builds; without it, a
                          default list (logs, ldconfig cache, shadow files,
                          __pycache__) is set aside
  --docker PATH           Docker client to build with (default:
                          LAYERFIX_DOCKER, else the first of docker on
                          PATH and /usr/bin/docker that builds with
                          BuildKit). It uses
                          the engine that DOCKER_HOST or DOCKER_CONTEXT name
  --json                  print the report as JSON (format version 1) with
                          outcome, builds, differences, noise,
                          removedCaches and saving
  --keep-images           leave the built images in the engine
  -h, --help              print this help

Progress goes to stderr, the report to stdout. Sizes are the sums of the
uncompressed layer tar streams, in SI units (1 MB = 1000 kB).

Exit codes:
  0  the rewritten image matches the original, or there is nothing to rewrite
  1  the rewritten Dockerfile does not build, or its image differs
  2  usage error, unreadable Dockerfile, no Docker engine, or the original
     Dockerfile does not build
`;

/** The parsed command line of `layerfix verify`. */
export interface VerifyCommandOptions {
  dockerfile: string;
  /** Absolute build context folder. */
  context: string;
  target: string | undefined;
  buildArgs: string[];
  platform: string | undefined;
  secrets: string[];
  ssh: string[];
  buildContexts: string[];
  unsafe: boolean;
  only: string[] | undefined;
  skip: string[];
  noise: boolean;
  docker: string | undefined;
  json: boolean;
  keepImages: boolean;
  help: boolean;
}

/** Exit code after an interrupt, as shells report death by SIGINT. */
const INTERRUPTED_EXIT_CODE = 130;

/** Widest progress line on stderr, so long RUN steps stay on one line. */
const PROGRESS_WIDTH = 120;

/** Parses the arguments after `verify`. Throws UsageError. */
export function parseVerifyOptions(args: string[]): VerifyCommandOptions {
  const { values, positionals } = parseOrThrow(args);
  const help = values.help ?? false;
  if (!help && positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "no Dockerfile given. Pass the path of the Dockerfile to verify"
        : `verify takes one Dockerfile, and ${positionals.length} were given`,
    );
  }
  const dockerfile = positionals[0] ?? "";
  const buildArgs = values["build-arg"] ?? [];
  for (const value of buildArgs) checkBuildArg(value);
  return {
    dockerfile,
    context: resolve(values.context ?? dirname(dockerfile)),
    target: values.target,
    buildArgs,
    platform: values.platform,
    secrets: values.secret ?? [],
    ssh: values.ssh ?? [],
    buildContexts: values["build-context"] ?? [],
    unsafe: values.unsafe ?? false,
    only: values.only && splitIds(values.only),
    skip: splitIds(values.skip ?? []),
    noise: values.noise ?? false,
    docker: values.docker,
    json: values.json ?? false,
    keepImages: values["keep-images"] ?? false,
    help,
  };
}

function parseOrThrow(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        context: { type: "string" },
        target: { type: "string" },
        "build-arg": { type: "string", multiple: true },
        platform: { type: "string" },
        secret: { type: "string", multiple: true },
        ssh: { type: "string", multiple: true },
        "build-context": { type: "string", multiple: true },
        unsafe: { type: "boolean" },
        only: { type: "string", multiple: true },
        skip: { type: "string", multiple: true },
        noise: { type: "boolean" },
        docker: { type: "string" },
        json: { type: "boolean" },
        "keep-images": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(describeArgumentError(error as Error));
  }
}

function checkBuildArg(value: string): void {
  if (/^[^=\s]+(=|$)/.test(value)) return;
  throw new UsageError(
    `invalid --build-arg \`${value}\`. Write NAME=VALUE, or NAME to ` +
      "pass the variable from the environment",
  );
}

/** Runs `layerfix verify` and returns the exit code. */
export async function runVerifyCommand(
  args: string[],
  streams: Streams,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return runSubcommand(
    {
      name: "verify",
      usage: VERIFY_USAGE,
      parse: parseVerifyOptions,
      run: (options) => verifyWithEngine(options, streams, env),
    },
    args,
    streams,
  );
}

async function verifyWithEngine(
  options: VerifyCommandOptions,
  streams: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  readDockerfile(options.dockerfile);
  const transforms = selectTransforms(options.only, options.skip);
  const client = await connectDocker({ docker: options.docker, env });
  const report = await runInterruptibly(streams, (signal) =>
    verifyRewrite({
      ...options,
      transforms,
      client,
      signal,
      onProgress: (event) => streams.stderr(progressLine(event)),
      onWarning: (message) => streams.stderr(`layerfix verify: ${message}\n`),
    }),
  );
  if (report === undefined) {
    streams.stderr("layerfix verify: interrupted, so nothing was compared\n");
    return INTERRUPTED_EXIT_CODE;
  }

  streams.stdout(
    options.json
      ? verifyReportJson(report, readVersion())
      : renderVerifyReport(report),
  );
  streams.stderr(summarizeOutcome(report, options));
  return exitCodeOf(report);
}

function progressLine(event: VerifyProgress): string {
  const line = formatProgress(event).replace(/\s+/g, " ");
  if (line.length <= PROGRESS_WIDTH) return `${line}\n`;
  return `${line.slice(0, PROGRESS_WIDTH - 1)}…\n`;
}

/**
 * Runs `task` with a signal that SIGINT and SIGTERM abort, so verify can
 * remove its images before the process ends. Returns undefined after an
 * interrupt.
 */
async function runInterruptibly<T>(
  streams: Streams,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    streams.stderr(
      `layerfix verify: ${name} received. Stopping after the current ` +
        "step, then removing the images built so far\n",
    );
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await task(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return undefined;
    throw error;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

function summarizeOutcome(
  report: VerifyReport,
  options: VerifyCommandOptions,
): string {
  const prefix = "layerfix verify:";
  const builtImages = report.builds.filter((build) => build.built);
  const keptImages =
    options.keepImages && builtImages.length > 0
      ? `${prefix} kept images ${builtImages.map((b) => b.tag).join(", ")}\n`
      : "";
  switch (report.outcome) {
    case "unchanged":
      return (
        `${prefix} nothing to rewrite in ${report.dockerfile}` +
        `${describeWithheld(report)}\n`
      );
    case "identical":
      return `${keptImages}${prefix} the rewritten image matches the original\n`;
    case "differs":
      return `${keptImages}${prefix} ${describeDifferences(report)}\n`;
    case "rewritten-failed":
    case "original-failed":
      return keptImages + describeFailedBuild(report);
  }
}

function describeDifferences(report: VerifyReport): string {
  const { paths, config } = report.differences;
  const parts = [];
  if (paths.length > 0) parts.push(plural(paths.length, "path"));
  if (config.length > 0) parts.push(plural(config.length, "config field"));
  return (
    `the rewritten image differs from the original in ` +
    `${parts.join(" and ")}, listed in the report`
  );
}

function describeWithheld(report: VerifyReport): string {
  const withheld = report.rewrite.findings.filter(
    (finding) => !finding.applied && finding.safety === "unsafe",
  ).length;
  if (withheld === 0) return "";
  return `; ${plural(withheld, "unsafe change")} withheld (use --unsafe)`;
}

function describeFailedBuild(report: VerifyReport): string {
  const failed = report.builds.find((build) => !build.built);
  const failure =
    report.outcome === "original-failed"
      ? "the original Dockerfile does not build, so nothing was compared"
      : "the rewritten Dockerfile does not build";
  const advice =
    report.outcome === "original-failed"
      ? "Fix the original build first, or pass the --build-arg, --secret " +
        "and --target values that it needs."
      : adviseOnBrokenRewrite(report);
  const tail = failed?.logTail ?? "";
  return (
    `layerfix verify: ${failure}. Last lines of its build log:\n` +
    `${tail}\n${advice}\n`
  );
}

/**
 * Returns advice that names the transforms to skip, and requests a report
 * when all changes were safe.
 */
function adviseOnBrokenRewrite(report: VerifyReport): string {
  const applied = report.rewrite.findings.filter((finding) => finding.applied);
  const ids = [...new Set(applied.map((finding) => finding.transform))];
  const skip = `\`--skip ${ids.join(",")}\``;
  if (applied.some((finding) => finding.safety === "unsafe")) {
    return `The rewrite applied unsafe changes. Verify without --unsafe, or pass ${skip}.`;
  }
  return (
    `Pass ${skip} to keep this build, and please report the Dockerfile, ` +
    "because a safe rewrite must not break a build."
  );
}

function exitCodeOf(report: VerifyReport): number {
  switch (report.outcome) {
    case "unchanged":
    case "identical":
      return 0;
    case "differs":
    case "rewritten-failed":
      return 1;
    case "original-failed":
      return 2;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
