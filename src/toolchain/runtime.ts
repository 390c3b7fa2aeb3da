import { matchKeywordCase } from "../edit/layout.js";
import type { Dockerfile, Instruction, Range } from "../parse/types.js";
import type { ShellAnalysis } from "../shell/analysis.js";
import { effectiveName, effectiveWords } from "../shell/commands.js";
import type { Stage } from "../stages.js";
import { knownAccounts } from "./image.js";
import type { RuntimeStep, StageView } from "./plan.js";
import type { StartCommand } from "./stage.js";

/** Instructions that only set image metadata, so they move to the runtime stage. */
const MOVED = new Set([
  "LABEL",
  "MAINTAINER",
  "EXPOSE",
  "HEALTHCHECK",
  "CMD",
  "ENTRYPOINT",
  "STOPSIGNAL",
  "VOLUME",
]);

/** Instructions that affect the build too, so both stages get them. */
const COPIED = new Set(["ENV", "WORKDIR", "USER", "SHELL"]);

const ACCOUNT_TOOLS = new Set(["useradd", "groupadd", "adduser", "addgroup"]);

/** Reports whether a `RUN` only creates accounts, so the runtime stage can repeat it. */
export function isUserSetup(
  shell: ShellAnalysis,
  instruction: Instruction,
): boolean {
  if (instruction.keyword !== "RUN") return false;
  const script = shell.script(instruction);
  if (!script || script.hasErrors || script.commands.length === 0) return false;
  return script.commands.every((command) =>
    ACCOUNT_TOOLS.has(effectiveName(command) ?? ""),
  );
}

/** Returns the words that the stage's account-creating `RUN`s pass, names among them. */
function createdAccounts(view: StageView): string[] {
  const names: string[] = [];
  for (const instruction of view.stage.instructions) {
    if (!isUserSetup(view.shell, instruction)) continue;
    for (const command of view.shell.script(instruction)?.commands ?? []) {
      for (const word of effectiveWords(command).slice(1)) {
        if (word.value && !word.value.startsWith("-")) names.push(word.value);
      }
    }
  }
  return names;
}

/**
 * Finds a `USER` whose user or group name neither the runtime base nor a
 * repeated account setup provides. Numeric IDs need no account.
 */
export function findUnknownUser(
  view: StageView,
  runtimeBase: string,
): Instruction | undefined {
  const accounts = knownAccounts(runtimeBase);
  for (const name of createdAccounts(view)) accounts.add(name);
  const isKnown = (part: string) => /^\d+$/.test(part) || accounts.has(part);
  return view.stage.instructions.find(
    (instruction) =>
      instruction.keyword === "USER" &&
      !instruction.value.trim().split(":").every(isKnown),
  );
}

/** Reports whether the runtime stage runs something through `/bin/sh`. */
export function needsShell(
  stage: Stage,
  shell: ShellAnalysis,
  start: StartCommand,
): boolean {
  return (
    start.shellForm ||
    stage.instructions.some(
      (instruction) =>
        instruction.keyword === "SHELL" ||
        (instruction.keyword === "HEALTHCHECK" &&
          /^CMD\s+(?!\[)/i.test(instruction.value.trim())) ||
        isUserSetup(shell, instruction),
    )
  );
}

/** The source text the runtime stage repeats, and what leaves the build stage. */
export interface CarriedText {
  /** Instruction texts in source order, each with its line ending. */
  pieces: string[];
  /** Ranges of metadata instructions, with their comments, that move. */
  moved: Range[];
}

/**
 * Collects the instructions before `lastStep` that the runtime stage
 * repeats: metadata moves along with the comment lines above it, while
 * `ENV`, `WORKDIR`, `USER`, `SHELL`, account setup and the `ARG`s the
 * runtime stage reads stay in both stages.
 */
export function carryInstructions(
  dockerfile: Dockerfile,
  view: StageView,
  lastStep: Instruction,
): CarriedText {
  const { text } = dockerfile;
  const picked: { instruction: Instruction; text: string }[] = [];
  const moved: Range[] = [];
  for (const instruction of view.stage.instructions) {
    if (instruction.index >= lastStep.index) break;
    const { keyword } = instruction;
    if (MOVED.has(keyword)) {
      const range = {
        start: blockStart(dockerfile, instruction),
        end: instruction.next,
      };
      moved.push(range);
      picked.push({ instruction, text: text.slice(range.start, range.end) });
    } else if (
      COPIED.has(keyword) ||
      keyword === "ARG" ||
      isUserSetup(view.shell, instruction)
    ) {
      const slice = text.slice(instruction.range.start, instruction.next);
      picked.push({ instruction, text: slice });
    }
  }
  const tail = text.slice(lastStep.next);
  const pieces = picked.filter(({ instruction }, index) => {
    if (instruction.keyword !== "ARG") return true;
    const later = picked.slice(index + 1).map((item) => item.text);
    return readsArgument(instruction, [...later, tail].join(""));
  });
  return { pieces: pieces.map((item) => item.text), moved };
}

/** Returns the start of the comment lines right above an instruction. */
function blockStart(dockerfile: Dockerfile, instruction: Instruction): number {
  const commentLines = new Set(
    dockerfile.comments.map((comment) => comment.line),
  );
  let line = instruction.startLine;
  while (commentLines.has(line - 1)) line--;
  return dockerfile.lines[line - 1]!.start;
}

/** Reports whether `text` expands a build argument that `arg` declares. */
function readsArgument(arg: Instruction, text: string): boolean {
  const names = arg.value
    .trim()
    .split(/\s+/)
    .map((word) => word.split("=")[0]);
  return names.some(
    (name) => name && new RegExp(`\\$\\{?${name}\\b`).test(text),
  );
}

/** Returns the user a stage runs `instruction` as, unless it is root. */
export function userBefore(
  view: StageView,
  instruction: Instruction,
): string | undefined {
  const users = view.stage.instructions.filter(
    (item) => item.keyword === "USER" && item.index < instruction.index,
  );
  const user = users.at(-1)?.value.trim();
  return user === "root" || user === "0" ? undefined : user;
}

/**
 * Writes one runtime step as an instruction in the keyword case of
 * `sample`. Copies name the build stage and keep the owner that the build
 * step's user gave the files.
 */
export function renderStep(
  step: RuntimeStep,
  sample: string,
  stage: string,
  user: string | undefined,
): string {
  if (step.kind === "run") {
    return `${matchKeywordCase("RUN", sample)} ${step.command}`;
  }
  const flags = [`--from=${stage}`];
  if (user) flags.push(`--chown=${user}`);
  const paths = [step.source, step.destination];
  // A path with blanks needs the JSON form, which flags may precede.
  const sources = paths.some((path) => /\s/.test(path))
    ? `[${paths.map((path) => JSON.stringify(path)).join(", ")}]`
    : paths.join(" ");
  return [matchKeywordCase("COPY", sample), ...flags, sources].join(" ");
}

/**
 * Writes the runtime stage's `FROM` line. It keeps a `--platform` flag
 * unless the flag names `$BUILDPLATFORM`, which suits only the build stage.
 */
export function runtimeFrom(from: Instruction, runtimeBase: string): string {
  const words = [matchKeywordCase("FROM", from.keywordText)];
  const platform = from.flags.find((flag) => flag.name === "platform");
  if (platform && !platform.raw.includes("BUILDPLATFORM")) {
    words.push(platform.raw);
  }
  return [...words, runtimeBase].join(" ");
}
