import {
  continuedAnd,
  isMultiLine,
  styleForInstruction,
  type LayoutStyle,
} from "../edit/layout.js";
import type { Edit } from "../edit/types.js";
import type { Dockerfile, Instruction } from "../parse/types.js";
import type { ShellAnalysis } from "./analysis.js";
import { basename, effectiveName } from "./commands.js";
import { isSimpleList } from "./merge-support.js";
import type { ShellScript, SimpleCommand, Statement } from "./model.js";
import { findSwallowedInstruction } from "./source.js";
import { hasErrexitOption, setsErrexit } from "./state.js";

/** An edit that appends a command to a RUN, or why there is none. */
export type AppendPlan =
  { kind: "edit"; edit: Edit } | { kind: "skip"; reason: string };

const SHELL_INTERPRETERS = /^(sh|bash|dash)$/;

/**
 * Plans an edit that runs `command` after the last AND-OR list of a RUN,
 * joined with `&&` so a failure before it still fails the RUN. For
 * `RUN <<EOF` the command joins the body's last command line.
 */
export function planAppend(
  dockerfile: Dockerfile,
  shell: ShellAnalysis,
  instruction: Instruction,
  command: string,
): AppendPlan {
  const checked = readEditableScript(dockerfile, shell, instruction);
  if (typeof checked === "string") return { kind: "skip", reason: checked };
  const last = checked.statements[checked.statements.length - 1];
  const errexit =
    shell.shellOf(instruction).errexit ||
    setsErrexit(checked) ||
    shebangSetsErrexit(checked);
  const reason = last
    ? checkLastStatement(checked, last, errexit)
    : "has no command";
  if (reason || !last) return { kind: "skip", reason: `the \`RUN\` ${reason}` };

  const joined =
    checked.source.heredocBody || !isMultiLine(instruction)
      ? ` && ${command}`
      : continuedAnd(readRunStyle(dockerfile, instruction), command);
  const offset = last.range.end;
  return {
    kind: "edit",
    edit: { range: { start: offset, end: offset }, text: joined },
  };
}

/**
 * Reads the file's layout, with the shallowest indent of this RUN's own
 * continuation lines, so a new command does not line up with the deeper
 * indented package names.
 */
function readRunStyle(
  dockerfile: Dockerfile,
  instruction: Instruction,
): LayoutStyle {
  const style = styleForInstruction(dockerfile, instruction);
  const indents = instruction.lines
    .slice(1)
    .map(
      (line) => /^[ \t]*/.exec(dockerfile.text.slice(line.start, line.end))![0],
    )
    .filter((indent) => indent !== "")
    .sort((a, b) => a.length - b.length);
  return indents[0] === undefined ? style : { ...style, indent: indents[0] };
}

/** Returns the script when its text may be edited, else the reason. */
function readEditableScript(
  dockerfile: Dockerfile,
  shell: ShellAnalysis,
  instruction: Instruction,
): ShellScript | string {
  if (instruction.keyword !== "RUN") {
    return "an `ONBUILD` trigger runs in a later build, so its text is not edited";
  }
  const script = shell.script(instruction);
  if (instruction.json || !script) {
    return "the `RUN` is in exec form, which runs no shell to join a command to";
  }
  const stageShell = shell.shellOf(instruction);
  if (!stageShell.posix) return stageShell.reason ?? "the shell is not POSIX";
  if (script.hasErrors) return "the shell text of the `RUN` does not parse";
  const swallowed = findSwallowedInstruction(dockerfile, instruction);
  if (swallowed !== undefined) {
    return `a line continuation joins line ${swallowed}, which looks like an instruction, into the \`RUN\``;
  }
  return checkSource(script, instruction) ?? script;
}

function checkSource(
  script: ShellScript,
  instruction: Instruction,
): string | undefined {
  const { source } = script;
  if (source.heredocBody) {
    const interpreter = basename(source.shebang);
    if (interpreter && !SHELL_INTERPRETERS.test(interpreter)) {
      return `the heredoc body runs with \`${source.shebang}\`, not a POSIX shell`;
    }
    if (!source.exact) {
      return "BuildKit strips leading tabs from the `<<-` heredoc body";
    }
    return undefined;
  }
  if (instruction.heredocs.length > 0) {
    return "the `RUN` passes a heredoc to a command, and appending around a heredoc body is not supported";
  }
  if (!source.exact) {
    return "a line continuation joins two words, so the shell text does not map onto the source";
  }
  return undefined;
}

/** Returns why a command joined after `last` would not run as intended. */
function checkLastStatement(
  script: ShellScript,
  last: Statement,
  errexit: boolean,
): string | undefined {
  // On the left of `&&` a shell ignores errexit inside a compound command,
  // so `set -e; { a; b; } && rm ...` would run `b` after `a` failed.
  if (errexit && !isSimpleList(script, last)) {
    return "ends with a compound command while errexit is on, and `&&` after it would turn errexit off inside it";
  }
  const { start, end } = last.range;
  if (
    script.backgroundOperators.some((offset) => offset >= start && offset < end)
  ) {
    return "runs a background job at its end, so a command after it would not wait for it";
  }
  if (last.terminator === "&") {
    return "ends with a background job (`&`), so a command after it would not wait for it";
  }
  if (last.hasHeredoc) {
    return "ends with a heredoc, so a command after it would land after the terminator line";
  }
  const final = finalCommand(script, last);
  const name = final ? effectiveName(final) : undefined;
  const leavesShell =
    name === "exit" || (name === "exec" && final!.words.length > 1);
  if (leavesShell && last.operators[last.operators.length - 1] !== "||") {
    return `ends with \`${name}\`, so a command after it never runs`;
  }
  return undefined;
}

function finalCommand(
  script: ShellScript,
  statement: Statement,
): SimpleCommand | undefined {
  const inside = script.commands.filter(
    (command) =>
      !command.isolated &&
      command.range.start >= statement.range.start &&
      command.range.end <= statement.range.end,
  );
  return inside.sort((a, b) => b.range.start - a.range.start)[0];
}

/**
 * Reports whether the `#!` line of a heredoc body turns on errexit, as in
 * `#!/bin/bash -e` or `#!/usr/bin/env -S sh -eu`.
 */
function shebangSetsErrexit(script: ShellScript): boolean {
  if (!script.source.heredocBody) return false;
  const line = /^#!([^\n]*)/.exec(script.source.text)?.[1];
  if (line === undefined) return false;
  return hasErrexitOption(line.trim().split(/\s+/).slice(1));
}
