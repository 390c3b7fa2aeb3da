import type { Range } from "../parse/types.js";
import { effectiveName } from "./commands.js";
import type { ShellScript, SimpleCommand } from "./model.js";

/** Builtins that only write output or test values, so no shell state changes. */
const STATE_NEUTRAL = new Set([
  "echo",
  "printf",
  "test",
  "[",
  "true",
  "false",
  ":",
]);

/** Builtins that change the state of the shell that runs them. */
const STATEFUL = new Set([
  "cd",
  "export",
  "set",
  "unset",
  "umask",
  "ulimit",
  "trap",
  "alias",
  "unalias",
  "shopt",
  "source",
  ".",
  "eval",
  "exec",
  "exit",
  "return",
  "pushd",
  "popd",
  "shift",
  "readonly",
  "declare",
  "typeset",
  "local",
  "hash",
  "read",
  "getopts",
  "enable",
  "builtin",
  "wait",
  "set-o",
]);

/** A place where a script changes shell state that a later command could see. */
export interface StateChange {
  range: Range;
  /** The change, for messages, for example "`cd` changes the working directory". */
  what: string;
}

/**
 * Lists what in a script could change the state seen by commands appended
 * after it: builtins such as `cd` or `export`, assignments, function
 * definitions and background jobs. Commands in subshells and pipelines are
 * left out because their state ends with them.
 */
export function findStateChanges(script: ShellScript): StateChange[] {
  const changes: StateChange[] = [];
  for (const command of script.commands) {
    if (command.isolated) continue;
    const what = describeStateChange(command);
    if (what) changes.push({ range: command.range, what });
  }
  for (const statement of script.statements) {
    if (statement.terminator === "&") {
      changes.push({
        range: statement.range,
        what: "a background job keeps running",
      });
    }
  }
  return changes;
}

function describeStateChange(command: SimpleCommand): string | undefined {
  switch (command.kind) {
    case "assignment":
      return "an assignment sets a shell variable";
    case "declaration":
      return `\`${command.name ?? "declare"}\` sets shell variables`;
    case "unset":
      return "`unset` removes shell variables";
    case "function":
      return `the function \`${command.name ?? ""}\` stays defined`;
    case "test":
      return undefined;
  }
  const name = command.words[0]?.value;
  if (name === undefined)
    return "a command name that expands at run time may be a builtin";
  if (STATE_NEUTRAL.has(name)) return undefined;
  if (STATEFUL.has(name)) return `\`${name}\` changes the shell's state`;
  if (
    effectiveName(command) !== name &&
    STATEFUL.has(effectiveName(command) ?? "")
  ) {
    return `\`${effectiveName(command)}\` changes the shell's state`;
  }
  return undefined;
}

/**
 * Reports whether a script may turn on errexit outside a subshell.
 */
export function setsErrexit(script: ShellScript): boolean {
  return script.commands.some(
    (command) => !command.isolated && mayTurnOnErrexit(command),
  );
}

/**
 * Reports whether a command may turn on errexit: `set -e` or `-o errexit`,
 * `shopt -so errexit`, a `set` whose options expand at run time, or an
 * `eval` of text that calls `set`.
 */
function mayTurnOnErrexit(command: SimpleCommand): boolean {
  const [name, ...rest] = command.words.map((word) => word.value);
  if (name === "set") {
    if (rest.some((value) => value === undefined)) return true;
    return hasErrexitOption(rest.map((value) => value ?? ""));
  }
  if (name === "shopt") return rest.includes("errexit");
  if (name === "eval") {
    return command.words.slice(1).some((word) => /\bset\b/.test(word.text));
  }
  return false;
}

/** Reports whether shell options such as `-eux` or `-o errexit` turn on errexit. */
export function hasErrexitOption(options: string[]): boolean {
  for (let index = 0; index < options.length; index++) {
    const option = options[index]!;
    if (option === "-o" && options[index + 1] === "errexit") return true;
    if (/^-[a-zA-Z]*e[a-zA-Z]*$/.test(option) && !option.startsWith("--"))
      return true;
  }
  return false;
}
