import { posix } from "node:path";
import { readMounts, type Mount } from "../parse/mounts.js";
import type { Instruction } from "../parse/types.js";
import { referencedStages, type Stage, type StageGraph } from "../stages.js";
import type { ShellAnalysis } from "./analysis.js";
import {
  APT_LISTS,
  movesLists,
  readAptCommand,
  readsLists,
  readsListsOtherwise,
  removesLists,
  updatesLists,
} from "./apt.js";
import { basename, coversPath, effectiveWords } from "./commands.js";
import type { SimpleCommand } from "./model.js";

/** The state of the package lists after a RUN: kept as they were, downloaded anew or removed. */
export type ListsState = "kept" | "downloaded" | "removed";

/** The effect of one RUN on the package lists under `/var/lib/apt/lists`. */
export interface ListsActivity {
  /** Commands that download lists, in source order, those that move them included. */
  updates: SimpleCommand[];
  /** A command reads the lists before the RUN downloads or removes them. */
  readsEarlierLists: boolean;
  end: ListsState;
  /** An apt command keeps its lists elsewhere (`-o Dir::State::Lists=`). */
  movesLists: boolean;
  /** A verb phrase for a command that may read the lists unseen, for example "runs `./install.sh`". */
  opaque: string | undefined;
}

/** A RUN's activity, or why its commands cannot be read. */
export type ListsReading =
  | { kind: "read"; activity: ListsActivity }
  | { kind: "unreadable"; reason: string };

/** A later step that reads the package lists an earlier RUN leaves. */
export interface ListsReader {
  instruction: Instruction;
  kind: "run" | "onbuild" | "copy";
  /** The state of the lists after a reading RUN, and "kept" for the other kinds. */
  end: ListsState;
}

/** A later step that may read the lists in a way the analysis cannot see. */
export interface OpaqueStep {
  instruction: Instruction;
  /** A verb phrase for messages, for example "runs `./install.sh`". */
  reason: string;
}

/** The steps after a RUN that see the package lists it leaves. */
export interface ListsUsage {
  readers: ListsReader[];
  opaque: OpaqueStep[];
}

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"]);
const SHELL_INTERPRETERS = /^(sh|bash|dash)$/;

/** Reads what a RUN or an `ONBUILD RUN` trigger does with the package lists. */
export function readListsActivity(
  shell: ShellAnalysis,
  instruction: Instruction,
): ListsReading {
  const run = instruction.trigger ?? instruction;
  if (run.json)
    return { kind: "read", activity: summarize([execCommand(run)]) };
  const script = shell.script(instruction);
  const stageShell = shell.shellOf(instruction);
  if (!script || !stageShell.posix) {
    const shellReason = stageShell.reason ?? "its shell is not POSIX";
    return {
      kind: "unreadable",
      reason: `is not analysed because ${shellReason}`,
    };
  }
  const interpreter = basename(script.source.shebang);
  if (interpreter && !SHELL_INTERPRETERS.test(interpreter)) {
    const reason = `runs its heredoc body with \`${script.source.shebang}\``;
    return { kind: "unreadable", reason };
  }
  if (script.hasErrors) {
    return { kind: "unreadable", reason: "has shell text that does not parse" };
  }
  const commands = [...script.commands].sort(
    (a, b) => a.range.start - b.range.start,
  );
  return { kind: "read", activity: summarize(commands) };
}

function summarize(commands: SimpleCommand[]): ListsActivity {
  const activity: ListsActivity = {
    updates: [],
    readsEarlierLists: false,
    end: "kept",
    movesLists: false,
    opaque: undefined,
  };
  for (const command of commands) {
    activity.opaque ??= describeOpaqueCommand(command);
    const apt = readAptCommand(command);
    if (apt && movesLists(apt)) {
      // The command neither writes nor reads `/var/lib/apt/lists`.
      activity.movesLists = true;
      if (updatesLists(apt)) activity.updates.push(command);
      continue;
    }
    if (apt && updatesLists(apt)) {
      activity.updates.push(command);
      activity.end = "downloaded";
      continue;
    }
    const reads = (apt && readsLists(apt)) || readsListsOtherwise(command);
    if (reads && activity.end === "kept") {
      activity.readsEarlierLists = true;
    }
    if (removesLists(command)) activity.end = "removed";
  }
  return activity;
}

