import type { Parser } from "web-tree-sitter";
import type { Dockerfile, Instruction } from "../parse/types.js";
import type { Stage, StageGraph } from "../stages.js";
import { buildScript, type ShellScript } from "./model.js";
import { parseShell } from "./parser.js";
import { buildShellSource, type ShellSource } from "./source.js";
import { hasErrexitOption } from "./state.js";

/** The shell a stage runs RUN commands with. */
export interface StageShell {
  /** The command line, for example `["/bin/sh", "-c"]`. */
  argv: string[];
  /** A POSIX shell (`sh`, `bash`, `dash`, ...), so shell analysis applies. */
  posix: boolean;
  /** The reason the shell is not POSIX, when it is not. */
  reason: string | undefined;
  /** The shell's own options turn on errexit, for example `-e` or `-o errexit`. */
  errexit: boolean;
}

/** Shell analysis of RUN instructions, computed once per instruction. */
export interface ShellAnalysis {
  /** The parsed shell form of a RUN (or its heredoc body); `undefined` for exec form. */
  script(instruction: Instruction): ShellScript | undefined;
  /** The shell that runs the instruction's commands. */
  shellOf(instruction: Instruction): StageShell;
}

const POSIX_SHELLS = /^(sh|bash|dash|ash|ksh|mksh|zsh|busybox)$/;
const WINDOWS_BASE =
  /(^|[/:])(windows|nanoserver|servercore|windowsservercore)([-:/@]|$)|mcr\.microsoft\.com\/(windows|powershell|dotnet\/framework)/i;
const DEFAULT_SHELL: StageShell = {
  argv: ["/bin/sh", "-c"],
  posix: true,
  reason: undefined,
  errexit: false,
};

/** Creates the shell analysis of a file with a loaded tree-sitter parser. */
export function createShellAnalysis(
  parser: Parser,
  dockerfile: Dockerfile,
  stages: StageGraph,
): ShellAnalysis {
  const scripts = new Map<Instruction, ShellScript | undefined>();
  return {
    script(instruction) {
      if (!scripts.has(instruction)) {
        scripts.set(instruction, parseRun(parser, dockerfile, instruction));
      }
      return scripts.get(instruction);
    },
    shellOf(instruction) {
      return shellAt(dockerfile, stages, instruction);
    },
  };
}

function parseRun(
  parser: Parser,
  dockerfile: Dockerfile,
  instruction: Instruction,
): ShellScript | undefined {
  const run = instruction.trigger ?? instruction;
  if (run.keyword !== "RUN" || run.json) return undefined;
  const source: ShellSource = instruction.trigger
    ? {
        text: run.value,
        base: instruction.argumentsStart,
        heredocBody: false,
        shebang: undefined,
        exact: false,
      }
    : buildShellSource(dockerfile, run);
  const tree = parseShell(parser, source.text);
  try {
    return buildScript(tree.rootNode, source);
  } finally {
    tree.delete();
  }
}

function shellAt(
  dockerfile: Dockerfile,
  stages: StageGraph,
  instruction: Instruction,
): StageShell {
  const stage = stages.stageOf(instruction);
  if (!stage) return DEFAULT_SHELL;
  return shellBefore(dockerfile, stages, stage, instruction.index);
}

/** Returns the shell in force in `stage` just before instruction `index`. */
function shellBefore(
  dockerfile: Dockerfile,
  stages: StageGraph,
  stage: Stage,
  index: number,
): StageShell {
  let shell = initialShell(dockerfile, stages, stage);
  for (const candidate of stage.instructions) {
    if (candidate.index >= index) break;
    if (candidate.keyword === "SHELL") shell = readShellInstruction(candidate);
  }
  return shell;
}

function initialShell(
  dockerfile: Dockerfile,
  stages: StageGraph,
  stage: Stage,
): StageShell {
  if (stage.parent !== undefined) {
    const parent = stages.stages[stage.parent]!;
    return shellBefore(dockerfile, stages, parent, Number.MAX_SAFE_INTEGER);
  }
  const platform =
    stage.from.flags.find((flag) => flag.name === "platform")?.value ?? "";
  if (WINDOWS_BASE.test(stage.base) || platform.startsWith("windows")) {
    return {
      ...DEFAULT_SHELL,
      posix: false,
      reason: "the base image is Windows",
    };
  }
  if (
    dockerfile.escape === "`" &&
    !stage.baseIsVariable &&
    !isKnownLinuxBase(stage.base)
  ) {
    return {
      ...DEFAULT_SHELL,
      posix: false,
      reason: "the backtick escape suggests a Windows base image",
    };
  }
  return DEFAULT_SHELL;
}

const LINUX_BASES =
  /^(scratch|(docker\.io\/)?(library\/)?(debian|ubuntu|alpine|busybox|centos|fedora|rockylinux|almalinux|amazonlinux|archlinux|node|python|golang|ruby|openjdk|eclipse-temurin|nginx|httpd|postgres|redis)(:|@|$))/i;

function isKnownLinuxBase(base: string): boolean {
  return LINUX_BASES.test(base);
}

function readShellInstruction(instruction: Instruction): StageShell {
  const argv = instruction.json;
  if (!argv || argv.length === 0) {
    return {
      ...DEFAULT_SHELL,
      argv: [],
      posix: false,
      reason: "the `SHELL` instruction is not a JSON array",
    };
  }
  const program = argv[0]!.replace(/\\/g, "/");
  const name = program
    .slice(program.lastIndexOf("/") + 1)
    .replace(/\.exe$/i, "")
    .toLowerCase();
  if (!POSIX_SHELLS.test(name)) {
    return {
      argv,
      posix: false,
      reason: `\`SHELL\` runs \`${argv[0]}\`, which is not a POSIX shell`,
      errexit: false,
    };
  }
  return {
    argv,
    posix: true,
    reason: undefined,
    errexit: hasErrexitOption(argv.slice(1)),
  };
}
