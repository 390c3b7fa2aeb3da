import { posix } from "node:path";
import type { Instruction } from "../parse/types.js";

/** The command a container starts with: `ENTRYPOINT` and `CMD` combined. */
export interface StartCommand {
  /** The arguments, with a shell-form part split at blanks. */
  argv: string[];
  /** A part is in shell form, so the image needs `/bin/sh`. */
  shellForm: boolean;
  /** The `ENTRYPOINT` or `CMD` that names the program. */
  instruction: Instruction;
}

function lastOf(
  instructions: Instruction[],
  keyword: string,
): Instruction | undefined {
  return instructions.filter((item) => item.keyword === keyword).at(-1);
}

/** Splits a shell-form command at blanks and drops a leading `exec`. */
function splitShellForm(value: string): string[] {
  const words = value.trim().split(/\s+/);
  return words[0] === "exec" ? words.slice(1) : words;
}

/**
 * Reads the command the image starts with. Docker appends `CMD` to an
 * exec-form `ENTRYPOINT` and ignores it after a shell-form one.
 */
export function readStartCommand(
  instructions: Instruction[],
): StartCommand | undefined {
  const entrypoint = lastOf(instructions, "ENTRYPOINT");
  const cmd = lastOf(instructions, "CMD");
  if (entrypoint?.json) {
    const rest = cmd ? (cmd.json ?? ["/bin/sh", "-c", cmd.value]) : [];
    const shellForm = cmd !== undefined && cmd.json === undefined;
    const argv = [...entrypoint.json, ...rest];
    return { argv, shellForm, instruction: entrypoint };
  }
  const named = entrypoint ?? cmd;
  if (!named) return undefined;
  if (named.json) {
    return { argv: named.json, shellForm: false, instruction: named };
  }
  return {
    argv: splitShellForm(named.value),
    shellForm: true,
    instruction: named,
  };
}

/**
 * Returns the working directory in force before instruction `index`, or
 * `undefined` when a `WORKDIR` on the way expands a variable or quotes.
 */
export function workdirBefore(
  instructions: Instruction[],
  index: number,
  initial: string,
): string | undefined {
  let directory: string | undefined = initial;
  for (const instruction of instructions) {
    if (instruction.index >= index) break;
    if (instruction.keyword !== "WORKDIR") continue;
    const value = instruction.value.trim();
    if (/[$"'\\`]/.test(value)) directory = undefined;
    else if (value.startsWith("/")) directory = posix.normalize(value);
    else if (directory) directory = posix.resolve(directory, value);
  }
  return directory;
}

/** The default `PATH` of the Debian, Alpine, distroless and node images. */
const STANDARD_PATH = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

/** Returns the static directories that `ENV PATH=` adds to the standard ones. */
export function searchPath(instructions: Instruction[]): string[] {
  const added: string[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword !== "ENV") continue;
    const value = /(?:^|\s)PATH[=\s]+"?([^"\s]+)/.exec(instruction.value)?.[1];
    const entries = value?.split(":") ?? [];
    added.push(...entries.filter((entry) => /^\/[^$]*$/.test(entry)));
  }
  return [...added, ...STANDARD_PATH];
}

/**
 * Returns the absolute paths a program name may run from: itself when
 * absolute, under `workdir` when relative, else each `PATH` directory.
 */
export function programPaths(
  program: string,
  workdir: string | undefined,
  path: string[],
): string[] {
  if (program.includes("$")) return [];
  if (program.startsWith("/")) return [posix.normalize(program)];
  if (program.includes("/")) {
    return workdir ? [posix.resolve(workdir, program)] : [];
  }
  return path.map((directory) => posix.join(directory, program));
}

/** Reports whether an `ENV` in `instructions` sets `name` to `value`. */
export function setsEnv(
  instructions: Instruction[],
  name: string,
  value: string,
): boolean {
  const pair = new RegExp(`(^|\\s)${name}(=|\\s+)(["']?)${value}\\3(\\s|$)`);
  return instructions.some(
    (instruction) =>
      instruction.keyword === "ENV" && pair.test(instruction.value),
  );
}
