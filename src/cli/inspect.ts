import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import {
  ImageNotFoundError,
  saveImage,
  type DockerClient,
} from "../docker/client.js";
import {
  buildInspectReport,
  evaluateThresholds,
  formatBytes,
  mapWasteToDockerfile,
  OptionValueError,
  parseByteSize,
  parsePlatform,
  parseShare,
  PlatformSyntaxError,
  readImage,
  renderInspectReport,
  type DockerfileInstruction,
  type InspectReport,
  type LayerWasteMapping,
  type ThresholdResult,
  type Thresholds,
} from "../image/index.js";
import { parseDockerfile } from "../parse/index.js";
import type { Instruction } from "../parse/types.js";
import { connectDocker } from "../verify/index.js";
import { InputError, readDockerfile } from "./files.js";
import { describeArgumentError, UsageError } from "./options.js";
import type { Streams } from "./rewrite.js";
import { runSubcommand } from "./subcommand.js";
import { readVersion } from "./version.js";

export const INSPECT_USAGE = `Usage: layerfix inspect <image|archive.tar> [options]

Prints each layer's size and the file bytes that later layers hide
(wasted bytes), with the image's totals. An argument that names an
existing file is read as a \`docker save\` archive (legacy or OCI layout).
Any other argument is an image name, saved through the Docker engine into
a temporary file that is deleted afterwards.

Options:
  --dockerfile PATH       map wasted bytes to the Dockerfile's instructions
                          and the layerfix transform that removes them
  --platform OS/ARCH[/VARIANT]
                          image to read from a multi-platform archive
  --json                  print the report as JSON (format version 1)
  --ci                    check the limits below; exit 1 when one is
                          exceeded. Needs at least one limit
  --lowest-efficiency SHARE
                          lowest share of stored file bytes that must be
                          visible, as 0.9 or 90%
  --highest-wasted-bytes SIZE
                          most wasted bytes allowed, as 20MB or 50MiB
  --highest-wasted-share SHARE
                          most wasted bytes allowed as a share of the
                          image size, as 0.1 or 10%
  --docker PATH           Docker client for image names (default:
                          LAYERFIX_DOCKER, else the first of docker on
                          PATH and /usr/bin/docker that builds with
                          BuildKit)
  -h, --help              print this help

Sizes are uncompressed layer tar stream bytes in SI units (1 MB = 1000 kB).

Exit codes:
  0  report printed; with --ci, every limit is met
  1  with --ci, a limit is exceeded
  2  usage error, unreadable image or archive, or no Docker engine
`;

/** Version of the `layerfix inspect --json` shape. */
export const INSPECT_JSON_FORMAT = 1;

/** The parsed command line of `layerfix inspect`. */
export interface InspectCommandOptions {
  /** An archive path or an image name. */
  target: string;
  dockerfile: string | undefined;
  platform: string | undefined;
  json: boolean;
  ci: boolean;
  thresholds: Thresholds;
  docker: string | undefined;
  help: boolean;
}

/** Parses the arguments after `inspect`. Throws UsageError. */
export function parseInspectOptions(args: string[]): InspectCommandOptions {
  const { values, positionals } = parseOrThrow(args);
  const help = values.help ?? false;
  if (!help && positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "no image given. Pass an image name or a `docker save` archive"
        : `inspect takes one image, and ${positionals.length} were given`,
    );
  }
  if (values.platform !== undefined) checkPlatform(values.platform);
  const thresholds = readThresholds(values);
  const ci = values.ci ?? false;
  checkThresholdUse(ci, thresholds, help);
  return {
    target: positionals[0] ?? "",
    dockerfile: values.dockerfile,
    platform: values.platform,
    json: values.json ?? false,
    ci,
    thresholds,
    docker: values.docker,
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
        dockerfile: { type: "string" },
        platform: { type: "string" },
        json: { type: "boolean" },
        ci: { type: "boolean" },
        "lowest-efficiency": { type: "string" },
        "highest-wasted-bytes": { type: "string" },
        "highest-wasted-share": { type: "string" },
        docker: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(describeArgumentError(error as Error));
  }
}

function checkPlatform(platform: string): void {
  try {
    parsePlatform(platform);
  } catch (error) {
    if (!(error instanceof PlatformSyntaxError)) throw error;
    throw new UsageError(error.message);
  }
}

function readThresholds(values: Record<string, unknown>): Thresholds {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  return {
    lowestEfficiency: parseOption(
      "--lowest-efficiency",
      text("lowest-efficiency"),
      parseShare,
    ),
    highestWastedBytes: parseOption(
      "--highest-wasted-bytes",
      text("highest-wasted-bytes"),
      parseByteSize,
    ),
    highestWastedShare: parseOption(
      "--highest-wasted-share",
      text("highest-wasted-share"),
      parseShare,
    ),
  };
}

function parseOption(
  name: string,
  value: string | undefined,
  parse: (text: string) => number,
): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    if (!(error instanceof OptionValueError)) throw error;
    throw new UsageError(`${name}: ${error.message}`);
  }
}

function checkThresholdUse(
  ci: boolean,
  thresholds: Thresholds,
  help: boolean,
): void {
  if (help) return;
  const hasLimit = Object.values(thresholds).some((v) => v !== undefined);
  if (hasLimit && !ci) {
    throw new UsageError(
      "limits such as --lowest-efficiency apply only with --ci. Add --ci",
    );
  }
  if (ci && !hasLimit) {
    throw new UsageError(
      "--ci needs at least one limit: --lowest-efficiency, " +
        "--highest-wasted-bytes or --highest-wasted-share",
    );
  }
}

