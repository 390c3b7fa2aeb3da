import type { Edit } from "../edit/types.js";
import type { Instruction } from "../parse/types.js";
import type { ShellAnalysis, StageShell } from "./analysis.js";
import { readAptCommand, updatesLists } from "./apt.js";
import { isCacheCleanup, isPackageInstall } from "./commands.js";
import type { ShellScript, SimpleCommand, Statement } from "./model.js";
import { findStateChanges, setsErrexit } from "./state.js";

/** The part a RUN can play in a merge, read from its commands. */
export interface RunRole {
  /** Every command runs `apt-get update` or a similar list update. */
  updatesListsOnly: boolean;
  /** Every command only removes caches or temporary files. */
  cleansUpOnly: boolean;
  /** Some command installs packages with apt. */
  installsWithApt: boolean;
  /** Some command installs packages with any known package manager. */
  installs: boolean;
}

/** How to join the shell text of two RUN instructions with `&&`. */
export interface ScriptJoin {
  first: ShellScript;
  second: ShellScript;
  /** Offset just past the last statement of `first`, where `&&` goes. */
  firstEnd: number;
  /** Run `first` in a subshell, so its shell state ends with it. */
  isolateFirst: boolean;
  /** Group `second` in `{ ...; }`, so the `&&` guards all of it. */
  groupSecond: boolean;
}

/**
 * Text that may sit between the simple commands of a plain AND-OR list:
 * blanks, line continuations, `&&`, `||`, pipes, `!` and redirections to a
 * plain word.
 */
