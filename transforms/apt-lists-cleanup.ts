import type { Edit } from "../src/edit/types.js";
import type { Instruction } from "../src/parse/types.js";
import { planAppend } from "../src/shell/append.js";
import { APT_LISTS, readAptCommand } from "../src/shell/apt.js";
import {
  findCleanupPlace,
  findListsMount,
  findListsUsage,
  findOpaqueStepAfter,
  mentionsListsUpdate,
  readListsActivity,
  type ListsActivity,
  type ListsUsage,
} from "../src/shell/lists-usage.js";
import type {
  Finding,
  Transform,
  TransformInput,
  TransformResult,
} from "../src/transform.js";
import { runUser } from "../src/user.js";

const CLEANUP = `rm -rf ${APT_LISTS}/*`;

export const aptListsCleanup = {
  id: "apt-lists-cleanup",
  title: "Remove `/var/lib/apt/lists/*` in the `RUN` that last uses the lists",
  safety: "safe",
  safetyReason:
    "It removes only /var/lib/apt/lists, which `apt-get update` downloads " +
    "again, after the last `RUN` in this file that reads the lists, in the " +
    "stage or in a stage built on it. It skips when an `ONBUILD` trigger or " +
    "a `COPY --from` reads the lists, and a later script that the analysis " +
    "cannot read makes the finding unsafe.",
  skipsWhen: [
    "a mount (cache, tmpfs, bind or any other) covers /var/lib/apt/lists or lies inside it",
    "an apt command keeps its lists elsewhere with `-o Dir::State::Lists=` or a parent setting",
    "the `RUN` may not run as root: `USER` names another user or a variable, or a command uses `sudo`",
    "the shell text does not parse, does not map exactly onto the source, or runs in a shell that is not POSIX",
    "a line continuation joins a line that looks like an instruction (`CMD ...`) into the `RUN`",
    "the `RUN` is in exec form",
    "the `RUN` passes a heredoc to a command, or its heredoc body runs with an interpreter other than sh or bash",
    "the last command runs in the background (`&`, also inside a group, a subshell or an `if`), ends the shell (`exit`, `exec`) or ends with a heredoc",
    "errexit is on (`set -e`, `shopt -so errexit`, the shell's `-e`, or a heredoc's `#!` line) and the `RUN` ends with a compound command, which `&&` after it would run without errexit",
    "an `ONBUILD` trigger runs `apt-get update` or reads the lists in a later build",
    "a later `COPY --from` or `RUN --mount=from=` reads the lists from this stage or a stage built on it",
    "stages built on this one read the lists on separate branches, so no single `RUN` uses them last",
  ],
  rationale:
    "Lists that `apt-get update` downloads stay in the layer of the `RUN` " +
    "that writes them, so every pull of the image carries them. Removing " +
    "them in a later `RUN` does not shrink the image, because the earlier " +
    "layer still contains them.",
  examples: [
    {
      before:
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n",
      after:
        "FROM debian:bookworm\n" +
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    },
  ],
  limitations: [
    "With errexit on, a `RUN` that ends in a compound command keeps its " +
      "lists, for example after `merge-runs` groups a second `RUN` that " +
      "starts with `set -e` as `{ ...; }`.",
    "When a later `RUN` still reads the lists, the removal goes into that `RUN`: the earlier layer keeps the lists, so the image does not shrink until the two `RUN`s are merged.",
    "A Dockerfile that builds on the image and installs without `apt-get update` fails after the edit, and this file cannot show such builds.",
    "Scripts are recognised by their form (`./setup.sh`, `sh -c`, `curl … | sh`, `.`, `eval`). A program or `make` target that runs `apt-get install` itself is not seen.",
    "An image base counts as root, although its configuration may name another user.",
    "Apt settings in files (`/etc/apt/apt.conf.d`, `APT_CONFIG`) that keep the lists elsewhere are not seen.",
  ],
  references: [
    "https://docs.docker.com/build/building/best-practices/#apt-get",
    "https://github.com/hadolint/hadolint/wiki/DL3009",
  ],
  hadolintRules: ["DL3009"],
  removesPaths: ["var/lib/apt/lists/**"],
  find: findLeftoverLists,
} satisfies Transform;

type Outcome = { finding: Finding } | { skip: string } | undefined;

