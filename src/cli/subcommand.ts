import { BuildContextError } from "../context/errors.js";
import { DockerError } from "../docker/client.js";
import { ImageReadError } from "../image/index.js";
import { ParseError } from "../parse/errors.js";
import { EngineUnavailableError } from "../verify/index.js";
import { InputError } from "./files.js";
import { UsageError } from "./options.js";
import type { Streams } from "./rewrite.js";

/** The parts of a subcommand, such as `verify` or `inspect`, that `runSubcommand` uses. */
export interface Subcommand<Options extends { help: boolean }> {
  name: string;
  usage: string;
  parse(args: string[]): Options;
  run(options: Options): Promise<number>;
}

/**
 * Runs a subcommand and returns the exit code. Usage, input, image and
 * engine errors are printed on stderr with exit code 2, and other errors
 * are thrown for main to report as internal errors.
 */
export async function runSubcommand<Options extends { help: boolean }>(
  command: Subcommand<Options>,
  args: string[],
  streams: Streams,
): Promise<number> {
  try {
    const options = command.parse(args);
    if (options.help) {
      streams.stdout(command.usage);
      return 0;
    }
    return await command.run(options);
  } catch (error) {
    const message = describeFailure(error, command.name);
    if (message === undefined) throw error;
    streams.stderr(`layerfix ${command.name}: ${message}\n`);
    return 2;
  }
}

/** Returns the message of an error that exits with 2, else undefined. */
function describeFailure(error: unknown, name: string): string | undefined {
  if (error instanceof UsageError) {
    return `${error.message}\nRun \`layerfix ${name} --help\` for usage.`;
  }
  if (error instanceof ParseError) return error.describe();
  if (
    error instanceof InputError ||
    error instanceof BuildContextError ||
    error instanceof EngineUnavailableError ||
    error instanceof DockerError ||
    error instanceof ImageReadError
  ) {
    return error.message;
  }
  return undefined;
}
