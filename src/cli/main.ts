import { transforms } from "../../transforms/index.js";
import { InputError } from "./files.js";
import { runInspectCommand } from "./inspect.js";
import { parseRewriteOptions, REWRITE_USAGE, UsageError } from "./options.js";
import { runRewrite, type Streams } from "./rewrite.js";
import { readVersion } from "./version.js";
import { runVerifyCommand } from "./verify.js";

const SUBCOMMANDS: Record<
  string,
  (args: string[], streams: Streams) => Promise<number>
> = {
  transforms: listTransforms,
  verify: runVerifyCommand,
  inspect: runInspectCommand,
};

const TRANSFORMS_USAGE = `Usage: layerfix transforms [--json]

Lists the transforms with their safety level and title. --json prints each
transform's metadata: id, title, safety, safetyReason, skipsWhen, rationale,
examples, limitations and references.
`;

async function listTransforms(
  args: string[],
  streams: Streams,
): Promise<number> {
  const unknown = args.find((arg) => !["--json", "--help", "-h"].includes(arg));
  if (unknown !== undefined) {
    throw new UsageError(
      `\`layerfix transforms\` takes only --json, not \`${unknown}\``,
    );
  }
  if (args.includes("--help") || args.includes("-h")) {
    streams.stdout(TRANSFORMS_USAGE);
    return 0;
  }
  if (args.includes("--json")) {
    const metadata = transforms.map(({ find: _find, ...fields }) => fields);
    streams.stdout(JSON.stringify(metadata, null, 2) + "\n");
    return 0;
  }
  for (const transform of transforms) {
    streams.stdout(
      `${transform.id.padEnd(20)} ${transform.safety.padEnd(9)} ${transform.title}\n`,
    );
  }
  return 0;
}

/** Runs the command line and returns the exit code; never throws. */
export async function main(args: string[], streams: Streams): Promise<number> {
  try {
    const [first, ...rest] = args;
    const subcommand = first !== undefined ? SUBCOMMANDS[first] : undefined;
    if (subcommand) return await subcommand(rest, streams);
    const options = parseRewriteOptions(args);
    if (options.help) {
      streams.stdout(REWRITE_USAGE);
      return 0;
    }
    if (options.version) {
      streams.stdout(`${readVersion()}\n`);
      return 0;
    }
    return await runRewrite(options, streams);
  } catch (error) {
    if (error instanceof UsageError) {
      streams.stderr(
        `layerfix: ${error.message}\nRun \`layerfix --help\` for usage.\n`,
      );
      return 2;
    }
    if (error instanceof InputError) {
      streams.stderr(`layerfix: ${error.message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? error.message : String(error);
    streams.stderr(
      `layerfix: internal error: ${detail}. Please report this.\n`,
    );
    return 2;
  }
}