/** Runs `layerfix inspect` and returns the exit code. */
export async function runInspectCommand(
  args: string[],
  streams: Streams,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return runSubcommand(
    {
      name: "inspect",
      usage: INSPECT_USAGE,
      parse: parseInspectOptions,
      run: (options) => inspect(options, streams, env),
    },
    args,
    streams,
  );
}

async function inspect(
  options: InspectCommandOptions,
  streams: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const instructions =
    options.dockerfile === undefined
      ? undefined
      : readInstructions(options.dockerfile);
  const report = await readReport(options, env);
  const mapping =
    instructions === undefined
      ? undefined
      : mapWasteToDockerfile(report, instructions);
  const checks = options.ci
    ? evaluateThresholds(report, options.thresholds)
    : undefined;

  if (options.json) {
    streams.stdout(inspectJson(report, options, mapping, checks));
  } else {
    streams.stdout(renderInspectReport(report));
    if (mapping !== undefined) {
      streams.stdout(renderMapping(options.dockerfile ?? "", mapping));
    }
    if (checks !== undefined) streams.stdout(renderChecks(checks));
  }
  if (checks === undefined) return 0;
  streams.stderr(summarizeChecks(checks));
  return checks.passed ? 0 : 1;
}

/** Reads the instructions in the form mapWasteToDockerfile matches. */
function readInstructions(path: string): DockerfileInstruction[] {
  const dockerfile = parseDockerfile(readDockerfile(path), path);
  return dockerfile.instructions.map(toMappedInstruction);
}

function toMappedInstruction(instruction: Instruction): DockerfileInstruction {
  // `value` joins continuation lines as BuildKit does for the history.
  return {
    line: instruction.startLine,
    keyword: instruction.keyword,
    text: `${instruction.keyword} ${instruction.value}`,
  };
}

/**
 * Reads an archive path directly, or saves the named image through the
 * engine into a temporary file first. The report names the argument.
 */
async function readReport(
  options: InspectCommandOptions,
  env: NodeJS.ProcessEnv,
): Promise<InspectReport> {
  const readOptions = { platform: options.platform };
  if (await isFile(options.target)) {
    return buildInspectReport(await readImage(options.target, readOptions));
  }
  const client = await connectDocker({ docker: options.docker, env });
  const folder = await mkdtemp(join(tmpdir(), "layerfix-inspect-"));
  try {
    const archive = join(folder, "image.tar");
    await saveNamedImage(client, options.target, archive);
    const report = buildInspectReport(await readImage(archive, readOptions));
    return { ...report, path: options.target };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Saves an image, and names both readings of the argument when it is missing. */
async function saveNamedImage(
  client: DockerClient,
  reference: string,
  archive: string,
): Promise<void> {
  try {
    await saveImage(client, reference, archive);
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
    throw new InputError(
      reference,
      "not found as a file or as an image in the Docker engine. " +
        "Pass the path of a `docker save` archive, or build or load the " +
        "image first",
    );
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function renderMapping(
  path: string,
  mapping: readonly LayerWasteMapping[],
): string {
  const wasteful = mapping.filter((layer) => layer.wastedBytes > 0);
  if (wasteful.length === 0) {
    return `\nWaste by instruction of ${path}: no layer stores wasted bytes\n`;
  }
  const lines = ["", `Waste by instruction of ${path}`];
  for (const layer of wasteful) {
    const where =
      layer.instruction === undefined
        ? `layer ${layer.layer} (no matching instruction, as for a base image layer)`
        : `${path}:${layer.instruction.line} ${oneLine(layer.instruction.text)}`;
    lines.push(`  ${formatBytes(layer.wastedBytes).padStart(9)}  ${where}`);
    for (const fix of layer.fixes) {
      lines.push(
        `             ${fix.transform}: ${formatBytes(fix.bytes)}, ` +
          fix.message,
      );
    }
    if (layer.fixes.length === 0) {
      lines.push("             no layerfix transform removes this waste");
    }
  }
  return `${lines.join("\n")}\n`;
}

function renderChecks(result: ThresholdResult): string {
  const lines = result.checks.map(
    (check) => `  ${check.passed ? "pass" : "FAIL"}  ${check.message}`,
  );
  return `\nChecks\n${lines.join("\n")}\n`;
}

function summarizeChecks(result: ThresholdResult): string {
  const failed = result.failures.length;
  const total = result.checks.length;
  if (failed === 0) {
    const passed =
      total === 1 ? "the check passed" : `all ${total} checks passed`;
    return `layerfix inspect: ${passed}\n`;
  }
  return `layerfix inspect: ${failed} of ${total} ${total === 1 ? "check" : "checks"} failed\n`;
}

/**
 * Returns the `--json` document: `format` (INSPECT_JSON_FORMAT), `tool`,
 * `image` (the InspectReport), `dockerfile` (`path` and `layers`, the
 * LayerWasteMapping list, or null without --dockerfile) and `checks` (the
 * ThresholdResult, or null without --ci).
 */
export function inspectJson(
  report: InspectReport,
  options: Pick<InspectCommandOptions, "dockerfile">,
  mapping: readonly LayerWasteMapping[] | undefined,
  checks: ThresholdResult | undefined,
): string {
  const document = {
    format: INSPECT_JSON_FORMAT,
    tool: { name: "layerfix", version: readVersion() },
    image: report,
    dockerfile:
      mapping === undefined
        ? null
        : { path: options.dockerfile ?? null, layers: mapping },
    checks: checks ?? null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= 70 ? flat : `${flat.slice(0, 69)}…`;
}
