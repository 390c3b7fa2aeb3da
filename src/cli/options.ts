import { parseArgs } from "node:util";

/** A wrong option or argument; the CLI prints it with a hint and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface RewriteOptions {
  paths: string[];
  write: boolean;
  check: boolean;
  print: boolean;
  json: boolean;
  unsafe: boolean;
  only: string[] | undefined;
  skip: string[];
  context: string | undefined;
  stdinFilepath: string | undefined;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

export const REWRITE_USAGE = `Usage: layerfix [options] <file|folder|->...
       layerfix transforms [--json]
       layerfix verify <Dockerfile> [options]
       layerfix inspect <image|archive.tar> [options]

Rewrites Dockerfiles for smaller images and better cache reuse. By default
it prints a unified diff on stdout and writes nothing.

Options:
  --write                 rewrite changed files in place
  --check                 like the default, but exit 1 when a change is pending
  --print                 print the rewritten Dockerfile (exactly one input)
  --json                  print a JSON report (format version 1) on stdout
  --unsafe                also apply changes whose safety is "unsafe"
  --only ID[,ID...]       run only these transforms
  --skip ID[,ID...]       do not run these transforms
  --context DIR           build context for ADD checks (default: the
                          Dockerfile's folder)
  --stdin-filepath PATH   path that names "-" in messages and locates its context
  --verbose               also print each skip with its reason, and the passes
  -h, --help              print this help
  --version               print the version

Folders are searched for Dockerfile, *.Dockerfile, *.dockerfile, Dockerfile.*,
Containerfile and Containerfile.*, skipping .git, node_modules, symlinked
folders, .dockerignore files, templates (.j2, .tmpl, .in, ...) and other
kinds of file (.md, .txt, .sh, .yml, .json, .bak, ...). "-" reads standard
input.

Exit codes:
  0  success (with --check: nothing pending)
  1  --check found pending changes
  2  usage error, unreadable or invalid input, or an internal error
`;

/** Splits repeated `--only`/`--skip` values at commas into transform ids. */
export function splitIds(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(","))
    .map((id) => id.trim())
    .filter((id) => id !== "");
}

/** Parses the options of the rewrite command. */
export function parseRewriteOptions(args: string[]): RewriteOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        write: { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        print: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        unsafe: { type: "boolean", default: false },
        only: { type: "string", multiple: true },
        skip: { type: "string", multiple: true },
        context: { type: "string" },
        "stdin-filepath": { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(describeArgumentError(error as Error));
  }
  const { values, positionals } = parsed;
  const options: RewriteOptions = {
    paths: positionals,
    write: values.write,
    check: values.check,
    print: values.print,
    json: values.json,
    unsafe: values.unsafe,
    only: values.only ? splitIds(values.only) : undefined,
    skip: splitIds(values.skip ?? []),
    context: values.context,
    stdinFilepath: values["stdin-filepath"],
    verbose: values.verbose,
    help: values.help,
    version: values.version,
  };
  if (!options.help && !options.version) checkCombinations(options);
  return options;
}

/** Rewords the errors of `parseArgs` as one short sentence with the option. */
export function describeArgumentError(error: Error): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return `unknown option \`${option}\``;
  }
  if (/ambiguous/.test(error.message) && option) {
    return `the value after \`${option}\` starts with -. Write it as \`${option}=VALUE\``;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return `option \`${option}\` needs a value`;
  }
  return error.message;
}

function checkCombinations(options: RewriteOptions): void {
  if (options.paths.length === 0) {
    throw new UsageError(
      "no input given. Pass a Dockerfile, a folder, or - for standard input",
    );
  }
  const modes = [options.write, options.print, options.json].filter(
    Boolean,
  ).length;
  if (modes > 1)
    throw new UsageError("use only one of --write, --print and --json");
  if (options.write && options.paths.includes("-")) {
    throw new UsageError(
      "--write cannot rewrite standard input. Use --print to get the rewritten text",
    );
  }
  if (options.paths.filter((path) => path === "-").length > 1) {
    throw new UsageError("standard input (-) can be read only once");
  }
  if (options.check && options.write) {
    throw new UsageError("use either --check or --write, not both");
  }
  if (options.stdinFilepath !== undefined && !options.paths.includes("-")) {
    throw new UsageError(
      "--stdin-filepath names standard input, so pass - as an input too",
    );
  }
  if (options.only?.length === 0) {
    throw new UsageError(
      "--only needs at least one transform id, such as --only merge-runs",
    );
  }
}
