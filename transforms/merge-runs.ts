import { findSwallowedInstruction } from "../src/shell/source.js";
import {
  continuedAnd,
  readLayoutStyle,
  styleForInstruction,
  type LayoutStyle,
} from "../src/edit/layout.js";
import {
  checkAdjacentRuns,
  checkMovedPragmas,
  commentLines,
  movedCommentsOffset,
} from "../src/edit/merge-support.js";
import type { Edit } from "../src/edit/types.js";
import type {
  Dockerfile,
  Instruction,
  SourceLine,
} from "../src/parse/types.js";
import {
  closeGroupEdit,
  planScriptJoin,
  readRunRole,
  runCommands,
  type RunRole,
  type ScriptJoin,
} from "../src/shell/merge-support.js";
import type {
  Transform,
  TransformInput,
  TransformResult,
} from "../src/transform.js";

const ID = "merge-runs";
const HADOLINT_RULES = ["DL3059"];

/** Two RUN instructions to fold into one, `first` above `second`. */
interface RunPair {
  first: Instruction;
  second: Instruction;
  /** `update`: `first` only updates lists. `cleanup`: `second` only cleans. */
  kind: "update" | "cleanup";
}

/** A join that passed every check, with the comments it moves. */
interface MergePlan extends ScriptJoin {
  movedComments: SourceLine[];
}

const MESSAGES: Record<RunPair["kind"], string> = {
  update:
    "`RUN apt-get update` runs in its own layer, " +
    "apart from the install it serves",
  cleanup:
    "cleanup `RUN` removes files that the layer " +
    "of the install before it keeps",
};

function findMergeableRuns(input: TransformInput): TransformResult {
  const result: TransformResult = { findings: [], skips: [] };
  const style = readLayoutStyle(input.dockerfile);
  for (const pair of collectPairs(input)) {
    const { first, second, kind } = pair;
    const range = { start: first.range.start, end: second.range.end };
    const plan = planMerge(input, pair);
    if (typeof plan === "string") {
      result.skips.push({ range, reason: plan });
      continue;
    }
    const runStyle = styleForInstruction(input.dockerfile, pair.first, style);
    const edits = buildEdits(input.dockerfile, pair, plan, runStyle);
    const message = MESSAGES[kind];
    result.findings.push({ range, message, safety: "safe", edits });
  }
  return result;
}

interface Run {
  instruction: Instruction;
  role: RunRole;
}

/**
 * Pairs each RUN that only updates package lists with the next RUN that
 * installs with apt, and each cleanup-only RUN with the install before it.
 */
function collectPairs(input: TransformInput): RunPair[] {
  return input.stages.stages.flatMap((stage) => {
    const runs = stage.instructions.map((instruction) =>
      lazyRun(input, instruction),
    );
    return runs.flatMap((run, index) =>
      mayStartPair(run.instruction) ? (pairOf(runs, index) ?? []) : [],
    );
  });
}

/** Reads a RUN's role only when a pair needs it, since that parses its shell text. */
function lazyRun(input: TransformInput, instruction: Instruction): Run {
  let role: RunRole | undefined;
  return {
    instruction,
    get role() {
      return (role ??= readRunRole(runCommands(input.shell, instruction)));
    },
  };
}

/**
 * Reports whether a RUN's text could make it update-only or cleanup-only;
 * every such command has one of these words in it.
 */
function mayStartPair(instruction: Instruction): boolean {
  const run = instruction.trigger ?? instruction;
  const text = [
    run.value,
    ...run.heredocs.map((heredoc) => heredoc.content),
  ].join("\n");
  return /\b(update|clean|autoclean|distclean|rm|purge)\b/.test(text);
}

function pairOf(runs: Run[], index: number): RunPair | undefined {
  const { instruction, role } = runs[index]!;
  if (role.updatesListsOnly) {
    const later = runs.slice(index + 1);
    const install = later.find((run) => run.role.installsWithApt);
    if (!install) return undefined;
    return { first: instruction, second: install.instruction, kind: "update" };
  }
  if (role.cleansUpOnly) {
    const earlier = runs.slice(0, index).reverse();
    const install = earlier.find((run) => run.role.installs);
    if (!install) return undefined;
    return { first: install.instruction, second: instruction, kind: "cleanup" };
  }
  return undefined;
}

/** Returns how to merge the pair, or the reason to leave it alone. */
function planMerge(input: TransformInput, pair: RunPair): MergePlan | string {
  const { dockerfile, shell } = input;
  const { first, second } = pair;
  const adjacency = checkAdjacentRuns(dockerfile, first, second);
  if (adjacency) return adjacency;
  for (const run of [first, second]) {
    const swallowed = findSwallowedInstruction(dockerfile, run);
    if (swallowed !== undefined) {
      return `a line continuation joins line ${swallowed}, which looks like an instruction, into the RUN on line ${run.startLine}`;
    }
  }
  const join = planScriptJoin(
    shell.shellOf(first),
    [first, second],
    [shell.script(first), shell.script(second)],
  );
  if (typeof join === "string") return join;
  const movedComments = commentLines(
    dockerfile,
    join.firstEnd,
    second.argumentsStart,
  );
  const pragmaReason = checkMovedPragmas(
    dockerfile,
    movedComments,
    ID,
    HADOLINT_RULES,
  );
  return pragmaReason ?? { ...join, movedComments };
}

