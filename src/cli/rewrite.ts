import { statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { BuildContextError } from "../context/errors.js";
import { createFolderContext } from "../context/folder.js";
import type { BuildContext } from "../context/types.js";
import { ParseError } from "../parse/errors.js";
import { runTransforms, TransformError } from "../run.js";
import type { Transform } from "../transform.js";
import { transforms as allTransforms } from "../../transforms/index.js";
import { expandInputs, InputError, readDockerfile } from "./files.js";
import {
  formatFinding,
  formatSkip,
  summarize,
  toJson,
  type FileReport,
} from "./report.js";
import { UsageError, type RewriteOptions } from "./options.js";
import { readVersion } from "./version.js";
import { writeFileAtomically } from "./write.js";

/** Output streams of the command; tests pass their own. */
export interface Streams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Picks the transforms named by `--only` and `--skip`, rejecting unknown ids. */
export function selectTransforms(
  only: string[] | undefined,
  skip: string[],
): Transform[] {
  const known = new Set(allTransforms.map((transform) => transform.id));
  for (const id of [...(only ?? []), ...skip]) {
    if (!known.has(id)) {
      throw new UsageError(
        `unknown transform \`${id}\`. Known transforms: ${[...known].join(", ")}`,
      );
    }
  }
  const selected = allTransforms.filter(
    (transform) =>
      (only ? only.includes(transform.id) : true) &&
      !skip.includes(transform.id),
  );
  if (selected.length === 0) {
    throw new UsageError("--only and --skip leave no transform to run");
  }
  return selected;
}

/** Runs the rewrite command; returns the exit code. */
export async function runRewrite(
  options: RewriteOptions,
  streams: Streams,
): Promise<number> {
  const selected = selectTransforms(options.only, options.skip);
  checkContextFolder(options.context);
  const inputs = expandInputs(options.paths);
  if (options.print && inputs.length !== 1) {
    throw new UsageError(
      `--print needs exactly one input file, and ${inputs.length} were given`,
    );
  }
  const reports: FileReport[] = [];
  for (const input of inputs) {
    reports.push(
      input.kind === "error"
        ? failedReport(input.error.path, input.error)
        : await rewriteFile(input.path, options, selected),
    );
  }
  emit(reports, options, streams);
  return exitCode(reports, options);
}

function checkContextFolder(context: string | undefined): void {
  if (context === undefined) return;
  let isFolder = false;
  try {
    isFolder = statSync(context).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    throw new UsageError(
      `--context \`${context}\` is not a folder. Pass the folder that \`docker build\` gets as its context`,
    );
  }
}

function emptyReport(path: string): FileReport {
  return {
    path,
    changed: false,
    written: false,
    diff: "",
    output: undefined,
    findings: [],
    skips: [],
    proposals: [],
    passes: 0,
    error: undefined,
  };
}

function failedReport(path: string, error: unknown): FileReport {
  return { ...emptyReport(path), error: describeError(error, path) };
}

function displayPath(input: string, options: RewriteOptions): string {
  return input === "-" ? (options.stdinFilepath ?? "<stdin>") : input;
}

function contextFor(
  input: string,
  options: RewriteOptions,
): BuildContext | undefined {
  const named = input === "-" ? options.stdinFilepath : input;
  const dockerfile = named ? resolve(named) : undefined;
  if (options.context) {
    return createFolderContext(displayFolder(options.context), { dockerfile });
  }
  if (!dockerfile) return undefined;
  return createFolderContext(displayFolder(dirname(dockerfile)), {
    dockerfile,
  });
}

/** Names a folder relative to the working directory, as messages show it. */
function displayFolder(folder: string): string {
  const absolute = resolve(folder);
  const path = relative(process.cwd(), absolute);
  if (path.startsWith("..")) return absolute;
  return path || ".";
}

async function rewriteFile(
  input: string,
  options: RewriteOptions,
  selected: Transform[],
): Promise<FileReport> {
  const path = displayPath(input, options);
  const report = emptyReport(path);
  try {
    const text = readDockerfile(input);
    const result = await runTransforms(text, {
      transforms: selected,
      unsafe: options.unsafe,
      context: contextFor(input, options),
      path,
    });
    Object.assign(report, {
      changed: result.output !== text,
      diff: result.diff,
      findings: result.findings,
      skips: result.skips,
      passes: result.passes,
      proposals: result.proposals.map(
        ({ transform, line, column, message, diff }) => ({
          transform,
          line,
          column,
          message,
          diff,
        }),
      ),
      output: result.output,
    });
    if (options.write && report.changed) {
      writeRewrittenFile(input, result.output);
      report.written = true;
    }
  } catch (error) {
    report.error = describeError(error, path);
  }
  return report;
}

/** Writes the rewritten file, turning a failure into an `InputError` that names it. */
function writeRewrittenFile(path: string, text: string): void {
  try {
    writeFileAtomically(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const reason =
      code === "EACCES" || code === "EPERM"
        ? "permission denied. Check the permissions of the file and its folder"
        : `writing failed (${code})`;
    throw new InputError(
      path,
      `cannot write the rewritten file: ${reason}. The file was left unchanged`,
    );
  }
}

function describeError(error: unknown, path: string): FileReport["error"] {
  if (error instanceof InputError) {
    return { kind: "input", message: error.message };
  }
  if (error instanceof BuildContextError) {
    return { kind: "input", message: `${path}: ${error.message}` };
  }
  if (error instanceof ParseError)
    return { kind: "parse", message: error.describe(path) };
  if (error instanceof TransformError) {
    return {
      kind: "internal",
      message: `${error.message}. The file was left unchanged; please report this with the Dockerfile`,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    kind: "internal",
    message: `${path}: internal error: ${detail}. The file was left unchanged; please report this with the Dockerfile`,
  };
}

function emit(
  reports: FileReport[],
  options: RewriteOptions,
  streams: Streams,
): void {
  for (const report of reports) {
    if (report.error) streams.stderr(`layerfix: ${report.error.message}\n`);
    if (options.print && report.output !== undefined)
      streams.stdout(report.output);
    if (!options.json && !options.print && !options.write)
      streams.stdout(report.diff);
    for (const finding of report.findings)
      streams.stderr(formatFinding(report.path, finding) + "\n");
    if (options.verbose) {
      for (const skip of report.skips)
        streams.stderr(formatSkip(report.path, skip) + "\n");
      if (!report.error)
        streams.stderr(
          `${report.path}: ${report.passes} ${report.passes === 1 ? "pass" : "passes"}\n`,
        );
    }
  }
  if (options.json) streams.stdout(toJson(reports, readVersion()));
  streams.stderr(summarize(reports, options) + "\n");
}

function exitCode(reports: FileReport[], options: RewriteOptions): number {
  if (reports.some((report) => report.error)) return 2;
  if (options.check && reports.some((report) => report.changed)) return 1;
  return 0;
}
