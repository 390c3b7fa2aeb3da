import { posix } from "node:path";
import type { Instruction, Range } from "../parse/types.js";
import type { ShellAnalysis } from "../shell/analysis.js";
import { effectiveName } from "../shell/commands.js";
import type { ShellScript, SimpleCommand } from "../shell/model.js";
import type { Stage } from "../stages.js";
import { IMAGE_WORKDIR, type ImageReference, type Toolchain } from "./image.js";
import { workdirBefore, type StartCommand } from "./stage.js";

/** Facts about the single stage of a file, for the planners. */
export interface StageView {
  toolchain: Toolchain;
  stage: Stage;
  shell: ShellAnalysis;
  text: string;
  base: ImageReference;
  start: StartCommand;
  /** The runtime stage runs shell-form commands or a copied `RUN`. */
  needsShell: boolean;
}

/** An instruction the runtime stage adds where the build step was. */
export type RuntimeStep =
  | { kind: "copy"; source: string; destination: string }
  | { kind: "run"; command: string };

/** How to split a stage into a build stage and a runtime stage. */
export interface BuildPlan {
  toolchain: Toolchain;
  /** The last `RUN` that builds, where the build stage ends. */
  lastStep: Instruction;
  runtimeSteps: RuntimeStep[];
  runtimeBase: string;
  /** Checks to make before adopting the split, one sentence each. */
  checks: string[];
}

export type PlanResult =
  | { kind: "plan"; plan: BuildPlan }
  | { kind: "skip"; reason: string; range: Range };

/** Skip reasons that the transform lists in `skipsWhen`. */
export const PLAN_SKIPS = {
  noBuild:
    "no `RUN` runs `go build`, or `npm run build` after `npm ci` " +
    "or `npm install`",
  unknownPath: "the path of the built file or folder cannot be determined",
  notStarted: "`ENTRYPOINT` or `CMD` does not run what the build step writes",
};

export const VARIABLE_WORKDIR = "a `WORKDIR` expands a variable or uses quotes";

/** A recognized command and where it sits. */
export interface Located<T> {
  instruction: Instruction;
  script: ShellScript;
  command: SimpleCommand;
  value: T;
}

/** Finds the commands of the stage's shell-form `RUN`s that `read` recognizes. */
export function findCommands<T>(
  view: StageView,
  read: (command: SimpleCommand) => T | undefined,
): Located<T>[] {
  const found: Located<T>[] = [];
  for (const instruction of view.stage.instructions) {
    const script = view.shell.script(instruction);
    if (instruction.keyword !== "RUN" || !script || script.hasErrors) continue;
    for (const command of script.commands) {
      const value = read(command);
      if (value !== undefined) {
        found.push({ instruction, script, command, value });
      }
    }
  }
  return found;
}

export function skipPlan(reason: string, range: Range): PlanResult {
  return { kind: "skip", reason, range };
}

/** Skips because a built path cannot be determined, with the cause. */
export function unknownPath(detail: string, range: Range): PlanResult {
  return skipPlan(`${PLAN_SKIPS.unknownPath}: ${detail}`, range);
}

/** Reports whether a `cd` or `pushd` runs before `command` in its script. */
function changesDirectoryBefore(
  script: ShellScript,
  command: SimpleCommand,
): boolean {
  return script.commands.some(
    (other) =>
      other.range.start < command.range.start &&
      ["cd", "pushd"].includes(effectiveName(other) ?? ""),
  );
}

/** Resolves a relative path against the working directory of its `RUN`. */
export function resolveAt<T>(
  view: StageView,
  located: Located<T>,
  path: string,
): string | { reason: string } {
  if (path.startsWith("/")) return posix.normalize(path);
  if (changesDirectoryBefore(located.script, located.command)) {
    return { reason: "a `cd` in the `RUN` changes the directory" };
  }
  const { instructions } = view.stage;
  const initial = IMAGE_WORKDIR[view.toolchain];
  const workdir = workdirBefore(
    instructions,
    located.instruction.index,
    initial,
  );
  if (workdir === undefined) {
    return { reason: VARIABLE_WORKDIR };
  }
  return posix.resolve(workdir, path);
}

/** Returns the working directory at the end of the stage, which the container starts in. */
export function finalWorkdir(view: StageView): string | undefined {
  const initial = IMAGE_WORKDIR[view.toolchain];
  return workdirBefore(view.stage.instructions, Infinity, initial);
}