/** Builds a command from an exec-form RUN, whose words need no parsing. */
function execCommand(run: Instruction): SimpleCommand {
  const words = (run.json ?? []).map((text) => ({
    text,
    value: text,
    range: run.range,
  }));
  return {
    kind: "command",
    name: words[0]?.value,
    words,
    assignments: [],
    range: run.range,
    isolated: false,
    redirected: false,
  };
}

/** Reports whether `su` or `runuser` runs shell code from a `-c` string. */
function runsCommandString(command: SimpleCommand): boolean {
  const values = command.words.map((word) => word.value ?? "");
  const switchesUser = values
    .slice(0, 3)
    .some((value) => /^(su|runuser)$/.test(basename(value) ?? ""));
  return (
    switchesUser &&
    values.some((value) => value === "-c" || value.startsWith("--command"))
  );
}

/**
 * Describes how a command runs code that the analysis cannot read (a script
 * file, shell code from a string or a pipe, `eval`), or returns `undefined`.
 */
export function describeOpaqueCommand(
  command: SimpleCommand,
): string | undefined {
  if (command.kind !== "command") return undefined;
  const words = effectiveWords(command);
  const first = words[0];
  if (!first) return undefined;
  const commandText = words
    .slice(0, 3)
    .map((word) => word.text)
    .join(" ");
  const name = first.value;
  if (name === undefined)
    return `runs \`${commandText}\`, whose name expands at run time`;
  if (runsCommandString(command)) return `runs \`${commandText}\``;
  if (name === "." || name === "source" || name === "eval")
    return `runs \`${commandText}\``;
  if (/\.(sh|bash)$/.test(name) || /^\.\.?\//.test(name))
    return `runs \`${commandText}\``;
  if (!SHELLS.has(basename(name) ?? "")) return undefined;
  return words.length > 1
    ? `runs \`${commandText}\``
    : `runs \`${name}\` on its standard input`;
}

/**
 * Reports whether the text of a RUN that could not be parsed mentions an
 * apt update, so the skip can give its reason.
 */
export function mentionsListsUpdate(instruction: Instruction): boolean {
  const run = instruction.trigger ?? instruction;
  const text = [
    run.value,
    ...run.heredocs.map((heredoc) => heredoc.content),
  ].join("\n");
  return /\b(apt-get|apt|aptitude|nala)\b[^\n;&|]*\bupdate\b/.test(text);
}

/** Finds a mount of a RUN whose target contains the lists or lies inside them. */
export function findListsMount(instruction: Instruction): Mount | undefined {
  return readMounts(instruction).find(
    (mount) => mount.target !== undefined && touchesLists(mount.target),
  );
}

/** Reports whether a path contains the lists or lies inside them. A variable may be either. */
function touchesLists(path: string): boolean {
  const absolute = posix.normalize(path.startsWith("/") ? path : `/${path}`);
  if (absolute.includes("$")) return true;
  // A wildcard may match the lists wherever its literal start allows it.
  const wildcard = absolute.search(/[*?[\\]/);
  if (wildcard >= 0) {
    const prefix = absolute.slice(0, wildcard);
    return APT_LISTS.startsWith(prefix) || prefix.startsWith(APT_LISTS);
  }
  return coversPath(absolute, APT_LISTS) || coversPath(APT_LISTS, absolute);
}

/**
 * Finds the steps that see the lists `run` leaves. These are later RUNs in
 * its stage and in stages built on it, up to a RUN that downloads or removes
 * the lists. They also include the `ONBUILD RUN` triggers of the stages that
 * still contain the lists, and `COPY --from` or `RUN --mount=from=` of them.
 */
export function findListsUsage(
  stages: StageGraph,
  shell: ShellAnalysis,
  run: Instruction,
): ListsUsage {
  const usage: ListsUsage = { readers: [], opaque: [] };
  const stage = stages.stageOf(run);
  if (!stage) return usage;
  const stagesWithLists: Stage[] = [];
  if (followInStage(shell, stage, run.index, usage))
    stagesWithLists.push(stage);
  for (const descendant of stages.descendants(stage)) {
    if (!isBuiltOnAny(descendant, stagesWithLists)) continue;
    if (followInStage(shell, descendant, -1, usage))
      stagesWithLists.push(descendant);
  }
  for (const withLists of stagesWithLists) {
    findTriggerReaders(shell, withLists, usage);
  }
  findCopyReaders(stages, run, stagesWithLists, usage);
  return usage;
}

/**
 * Reports whether a RUN's text could read, move or remove the lists, or run
 * code the analysis cannot read: every command that does names apt, a
 * lists path, a shell, a script, `.`, `source`, `eval` or a variable. The
 * test spares a shell parse of the other RUNs. NOTE: a RUN without any of
 * these words whose shell text does not parse counts as not touching the
 * lists, where a parse would have counted it as opaque.
 */
function mayTouchLists(instruction: Instruction): boolean {
  const run = instruction.trigger ?? instruction;
  if (run.json) return true;
  const text = [
    run.value,
    ...run.heredocs.map((heredoc) => heredoc.content),
  ].join("\n");
  return /apt|nala|upgrade|\$|\beval\b|\bsource\b|\.(sh|bash)\b|\.\.?\/|(^|[\s;&|(])\.\s|\b(sh|bash|dash|ash|zsh|ksh|mksh|busybox)\b/.test(
    text,
  );
}

/** Follows the lists through a stage and returns whether they last to its end. */
function followInStage(
  shell: ShellAnalysis,
  stage: Stage,
  after: number,
  usage: ListsUsage,
): boolean {
  for (const instruction of stage.instructions) {
    if (instruction.index <= after || instruction.keyword !== "RUN") continue;
    // A mount over the lists hides the layer's lists from this RUN.
    if (findListsMount(instruction)) continue;
    if (!mayTouchLists(instruction) && shell.shellOf(instruction).posix)
      continue;
    const reading = readListsActivity(shell, instruction);
    if (reading.kind === "unreadable") {
      usage.opaque.push({ instruction, reason: reading.reason });
      continue;
    }
    const { activity } = reading;
    if (activity.opaque)
      usage.opaque.push({ instruction, reason: activity.opaque });
    if (activity.readsEarlierLists) {
      usage.readers.push({ instruction, kind: "run", end: activity.end });
    }
    if (activity.end !== "kept") return false;
  }
  return true;
}

/** Reports whether a stage is built on one of `bases`. A build argument as base may name any. */
function isBuiltOnAny(stage: Stage, bases: Stage[]): boolean {
  if (stage.parent !== undefined) {
    return bases.some((base) => base.index === stage.parent);
  }
  return stage.baseIsVariable && bases.length > 0;
}

function findTriggerReaders(
  shell: ShellAnalysis,
  stage: Stage,
  usage: ListsUsage,
): void {
  for (const instruction of stage.instructions) {
    if (instruction.trigger?.keyword !== "RUN") continue;
    const reading = readListsActivity(shell, instruction);
    if (reading.kind === "unreadable") {
      usage.opaque.push({ instruction, reason: reading.reason });
    } else if (reading.activity.readsEarlierLists) {
      usage.readers.push({ instruction, kind: "onbuild", end: "kept" });
    } else if (reading.activity.opaque) {
      usage.opaque.push({ instruction, reason: reading.activity.opaque });
    }
  }
}

function findCopyReaders(
  stages: StageGraph,
  run: Instruction,
  stagesWithLists: Stage[],
  usage: ListsUsage,
): void {
  for (const stage of stages.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.index <= run.index) continue;
      const sources = stageSources(instruction);
      if (sources.length === 0 || !sources.some(touchesLists)) continue;
      const read = referencedStages(stages, instruction);
      if (read.some((candidate) => stagesWithLists.includes(candidate))) {
        usage.readers.push({ instruction, kind: "copy", end: "kept" });
      }
    }
  }
}

/**
 * Returns the paths an instruction reads from another stage: the sources of
 * `COPY --from`, and the `source=` of `RUN --mount=from=`.
 */
function stageSources(instruction: Instruction): string[] {
  if (instruction.keyword === "COPY") {
    if (!instruction.flags.some((flag) => flag.name === "from")) return [];
    const words =
      instruction.json ?? instruction.value.split(/\s+/).filter(Boolean);
    return words.slice(0, -1);
  }
  if (instruction.keyword !== "RUN") return [];
  // A mount without `source=` exposes the whole stage, lists included.
  return readMounts(instruction)
    .filter((mount) => mount.options.has("from"))
    .map(
      (mount) => mount.options.get("source") ?? mount.options.get("src") ?? "/",
    );
}

/** The RUN that should remove the lists an earlier RUN leaves, or why there is none. */
export type CleanupPlace =
  | { kind: "run"; instruction: Instruction }
  | { kind: "skip"; reason: string }
  /** The last RUN that reads the lists downloads or removes them itself. */
  | { kind: "handled" };

/**
 * Finds the RUN after which nothing reads the lists `run` leaves: `run`
 * itself, or the last later RUN that reads them when all such RUNs lie on
 * one chain of stages.
 */
export function findCleanupPlace(
  stages: StageGraph,
  run: Instruction,
  usage: ListsUsage,
): CleanupPlace {
  const trigger = usage.readers.find((reader) => reader.kind === "onbuild");
  if (trigger) {
    const line = trigger.instruction.startLine;
    return {
      kind: "skip",
      reason: `the \`ONBUILD\` trigger at line ${line} reads the lists in a later build`,
    };
  }
  const copy = usage.readers.find((reader) => reader.kind === "copy");
  if (copy) {
    const { keyword, startLine } = copy.instruction;
    const step = keyword === "COPY" ? "`COPY --from`" : "`RUN --mount=from=`";
    const reason = `${step} at line ${startLine} reads the lists that this \`RUN\` leaves`;
    return { kind: "skip", reason };
  }
  const runs = [...usage.readers].sort(
    (a, b) => a.instruction.index - b.instruction.index,
  );
  const last = runs[runs.length - 1];
  if (!last) return { kind: "run", instruction: run };
  if (
    !runs.every((reader) =>
      precedes(stages, reader.instruction, last.instruction),
    )
  ) {
    return {
      kind: "skip",
      reason:
        "stages built on this one read the lists on separate branches, so no single `RUN` uses them last",
    };
  }
  if (last.end !== "kept") return { kind: "handled" };
  return { kind: "run", instruction: last.instruction };
}

/**
 * Reports whether `first` runs before `second`: earlier in the same stage, or
 * in a stage that the stage of `second` is or may be built on.
 */
function precedes(
  stages: StageGraph,
  first: Instruction,
  second: Instruction,
): boolean {
  const stage = stages.stageOf(first);
  const other = stages.stageOf(second);
  if (!stage || !other) return false;
  if (stage === other) return first.index <= second.index;
  return stages.descendants(stage).includes(other);
}

/** Finds an opaque step that runs after `target`, so it may miss the lists. */
export function findOpaqueStepAfter(
  stages: StageGraph,
  usage: ListsUsage,
  target: Instruction,
): OpaqueStep | undefined {
  return usage.opaque.find(
    (step) =>
      step.instruction.keyword === "ONBUILD" ||
      (step.instruction.index > target.index &&
        precedes(stages, target, step.instruction)),
  );
}
