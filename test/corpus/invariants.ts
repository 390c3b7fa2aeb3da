import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { diffLines } from "diff";
import {
  createFolderContext,
  optimize,
  type BuildContext,
} from "../../src/api.js";
import { parseDockerfile } from "../../src/parse/index.js";
import type { Dockerfile, Instruction } from "../../src/parse/types.js";
import { createShellAnalysis } from "../../src/shell/analysis.js";
import { loadShellParser } from "../../src/shell/parser.js";
import { buildStageGraph } from "../../src/stages.js";

export interface Violation {
  path: string;
  problem: string;
}

/**
 * Returns the 1-based input line numbers that the rewrite changed or
 * removed, and the lines on both sides of an insertion. A line diff may
 * pair an edited line with an equal line further down (`rm -rf x` before
 * and after a merge), so an edit can show up as a bare insertion next to
 * the instruction it changed.
 */
function changedInputLines(input: string, output: string): Set<number> {
  const changed = new Set<number>();
  let line = 1;
  for (const part of diffLines(input, output)) {
    const count = part.count ?? 0;
    if (part.added) {
      changed.add(line - 1);
      changed.add(line);
      continue;
    }
    if (part.removed)
      for (let index = 0; index < count; index++) changed.add(line + index);
    line += count;
  }
  return changed;
}

function rawText(dockerfile: Dockerfile, instruction: Instruction): string {
  return dockerfile.text.slice(instruction.range.start, instruction.range.end);
}

function touches(instruction: Instruction, lines: Set<number>): boolean {
  for (let line = instruction.startLine; line <= instruction.endLine; line++)
    if (lines.has(line)) return true;
  return false;
}

/** Checks that instructions outside the changed lines reappear byte for byte. */
function checkUntouched(
  before: Dockerfile,
  after: Dockerfile,
  changed: Set<number>,
): string[] {
  const remaining = new Map<string, number>();
  for (const instruction of after.instructions) {
    const key = rawText(after, instruction);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const instruction of before.instructions) {
    if (touches(instruction, changed)) continue;
    const key = rawText(before, instruction);
    const left = remaining.get(key) ?? 0;
    if (left === 0)
      problems.push(
        `untouched instruction on line ${instruction.startLine} is not in the output as it was`,
      );
    else remaining.set(key, left - 1);
  }
  return problems;
}

/** Checks the instruction sequence: only merges and `ADD` to `COPY` may change it. */
function checkSequence(
  before: Dockerfile,
  after: Dockerfile,
  merges: number,
): string[] {
  const shape = (file: Dockerfile) =>
    file.instructions
      .filter((item) => item.keyword !== "RUN")
      .map((item) => (item.keyword === "ADD" ? "COPY" : item.keyword));
  const runs = (file: Dockerfile) =>
    file.instructions.filter((item) => item.keyword === "RUN").length;
  const problems: string[] = [];
  if (shape(before).join(" ") !== shape(after).join(" "))
    problems.push("the non-RUN instructions changed beyond ADD to COPY");
  if (runs(before) - merges !== runs(after))
    problems.push(
      `expected ${runs(before) - merges} RUN instructions after ${merges} merges, found ${runs(after)}`,
    );
  return problems;
}

/** Returns the command BuildKit would hand to the shell for a RUN, for `sh -n`. */
function commandText(dockerfile: Dockerfile, instruction: Instruction): string {
  if (instruction.heredocs.length === 0) return instruction.value;
  return dockerfile.text
    .slice(instruction.argumentsStart, instruction.range.end)
    .replace(/\r/g, "");
}

async function checkShell(
  after: Dockerfile,
  afterLines: Set<number>,
): Promise<string[]> {
  const parser = await loadShellParser();
  const stages = buildStageGraph(after);
  const analysis = createShellAnalysis(parser, after, stages);
  const problems: string[] = [];
  for (const instruction of after.instructions) {
    if (
      instruction.keyword !== "RUN" ||
      instruction.json ||
      !touches(instruction, afterLines)
    )
      continue;
    const script = analysis.script(instruction);
    const shell = analysis.shellOf(instruction);
    if (!script || !shell.posix) continue;
    if (
      script.source.heredocBody &&
      script.source.shebang &&
      !/(^|\/)(sh|bash|dash)$/.test(script.source.shebang)
    )
      continue;
    if (script.hasErrors)
      problems.push(
        `rewritten RUN on line ${instruction.startLine} has tree-sitter errors`,
      );
    const program = /bash/.test(shell.argv[0] ?? "") ? "bash" : "sh";
    const text = script.source.heredocBody
      ? script.source.text
      : commandText(after, instruction);
    const result = spawnSync(program, ["-n", "-c", text], { encoding: "utf8" });
    if (result.status !== 0)
      problems.push(
        `rewritten RUN on line ${instruction.startLine} fails \`${program} -n\`: ${result.stderr.trim().split("\n")[0]}`,
      );
  }
  return problems;
}

/** Returns the 1-based output line numbers that the rewrite added. */
function addedOutputLines(input: string, output: string): Set<number> {
  const added = new Set<number>();
  let line = 1;
  for (const part of diffLines(input, output)) {
    const count = part.count ?? 0;
    if (part.removed) continue;
    if (part.added)
      for (let index = 0; index < count; index++) added.add(line + index);
    line += count;
  }
  return added;
}

/** Options of a rewrite check: the mode, the path for messages, the context. */
export interface RewriteCheckOptions {
  unsafe: boolean;
  path: string;
  context?: BuildContext;
}

/** The output of the first run and what it violated. */
export interface RewriteCheck {
  output: string;
  violations: Violation[];
}

/** Rewrites one corpus file and checks every invariant; returns the violations. */
export async function checkRewrite(
  path: string,
  unsafe: boolean,
): Promise<Violation[]> {
  const input = readFileSync(path, "utf8");
  const context = createFolderContext(resolve(dirname(path)), {
    dockerfile: resolve(path),
  });
  const check = await checkRewriteText(input, { unsafe, path, context });
  return check.violations;
}

/**
 * Rewrites Dockerfile text and checks every invariant. Throws what
 * `optimize` throws for the input, such as `ParseError`.
 */
export async function checkRewriteText(
  input: string,
  options: RewriteCheckOptions,
): Promise<RewriteCheck> {
  const { path } = options;
  const first = await optimize(input, options);
  const output = first.output;
  if (output === input) return { output, violations: [] };
  const problems: string[] = [];
  let after: Dockerfile;
  try {
    after = parseDockerfile(output, path);
  } catch (error) {
    const problem = `output does not parse: ${(error as Error).message}`;
    return { output, violations: [{ path, problem }] };
  }
  const before = parseDockerfile(input, path);
  const changed = changedInputLines(input, output);
  const merges = first.findings.filter(
    (finding) => finding.applied && finding.transform === "merge-runs",
  ).length;
  problems.push(...checkUntouched(before, after, changed));
  problems.push(...checkSequence(before, after, merges));
  problems.push(...(await checkShell(after, addedOutputLines(input, output))));
  const second = await optimize(output, options);
  if (second.output !== output)
    problems.push("a second run changes the output again");
  const mode = options.unsafe ? " (--unsafe)" : "";
  const violations = problems.map((problem) => ({
    path,
    problem: problem + mode,
  }));
  return { output, violations };
}