/**
 * Replaces the text from the end of the first RUN's commands to the second
 * RUN's arguments with a `&&` continuation, which drops the second keyword
 * and its flags, and moves the comments of that span above the first RUN.
 */
function buildEdits(
  dockerfile: Dockerfile,
  { first, second }: RunPair,
  plan: MergePlan,
  style: LayoutStyle,
): Edit[] {
  const edits: Edit[] = [];
  const moved = plan.movedComments.map((line) =>
    dockerfile.text.slice(line.start, line.next),
  );
  if (moved.length > 0) {
    const offset = movedCommentsOffset(dockerfile, first);
    edits.push(insertAt(offset, moved.join("")));
  }
  if (plan.isolateFirst) edits.push(insertAt(first.argumentsStart, "( "));
  const close = plan.isolateFirst ? " )" : "";
  const open = plan.groupSecond ? "{ " : "";
  const range = { start: plan.firstEnd, end: second.argumentsStart };
  edits.push({ range, text: close + continuedAnd(style, open) });
  if (plan.groupSecond) edits.push(closeGroupEdit(plan.second));
  return edits;
}

function insertAt(offset: number, text: string): Edit {
  return { range: { start: offset, end: offset }, text };
}

export const mergeRuns = {
  id: ID,
  title: "Fold `apt-get update` and cleanup RUNs into the install they serve",
  safety: "safe",
  safetyReason:
    "The merged RUN runs the same commands in the same order, with the " +
    "same flags and shell. The second part runs only when the first part " +
    "succeeds, as with two RUNs, and a `{ ...; }` group keeps a `;` or " +
    "`||` in the second RUN behind the `&&`. Shell state that the first " +
    "RUN changes stays in a subshell, and the merge is skipped when " +
    "errexit would stop applying inside it.",
  skipsWhen: [
    "the RUN instructions have different flags, compared in any order " +
      "except among `--mount` flags",
    "either RUN uses the exec form",
    "a line continuation joins a line that looks like an instruction (`CMD ...`) into either RUN",
    "either RUN has a heredoc",
    "either RUN is an `ONBUILD` trigger",
    "anything but comments and blank lines separates the RUNs",
    "the first RUN ends with `&` or starts a background job",
    "the first RUN has a comment, which runs to the end of the RUN",
    "the stage shell is not POSIX: a `SHELL` such as `pwsh` or `cmd`, " +
      "a Windows base image, or the backtick escape with an unknown base",
    "shell text does not parse, or a line continuation joins two words",
    "a comment in the second RUN hides the continuation lines after it",
    "an `ignore=` pragma for `DL3059` or `merge-runs` marks either RUN",
    "any other inline `ignore=` pragma is between the RUNs",
    "the first RUN changes shell state (`cd`, `export`, `set`) while " +
      "errexit is on, so a subshell around it would ignore errexit",
    "errexit is on and the first RUN ends with a compound command",
  ],
  rationale:
    "Docker caches a RUN that only runs `apt-get update` by its text, so " +
    "after the install RUN changes, the build reuses old package lists " +
    "and can install outdated versions or fail to find packages. A file " +
    "that a later RUN deletes stays in the layer that wrote it, so a " +
    "separate cleanup RUN does not make the image smaller.",
  examples: [
    {
      before:
        "FROM debian:bookworm\n" +
        "RUN apt-get update\n" +
        "RUN apt-get install -y curl\n",
      after:
        "FROM debian:bookworm\n" +
        "RUN apt-get update && \\\n" +
        "    apt-get install -y curl\n",
    },
    {
      before:
        "FROM debian:bookworm\n" +
        "RUN apt-get update && apt-get install -y curl\n" +
        "RUN rm -rf /var/lib/apt/lists/*\n",
      after:
        "FROM debian:bookworm\n" +
        "RUN apt-get update && apt-get install -y curl && \\\n" +
        "    rm -rf /var/lib/apt/lists/*\n",
    },
  ],
  limitations: [
    "An `ignore=` pragma above the first RUN also covers the commands of " +
      "the second RUN after the merge.",
    "A daemon that the first RUN starts inside a subshell or with " +
      "`setsid` keeps running during the second RUN, while a separate RUN " +
      "would have ended it.",
    "An update-only RUN merges into the next install even when that " +
      "install runs `apt-get update` itself.",
  ],
  references: [
    "https://docs.docker.com/build/building/best-practices/#apt-get",
    "https://hackage.haskell.org/package/hadolint/docs/Hadolint-Rule-DL3059.html",
  ],
  hadolintRules: HADOLINT_RULES,
  find: findMergeableRuns,
} satisfies Transform;