/** A RUN that leaves lists, and the RUN where their removal belongs. */
interface Cleanup {
  run: Instruction;
  activity: ListsActivity;
  usage: ListsUsage;
  target: Instruction;
}

function findLeftoverLists(input: TransformInput): TransformResult {
  const result: TransformResult = { findings: [], skips: [] };
  for (const instruction of input.dockerfile.instructions) {
    const outcome = checkRun(input, instruction);
    if (outcome && "finding" in outcome) result.findings.push(outcome.finding);
    if (outcome && "skip" in outcome) {
      result.skips.push({ range: instruction.range, reason: outcome.skip });
    }
  }
  return result;
}

function checkRun(input: TransformInput, run: Instruction): Outcome {
  if ((run.trigger ?? run).keyword !== "RUN") return undefined;
  // Only a RUN whose text names an apt update can download lists, and the
  // text test spares a shell parse of every other RUN.
  if (!mentionsListsUpdate(run)) return undefined;
  const reading = readListsActivity(input.shell, run);
  if (reading.kind === "unreadable") {
    const reason = `the \`RUN\` ${reading.reason}`;
    return { skip: reason };
  }
  const { activity } = reading;
  if (activity.updates.length === 0) return undefined;
  if (activity.end === "removed") return undefined;

  const reason = checkDownload(run, activity);
  if (reason) return { skip: reason };

  const usage = findListsUsage(input.stages, input.shell, run);
  const place = findCleanupPlace(input.stages, run, usage);
  if (place.kind === "skip") return { skip: place.reason };
  if (place.kind === "handled") return undefined;

  const cleanup = { run, activity, usage, target: place.instruction };
  const edit = checkUser(input, cleanup.target) ?? planCleanup(input, cleanup);
  if (typeof edit !== "string")
    return { finding: buildFinding(input, cleanup, edit) };
  if (cleanup.target === run) return { skip: edit };
  const line = cleanup.target.startLine;
  return { skip: `the lists are last read at line ${line}, where ${edit}` };
}

function checkDownload(run: Instruction, activity: ListsActivity) {
  if (activity.movesLists) {
    return "an apt command keeps its lists elsewhere with `-o Dir::…`";
  }
  const mount = findListsMount(run);
  if (mount) {
    return `the ${mount.type} mount at \`${mount.target}\` overlaps \`${APT_LISTS}\``;
  }
  if (run.keyword === "ONBUILD") {
    return "the `ONBUILD` trigger runs in a later build, so its text is not edited";
  }
  return undefined;
}

/** `rm` run by another user fails on root's files and fails the build. */
function checkUser(input: TransformInput, target: Instruction) {
  const user = runUser(input.stages, target);
  if (user.kind === "other") {
    return `the \`RUN\` runs as \`${user.name}\`, set by \`USER\` at line ${user.line}, not as root`;
  }
  if (user.kind === "unknown")
    return `the \`RUN\` user is unknown because ${user.reason}`;
  const commands = input.shell.script(target)?.commands ?? [];
  const usesSudo = commands.some(
    (command) => command.words[0]?.value === "sudo",
  );
  return usesSudo
    ? "the `RUN` uses `sudo`, so it may not run as root"
    : undefined;
}

function planCleanup(input: TransformInput, cleanup: Cleanup): Edit | string {
  const { dockerfile, shell } = input;
  const plan = planAppend(dockerfile, shell, cleanup.target, CLEANUP);
  return plan.kind === "edit" ? plan.edit : plan.reason;
}

function buildFinding(
  input: TransformInput,
  cleanup: Cleanup,
  edit: Edit,
): Finding {
  const { run, activity, usage, target } = cleanup;
  const update = activity.updates[activity.updates.length - 1]!;
  const tool = readAptCommand(update)?.tool ?? "apt-get";
  const where =
    target === run
      ? "in this layer"
      : `after their last use at line ${target.startLine}`;
  const opaque = findOpaqueStepAfter(input.stages, usage, target);
  const step =
    opaque?.instruction.keyword === "ONBUILD" ? "`ONBUILD` trigger" : "`RUN`";
  const note =
    opaque &&
    `the ${step} at line ${opaque.instruction.startLine} ${opaque.reason}, which may read the lists`;
  return {
    range: update.range,
    message: `\`${tool} update\` leaves package lists ${where}`,
    safety: opaque ? "unsafe" : "safe",
    safetyNote: note,
    edits: [edit],
  };
}
