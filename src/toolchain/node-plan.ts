import { posix } from "node:path";
import { nodeRuntimeBase } from "./image.js";
import {
  BUILD_OUTPUT_FOLDERS,
  nodeScript,
  readNpmStep,
  type NpmInstall,
} from "./node.js";
import {
  finalWorkdir,
  findCommands,
  PLAN_SKIPS,
  resolveAt,
  skipPlan,
  unknownPath,
  VARIABLE_WORKDIR,
  type BuildPlan,
  type Located,
  type PlanResult,
  type RuntimeStep,
  type StageView,
} from "./plan.js";

/** Plans a split for a stage that builds with `npm run build`. */
export function planNodeBuild(view: StageView): PlanResult {
  const steps = findCommands(view, readNpmStep);
  const build = steps.find((step) => step.value.kind === "build");
  const install = steps.find(
    (step): step is Located<NpmInstall> => step.value.kind === "install",
  );
  const installsFirst =
    install && build && install.command.range.start < build.command.range.start;
  if (!build || !install || !installsFirst) {
    return skipPlan(PLAN_SKIPS.noBuild, view.stage.from.range);
  }

  const workdir = resolveAt(view, build, ".");
  if (typeof workdir !== "string") {
    return unknownPath(workdir.reason, build.instruction.range);
  }
  const start = finalWorkdir(view);
  if (start === undefined) {
    return unknownPath(VARIABLE_WORKDIR, view.start.instruction.range);
  }
  const output = nodeOutputFolder(view, workdir, start);
  if (output === undefined) {
    return skipPlan(PLAN_SKIPS.notStarted, view.start.instruction.range);
  }

  const { action } = install.value;
  const runtimeSteps: RuntimeStep[] = [
    {
      kind: "copy",
      source: posix.join(workdir, "package*.json"),
      destination: withSlash(workdir),
    },
    { kind: "run", command: `npm ${action} --omit=dev` },
    { kind: "copy", source: output, destination: output },
  ];
  const plan: BuildPlan = {
    toolchain: "node",
    lastStep: build.instruction,
    runtimeSteps,
    runtimeBase: nodeRuntimeBase(view.base, view.stage.base),
    checks: nodeChecks(action, output),
  };
  return { kind: "plan", plan };
}

/** Returns the build output folder that contains the script `node` starts. */
function nodeOutputFolder(
  view: StageView,
  workdir: string,
  start: string,
): string | undefined {
  const script = nodeScript(view.start.argv);
  if (script === undefined) return undefined;
  const path = posix.resolve(start, script);
  return BUILD_OUTPUT_FOLDERS.map((folder) => posix.join(workdir, folder)).find(
    (folder) => path === folder || path.startsWith(`${folder}/`),
  );
}

function withSlash(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}

function nodeChecks(action: string, output: string): string[] {
  return [
    `The runtime stage runs \`npm ${action} --omit=dev\` (npm 7 or later) in an ` +
      "image that may lack the compiler and Python that native modules " +
      "need to build.",
    `Only \`package*.json\`, production dependencies and \`${output}\` ` +
      "reach the runtime stage, so copy templates, static files or " +
      "configuration that the app reads at run time.",
    "For multi-platform builds, keep the build stage on the target " +
      "platform, because native modules built for `$BUILDPLATFORM` do not " +
      "run on another.",
  ];
}
