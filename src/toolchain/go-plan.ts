import { assignsCgoOff, goBuildOutput, type GoOutput } from "./go.js";
import { goRuntimeBase } from "./image.js";
import {
  finalWorkdir,
  findCommands,
  PLAN_SKIPS,
  resolveAt,
  skipPlan,
  unknownPath,
  type BuildPlan,
  type Located,
  type PlanResult,
  type RuntimeStep,
  type StageView,
} from "./plan.js";
import { programPaths, searchPath, setsEnv } from "./stage.js";

/** Plans a split for a stage that builds with `go build`. */
export function planGoBuild(view: StageView): PlanResult {
  const builds = findCommands<GoOutput>(view, goBuildOutput);
  const last = builds.at(-1);
  if (!last) return skipPlan(PLAN_SKIPS.noBuild, view.stage.from.range);
  const artifacts = resolveArtifacts(view, builds);
  if (!Array.isArray(artifacts)) return artifacts;

  const { argv, instruction } = view.start;
  const candidates = programPaths(
    argv[0] ?? "",
    finalWorkdir(view),
    searchPath(view.stage.instructions),
  );
  if (!candidates.some((path) => artifacts.includes(path))) {
    return skipPlan(PLAN_SKIPS.notStarted, instruction.range);
  }

  const writers = builds.filter((build) => build.value.kind === "file");
  const staticBinary = writers.every((build) => isCgoOff(view, build));
  const needsShell = view.needsShell;
  const runtimeBase = goRuntimeBase(view.base, { staticBinary, needsShell });
  const runtimeSteps = artifacts.map((path): RuntimeStep => ({
    kind: "copy",
    source: path,
    destination: path,
  }));
  const lastStep = last.instruction;
  const checks = goChecks(runtimeBase);
  const plan: BuildPlan = {
    toolchain: "go",
    lastStep,
    runtimeSteps,
    runtimeBase,
    checks,
  };
  return { kind: "plan", plan };
}

/** Returns the absolute paths of the files the builds write. */
function resolveArtifacts(
  view: StageView,
  builds: Located<GoOutput>[],
): string[] | PlanResult {
  const artifacts: string[] = [];
  for (const build of builds) {
    const output = build.value;
    if (output.kind === "none") continue;
    if (output.kind === "unknown") {
      return unknownPath(output.reason, build.instruction.range);
    }
    const path = resolveAt(view, build, output.path);
    if (typeof path !== "string") {
      return unknownPath(path.reason, build.instruction.range);
    }
    artifacts.push(path);
  }
  return artifacts;
}

/** Reports whether `ENV` or the `RUN` itself sets CGO_ENABLED=0 for a build. */
function isCgoOff<T>(view: StageView, build: Located<T>): boolean {
  const before = view.stage.instructions.filter(
    (instruction) => instruction.index < build.instruction.index,
  );
  if (setsEnv(before, "CGO_ENABLED", "0")) return true;
  const { argumentsStart } = build.instruction;
  return assignsCgoOff(
    view.text.slice(argumentsStart, build.command.range.end),
  );
}

function goChecks(runtimeBase: string): string[] {
  const platform =
    "For multi-platform builds, `FROM --platform=$BUILDPLATFORM` on the " +
    "build stage with `GOOS` and `GOARCH` set from `TARGETOS` and " +
    "`TARGETARCH` avoids emulation.";
  if (runtimeBase.startsWith("gcr.io/distroless/")) {
    return [
      `\`${runtimeBase}\` has CA certificates and time zone data, ` +
        "but no shell and no C library.",
      platform,
    ];
  }
  return [
    "A binary built with cgo needs its C libraries in the runtime image, " +
      "with a libc at least as new as the build image's.",
    `\`${runtimeBase}\` has no CA certificates and may lack time zone ` +
      "data, so install `ca-certificates` or `tzdata` if the program " +
      "makes TLS connections or loads time zones.",
    platform,
  ];
}
