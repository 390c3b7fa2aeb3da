import { matchKeywordCase } from "../src/edit/layout.js";
import type { Edit } from "../src/edit/types.js";
import type { Dockerfile, Instruction, Range } from "../src/parse/types.js";
import { parseImageReference, toolchainOf } from "../src/toolchain/image.js";
import { planGoBuild } from "../src/toolchain/go-plan.js";
import { planNodeBuild } from "../src/toolchain/node-plan.js";
import {
  PLAN_SKIPS,
  type BuildPlan,
  type StageView,
} from "../src/toolchain/plan.js";
import {
  carryInstructions,
  findUnknownUser,
  isUserSetup,
  needsShell,
  renderStep,
  runtimeFrom,
  userBefore,
} from "../src/toolchain/runtime.js";
import { readStartCommand } from "../src/toolchain/stage.js";
import type {
  Finding,
  Skip,
  Transform,
  TransformInput,
  TransformResult,
} from "../src/transform.js";

const SKIPS = {
  multiStage: "the file already has more than one stage",
  toolchain: "the base image is not an official Linux `golang` or `node` image",
  onbuild: "the stage has an `ONBUILD` trigger",
  heredoc: "a `RUN` in the stage uses a heredoc",
  shell: "`SHELL` selects a shell that is not POSIX",
  ...PLAN_SKIPS,
  afterBuild:
    "a `RUN`, `COPY` or `ADD` after the build step changes files " +
    "that the runtime stage would lack",
  user: "`USER` names an account that the runtime image may lack",
};

export const multiStage = {
  id: "multi-stage",
  title: "Split the stage into a build stage and a smaller runtime stage",
  safety: "proposal",
  safetyReason:
    "The runtime stage lacks what the toolchain image and the steps before " +
    "the build put there: C libraries, CA certificates, time zone data, " +
    "accounts and files the program may read at run time. Only the " +
    "program shows whether it needs them.",
  skipsWhen: Object.values(SKIPS),
  rationale:
    "The image of a single stage keeps the compiler, the sources and the " +
    "module cache or dev dependencies, which the running program " +
    "usually does not read. They make the image larger to store, push " +
    "and pull.",
  examples: [
    {
      before:
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" +
        'RUN go build -o /usr/local/bin/app ./cmd/app\nCMD ["app"]\n',
      // A proposal is never applied, so the file stays as it is. The
      // proposed split appears only in the diff.
      after:
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" +
        'RUN go build -o /usr/local/bin/app ./cmd/app\nCMD ["app"]\n',
      proposal:
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n" +
        "RUN go build -o /usr/local/bin/app ./cmd/app\n\n" +
        "FROM debian:bookworm-slim\nWORKDIR /src\n" +
        "COPY --from=build /usr/local/bin/app /usr/local/bin/app\n" +
        'CMD ["app"]\n',
    },
  ],
  limitations: [
    "Only `go build` and `npm run build` in shell-form `RUN`s are " +
      "recognized: `go install`, yarn, pnpm and other toolchains are not.",
    "The Go runtime base is a default: `debian:bookworm-slim` when the " +
      "`golang` tag names no Debian release, which may be older than " +
      "the release the build image uses.",
    "The Node.js runtime base is the `-slim` variant of the same tag, or " +
      "the same image when the tag names a variant or expands a variable.",
    "Account setup is repeated only from a `RUN` that does nothing but " +
      "`useradd`, `groupadd`, `adduser` or `addgroup`.",
    "Packages and files that steps before the build add outside the " +
      "build output are not copied.",
  ],
  references: ["https://docs.docker.com/build/building/multi-stage/"],
  find: proposeSplit,
} satisfies Transform;

function proposeSplit(input: TransformInput): TransformResult {
  const view = readStage(input);
  if (view === undefined) return { findings: [], skips: [] };
  if ("reason" in view) return { findings: [], skips: [view] };

  const result =
    view.toolchain === "go" ? planGoBuild(view) : planNodeBuild(view);
  if (result.kind === "skip") {
    return { findings: [], skips: [skipAt(result.reason, result.range)] };
  }

  const blocker = findBlocker(view, result.plan);
  if (blocker) return { findings: [], skips: [blocker] };

  return { findings: [buildFinding(input, view, result.plan)], skips: [] };
}

function skipAt(reason: string, range: Range): Skip {
  return { reason, range };
}

