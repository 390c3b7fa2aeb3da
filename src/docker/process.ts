import { spawn } from "node:child_process";

import { DockerCommandError } from "./errors.js";

/** Settings for one run of a Docker command. */
export interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Receives each line of stdout and stderr without its line end. */
  onLine?: (line: string) => void;
  /** Kills the command with SIGTERM after this many milliseconds. */
  timeoutMs?: number;
  /** Maximum characters kept of stdout and of stderr; older text is dropped. */
  maxOutput?: number;
}

/** The exit status and the kept output of a finished command. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const defaultMaxOutput = 4 * 1024 * 1024;

/**
 * Text that keeps only its last `limit` characters, so that a long build log
 * cannot exhaust memory while its end, where errors appear, survives.
 */
export class TailBuffer {
  private chunks: string[] = [];
  private length = 0;
  /** Characters dropped from the start so far. */
  dropped = 0;

  constructor(readonly limit: number) {}

  append(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
    if (this.length > this.limit * 2) this.compact();
  }

  toString(): string {
    this.compact();
    return this.chunks.join("");
  }

  private compact(): void {
    const text = this.chunks.join("");
    const excess = Math.max(0, text.length - this.limit);
    this.dropped += excess;
    this.chunks = [text.slice(excess)];
    this.length = text.length - excess;
  }
}

/** Splits a stream of text chunks into lines, without `\n` or `\r\n`. */
export class LineSplitter {
  private pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.onLine(line.replace(/\r$/, ""));
  }

  /** Emits a last line that has no line end. */
  end(): void {
    if (this.pending !== "") this.onLine(this.pending.replace(/\r$/, ""));
    this.pending = "";
  }
}

/**
 * Runs the Docker client with `args` and collects its output. Resolves with
 * any exit code. Rejects with DockerCommandError when the command cannot
 * start, times out or is killed by a signal. Its message names the command
 * and the cause, and callers add what to do next.
 */
export function runDocker(
  path: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const maxOutput = options.maxOutput ?? defaultMaxOutput;
  const stdout = new TailBuffer(maxOutput);
  const stderr = new TailBuffer(maxOutput);
  const command = describeCommand(path, args);

  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const outLines = options.onLine && new LineSplitter(options.onLine);
    const errLines = options.onLine && new LineSplitter(options.onLine);
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGTERM");
          }, options.timeoutMs);

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout.append(chunk);
      outLines?.push(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr.append(chunk);
      errLines?.push(chunk);
    });

    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === "ENOENT" ? "file not found" : error.message;
      reject(
        new DockerCommandError(
          `cannot run \`${command}\`: ${reason}`,
          args,
          undefined,
          "",
          { cause: error },
        ),
      );
    });

    child.on("close", (code, signal) => {
      clearTimeout(timer);
      outLines?.end();
      errLines?.end();
      if (code !== null && !timedOut) {
        resolve({
          exitCode: code,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
        });
        return;
      }
      const reason = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : `was killed by ${signal}`;
      reject(
        new DockerCommandError(
          `\`${command}\` ${reason}`,
          args,
          undefined,
          stderr.toString(),
        ),
      );
    });
  });
}

/** Returns the command line as shown in messages, like `docker image rm x`. */
export function describeCommand(path: string, args: readonly string[]): string {
  return [path, ...args].join(" ");
}

/**
 * Throws DockerCommandError for a non-zero exit, with the last stderr line
 * in the message.
 */
export function requireSuccess(
  path: string,
  args: readonly string[],
  result: RunResult,
): void {
  if (result.exitCode === 0) return;
  const lastLine = lastNonEmptyLine(result.stderr) ?? "no error output";
  throw new DockerCommandError(
    `\`${describeCommand(path, args)}\` failed with exit code ` +
      `${result.exitCode}: ${lastLine}`,
    args,
    result.exitCode,
    result.stderr,
  );
}

/** Returns the last line of `text` that is not blank. */
export function lastNonEmptyLine(text: string): string | undefined {
  const lines = text.split("\n").map((line) => line.trim());
  return lines.filter((line) => line !== "").pop();
}