const LIST_GLUE =
  /^(?:[ \t\n]+|\\\n|&&|\|\||\|&?|!|\d*(?:>>|>&|<&|&>>|&>|>\||>|<)[ \t]*[^\s;&|()<>'"`$]+)*$/;

/**
 * Returns the commands of a RUN or `ONBUILD RUN`. An exec-form array becomes
 * one command, so that `RUN ["apt-get", "update"]` is recognised too.
 */
export function runCommands(
  shell: ShellAnalysis,
  instruction: Instruction,
): SimpleCommand[] {
  const run = instruction.trigger ?? instruction;
  if (run.keyword !== "RUN") return [];
  if (run.json) return [execFormCommand(run)];
  return shell.script(instruction)?.commands ?? [];
}

/** Reads the role of a RUN from its commands. */
export function readRunRole(commands: SimpleCommand[]): RunRole {
  const hasCommands = commands.length > 0;
  return {
    updatesListsOnly: hasCommands && commands.every(isListUpdate),
    cleansUpOnly: hasCommands && commands.every(isCacheCleanup),
    installsWithApt: commands.some(
      (command) =>
        isPackageInstall(command) && readAptCommand(command) !== undefined,
    ),
    installs: commands.some(isPackageInstall),
  };
}

function isListUpdate(command: SimpleCommand): boolean {
  const apt = readAptCommand(command);
  return apt !== undefined && updatesLists(apt);
}

/** Builds a command from an exec-form array. Every word gets the array's range. */
function execFormCommand(instruction: Instruction): SimpleCommand {
  const range = {
    start: instruction.argumentsStart,
    end: instruction.argumentsEnd,
  };
  const words = (instruction.json ?? []).map((value) => ({
    text: value,
    value,
    range,
  }));
  return {
    kind: "command",
    name: words[0]?.value,
    words,
    assignments: [],
    range,
    isolated: false,
    redirected: false,
  };
}

/**
 * Plans how to run `second` after `first` as `first && second` in one
 * shell, or returns why that could change what runs.
 */
export function planScriptJoin(
  shell: StageShell,
  [firstRun, secondRun]: [Instruction, Instruction],
  [first, second]: [ShellScript | undefined, ShellScript | undefined],
): ScriptJoin | string {
  if (!shell.posix)
    return shell.reason ?? "the stage does not run a POSIX shell";
  const reason = checkScript(first, firstRun) ?? checkScript(second, secondRun);
  if (reason || !first || !second) return reason ?? "a RUN has no shell text";
  const shapeReason = checkFirstEnd(first);
  if (shapeReason) return shapeReason;

  // A subshell keeps state such as `cd` away from the second RUN, but on the
  // left of `&&` bash ignores errexit for every command inside it (bash
  // manual, `set -e`), and POSIX shells may do the same.
  const changes = findStateChanges(first);
  const errexit = shell.errexit || setsErrexit(first);
  if (changes[0] && errexit) {
    return `${changes[0].what} in the first RUN, and errexit is on, which a subshell on the left of \`&&\` would ignore`;
  }
  const last = first.statements[first.statements.length - 1]!;
  if (errexit && !isSimpleList(first, last)) {
    return "errexit is on, and the compound command at the end of the first RUN would run without it on the left of `&&`";
  }
  return {
    first,
    second,
    firstEnd: last.range.end,
    isolateFirst: changes.length > 0,
    groupSecond: !isAndChain(second),
  };
}

function checkScript(
  script: ShellScript | undefined,
  run: Instruction,
): string | undefined {
  const where = `the RUN on line ${run.startLine}`;
  if (!script || script.hasErrors) {
    return `the shell text of ${where} does not parse`;
  }
  if (script.statements.length === 0) return `${where} has no commands`;
  if (!script.source.exact) {
    const reason =
      script.source.inexactReason ??
      "the shell text differs from what BuildKit runs";
    return `in ${where}, ${reason}, so edits cannot rely on its offsets`;
  }
  return undefined;
}

function checkFirstEnd(first: ShellScript): string | undefined {
  const last = first.statements[first.statements.length - 1]!;
  if (last.terminator === "&") {
    return "the first RUN ends with `&`, so its last command would run beside the second RUN";
  }
  // BuildKit joins continuation lines, so any comment runs to the end of the RUN.
  if (first.comments.length > 0) {
    return "the first RUN ends with a comment, which would hide the `&&` after it";
  }
  if (first.statements.some((statement) => statement.terminator === "&")) {
    return "a background job of the first RUN would keep running during the second";
  }
  return undefined;
}

/** Reports whether a script is one statement joined only by `&&`, with no `;`, `||` or `&`. */
function isAndChain(script: ShellScript): boolean {
  const [statement, ...rest] = script.statements;
  if (!statement || rest.length > 0 || statement.terminator) return false;
  return statement.operators.every((operator) => operator === "&&");
}

/**
 * Reports whether a statement is an AND-OR list of pipelines of simple
 * commands, with no compound command such as `{ ...; }`, `if` or a loop.
 */
export function isSimpleList(
  script: ShellScript,
  statement: Statement,
): boolean {
  let position = statement.range.start;
  for (const command of outermostCommands(script, statement)) {
    if (!LIST_GLUE.test(shellText(script, position, command.range.start))) {
      return false;
    }
    position = Math.max(position, command.range.end);
  }
  return LIST_GLUE.test(shellText(script, position, statement.range.end));
}

/** Returns the commands of a statement that no other command contains, in order. */
function outermostCommands(
  script: ShellScript,
  statement: Statement,
): SimpleCommand[] {
  const inside = script.commands.filter(
    (command) =>
      command.range.start >= statement.range.start &&
      command.range.end <= statement.range.end,
  );
  const outer = inside.filter(
    (command) => !inside.some((other) => strictlyContains(other, command)),
  );
  return outer.sort((a, b) => a.range.start - b.range.start);
}

function strictlyContains(outer: SimpleCommand, inner: SimpleCommand): boolean {
  const { start, end } = outer.range;
  return (
    start <= inner.range.start &&
    inner.range.end <= end &&
    end - start > inner.range.end - inner.range.start
  );
}

/**
 * Builds the edit that closes a `{ ...; }` group around a whole script:
 * `; }` after its last statement, or ` }` after the `;` or `&` that ends it.
 */
export function closeGroupEdit(script: ShellScript): Edit {
  const last = script.statements[script.statements.length - 1]!;
  const end = terminatorEnd(script, last) ?? last.range.end;
  const text = end === last.range.end ? "; }" : " }";
  return { range: { start: end, end }, text };
}

/** Returns the offset just past the `;` or `&` written after a statement. */
function terminatorEnd(
  script: ShellScript,
  statement: Statement,
): number | undefined {
  if (!statement.terminator) return undefined;
  const rest = shellText(script, statement.range.end, Number.MAX_SAFE_INTEGER);
  const match = /^(?:[ \t]+|\\\n)*[;&]/.exec(rest);
  return match ? statement.range.end + match[0].length : undefined;
}

function shellText(script: ShellScript, start: number, end: number): string {
  const { text, base } = script.source;
  return text.slice(start - base, end - base);
}