/** Reads the single stage and checks the conditions that apply to any toolchain. */
function readStage(input: TransformInput): StageView | Skip | undefined {
  const [stage, second] = input.stages.stages;
  if (!stage) return undefined;
  if (second) return skipAt(SKIPS.multiStage, second.from.range);
  const base = parseImageReference(stage.base);
  const toolchain = toolchainOf(base);
  if (!toolchain) return skipAt(SKIPS.toolchain, stage.from.range);

  const { instructions } = stage;
  const onbuild = instructions.find((item) => item.keyword === "ONBUILD");
  if (onbuild) return skipAt(SKIPS.onbuild, onbuild.range);
  const heredoc = instructions.find((item) => item.heredocs.length > 0);
  if (heredoc) return skipAt(SKIPS.heredoc, heredoc.range);
  const { shell } = input;
  const last = instructions.at(-1) ?? stage.from;
  if (!shell.shellOf(last).posix) {
    const setter = instructions.filter((item) => item.keyword === "SHELL");
    return skipAt(SKIPS.shell, (setter.at(-1) ?? last).range);
  }
  const start = readStartCommand(instructions);
  if (!start) return skipAt(SKIPS.notStarted, stage.from.range);

  const { text } = input.dockerfile;
  const usesShell = needsShell(stage, shell, start);
  return { toolchain, stage, shell, text, base, start, needsShell: usesShell };
}

/** Finds what keeps the runtime stage from matching the single stage. */
function findBlocker(view: StageView, plan: BuildPlan): Skip | undefined {
  const after = view.stage.instructions.filter(
    (item) => item.index > plan.lastStep.index,
  );
  const changer = after.find(
    (item) =>
      ["COPY", "ADD"].includes(item.keyword) ||
      (item.keyword === "RUN" && !isUserSetup(view.shell, item)),
  );
  if (changer) return skipAt(SKIPS.afterBuild, changer.range);

  const user = findUnknownUser(view, plan.runtimeBase);
  return user ? skipAt(SKIPS.user, user.range) : undefined;
}

/** Builds the finding whose edits name the build stage and add the runtime stage. */
function buildFinding(
  input: TransformInput,
  view: StageView,
  plan: BuildPlan,
): Finding {
  const { dockerfile } = input;
  const { from } = view.stage;
  const stageName = view.stage.name ?? "build";
  const carried = carryInstructions(dockerfile, view, plan.lastStep);
  const edits: Edit[] = carried.moved.map((range) => ({ range, text: "" }));
  if (view.stage.name === undefined) {
    edits.push(nameStage(dockerfile, from, stageName));
  }
  const user = userBefore(view, plan.lastStep);
  const steps = plan.runtimeSteps.map((step) =>
    renderStep(step, from.keywordText, stageName, user),
  );
  const lines = [
    runtimeFrom(from, plan.runtimeBase),
    ...carried.pieces.map((piece) => piece.replace(/\r?\n$/, "")),
    ...steps,
  ];
  edits.push(appendAfter(dockerfile, plan.lastStep, lines));
  return {
    range: from.range,
    message: MESSAGES[plan.toolchain],
    safety: "proposal",
    safetyNote: `Check before adopting: ${checksFor(view, plan).join(" ")}`,
    edits,
  };
}

/** Adds ` AS <name>` at the end of the `FROM` line, in its keyword case. */
function nameStage(
  dockerfile: Dockerfile,
  from: Instruction,
  name: string,
): Edit {
  const written = dockerfile.text.slice(from.range.start, from.range.end);
  const end = from.range.start + written.trimEnd().length;
  const as = matchKeywordCase("AS", from.keywordText);
  return { range: { start: end, end }, text: ` ${as} ${name}` };
}

/** Inserts a blank line and then `lines` after an instruction. */
function appendAfter(
  dockerfile: Dockerfile,
  instruction: Instruction,
  lines: string[],
): Edit {
  const { eol } = dockerfile;
  const at = instruction.next;
  const open = at === instruction.range.end ? eol : "";
  const text = open + eol + lines.map((line) => line + eol).join("");
  return { range: { start: at, end: at }, text };
}

const MESSAGES: Record<BuildPlan["toolchain"], string> = {
  go:
    "The image keeps the Go toolchain and the sources, though it runs " +
    "only the binary that `go build` writes",
  node:
    "The image keeps dev dependencies and the sources, though it runs " +
    "only the output of `npm run build`",
};

/** Lists what to check before adopting the split, one sentence each. */
function checksFor(view: StageView, plan: BuildPlan): string[] {
  const keywords = new Set(view.stage.instructions.map((item) => item.keyword));
  const checks = [
    ...plan.checks,
    "Packages and files that steps before the build add, and the " +
      "environment of the toolchain image, stay in the build stage.",
  ];
  if (keywords.has("USER")) {
    checks.push(
      "The accounts that `USER` names must exist in the runtime image " +
        "with the same IDs.",
    );
  }
  if (keywords.has("HEALTHCHECK")) {
    checks.push("The `HEALTHCHECK` command must exist in the runtime image.");
  }
  return checks;
}
