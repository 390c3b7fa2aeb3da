import type { BuildContext } from "./context/types.js";
import { unifiedDiff } from "./diff/unified.js";
import {
  applyEdits,
  chooseEditGroups,
  mapBack,
  type AppliedEdit,
} from "./edit/apply.js";
import {
  lineColumn,
  parseDockerfile,
  ParseError,
  splitLines,
} from "./parse/index.js";
import type { Edit } from "./edit/types.js";
import type { Dockerfile, Instruction, Range } from "./parse/types.js";
import { isIgnored, pragmasFor } from "./pragma.js";
import { createShellAnalysis } from "./shell/analysis.js";
import { loadShellParser } from "./shell/parser.js";
import { buildStageGraph } from "./stages.js";
import type {
  Finding,
  Safety,
  Skip,
  Transform,
  TransformInput,
} from "./transform.js";

/** A position in the input, 1-based, for output. */
export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ReportedFinding extends Location {
  transform: string;
  title: string;
  safety: Safety;
  message: string;
  safetyNote: string | undefined;
  /** The edits were applied to the output. */
  applied: boolean;
}

export interface ReportedSkip extends Location {
  transform: string;
  reason: string;
}

/** A change shown as a diff and never applied. */
export interface ReportedProposal extends ReportedFinding {
  output: string;
  diff: string;
}

/** A transform that threw; the file is left unchanged. */
export class TransformError extends Error {
  constructor(
    readonly transform: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(
      `internal error in transform \`${transform}\` on ${path}: ${String(cause instanceof Error ? cause.message : cause)}`,
    );
    this.name = "TransformError";
  }
}

export interface RunOptions {
  transforms: readonly Transform[];
  unsafe: boolean;
  context: BuildContext | undefined;
  /** The file's path, for the diff header and messages. */
  path: string;
  maxPasses?: number;
}

export interface RunResult {
  output: string;
  diff: string;
  findings: ReportedFinding[];
  proposals: ReportedProposal[];
  skips: ReportedSkip[];
  passes: number;
}

interface PassFinding {
  transform: Transform;
  finding: Finding;
}

interface PassResult {
  dockerfile: Dockerfile;
  findings: PassFinding[];
  skips: { transform: Transform; skip: Skip }[];
}

/**
 * Runs transforms until nothing changes: each pass parses the text, collects
 * findings, applies the edits of those allowed that do not overlap, and
 * defers the rest to the next pass. Throws `ParseError` for invalid input
 * and `TransformError` when a transform fails or breaks the file.
 */
export async function runTransforms(
  text: string,
  options: RunOptions,
): Promise<RunResult> {
  const parser = await loadShellParser();
  const maxPasses = options.maxPasses ?? 10;
  const history: AppliedEdit[][] = [];
  const applied: ReportedFinding[] = [];
  const inputLines = splitLines(text);
  let current = text;
  for (let pass = 1; ; pass++) {
    const result = runPass(parser, current, options, pass);
    const toInput = (range: Range) =>
      locate(inputLines, mapRange(range, history));
    const allowed = result.findings.filter(({ finding }) =>
      isAllowed(finding.safety, options.unsafe),
    );
    const { chosen } = chooseEditGroups(allowed, ({ finding }) =>
      finding.edits.map((edit) => footprint(result.dockerfile, edit)),
    );
    const applicable = chosen.filter(({ finding }) => finding.edits.length > 0);
    if (applicable.length === 0 || pass >= maxPasses) {
      return finish(text, current, result, applied, toInput, options, pass);
    }
    const edits = applicable.flatMap(({ finding }) => finding.edits);
    const next = applyEdits(current, edits);
    applied.push(...applicable.map((item) => report(item, toInput, true)));
    history.unshift(next.applied);
    current = next.text;
  }
}

function runPass(
  parser: Awaited<ReturnType<typeof loadShellParser>>,
  text: string,
  options: RunOptions,
  pass: number,
): PassResult {
  let dockerfile: Dockerfile;
  try {
    dockerfile = parseDockerfile(text, options.path);
  } catch (error) {
    if (pass === 1 || !(error instanceof ParseError)) throw error;
    throw new TransformError(
      "(edits)",
      options.path,
      `the rewritten file no longer parses: ${error.message}`,
    );
  }
  const stages = buildStageGraph(dockerfile);
  const input: TransformInput = {
    dockerfile,
    stages,
    shell: createShellAnalysis(parser, dockerfile, stages),
    context: options.context,
  };
  const result: PassResult = { dockerfile, findings: [], skips: [] };
  for (const transform of options.transforms) {
    collect(transform, input, result, options.path);
  }
  return result;
}

function collect(
  transform: Transform,
  input: TransformInput,
  result: PassResult,
  path: string,
): void {
  let found;
  try {
    found = transform.find(input);
  } catch (error) {
    throw new TransformError(transform.id, path, error);
  }
  const { dockerfile } = input;
  for (const finding of found.findings) {
    const instruction = instructionAt(dockerfile, finding.range.start);
    const pragmas = instruction ? pragmasFor(dockerfile, instruction) : [];
    if (isIgnored(pragmas, transform.id, transform.hadolintRules)) {
      result.skips.push({
        transform,
        skip: {
          range: finding.range,
          reason: "an `ignore=` pragma names this transform",
        },
      });
      continue;
    }
    const disputed = disputedInstruction(dockerfile, finding);
    if (disputed) {
      result.skips.push({
        transform,
        skip: {
          range: finding.range,
          reason: `the instruction's boundaries are in doubt: ${disputed.doubt}`,
        },
      });
      continue;
    }
    result.findings.push({ transform, finding: capSafety(transform, finding) });
  }
  result.skips.push(...found.skips.map((skip) => ({ transform, skip })));
}

const SAFETY_ORDER: Safety[] = ["safe", "unsafe", "proposal"];

/** Lowers a finding above its transform's level of trust to that level; below it is allowed. */
function capSafety(transform: Transform, finding: Finding): Finding {
  const level = Math.max(
    SAFETY_ORDER.indexOf(transform.safety),
    SAFETY_ORDER.indexOf(finding.safety),
  );
  return { ...finding, safety: SAFETY_ORDER[level]! };
}

function isAllowed(safety: Safety, unsafe: boolean): boolean {
  return safety === "safe" || (safety === "unsafe" && unsafe);
}

/**
 * Widens an edit to the whole instructions it touches, so that one pass
 * applies at most one finding to an instruction. Another transform's edit
 * to the same instruction waits for the next pass, which finds it on the result: a
 * cleanup is not appended to a RUN that a merge is about to fold.
 */
function footprint(dockerfile: Dockerfile, edit: Edit): Edit {
  let { start, end } = edit.range;
  for (const instruction of dockerfile.instructions) {
    const { range } = instruction;
    if (range.start > edit.range.end || range.end < edit.range.start) continue;
    start = Math.min(start, range.start);
    end = Math.max(end, range.end);
  }
  return { range: { start, end }, text: edit.text };
}

/** Finds the instruction that contains an offset. */
export function instructionAt(
  dockerfile: Dockerfile,
  offset: number,
): Instruction | undefined {
  return dockerfile.instructions.find(
    (instruction) =>
      instruction.range.start <= offset && offset <= instruction.range.end,
  );
}

/** Returns an instruction in doubt that an edit of the finding touches. */
function disputedInstruction(
  dockerfile: Dockerfile,
  finding: Finding,
): Instruction | undefined {
  if (finding.safety === "proposal") return undefined;
  // Reading `doubt` runs the boundary cross-check, so test the overlap first.
  return dockerfile.instructions.find(
    (instruction) =>
      finding.edits.some(
        (edit) =>
          edit.range.start <= instruction.range.end &&
          instruction.range.start <= edit.range.end,
      ) && instruction.doubt !== undefined,
  );
}

function mapRange(range: Range, history: AppliedEdit[][]): Range {
  let { start, end } = range;
  for (const applied of history) {
    start = mapBack(start, applied);
    end = mapBack(end, applied);
  }
  return { start, end: Math.max(start, end) };
}

function locate(lines: ReturnType<typeof splitLines>, range: Range): Location {
  const start = lineColumn(lines, range.start);
  const end = lineColumn(lines, range.end);
  return {
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}

function report(
  { transform, finding }: PassFinding,
  toInput: (range: Range) => Location,
  isApplied: boolean,
): ReportedFinding {
  return {
    transform: transform.id,
    title: transform.title,
    safety: finding.safety,
    message: finding.message,
    safetyNote: finding.safetyNote,
    applied: isApplied,
    ...toInput(finding.range),
  };
}

function finish(
  input: string,
  output: string,
  last: PassResult,
  applied: ReportedFinding[],
  toInput: (range: Range) => Location,
  options: RunOptions,
  passes: number,
): RunResult {
  const withheld = last.findings.filter(
    ({ finding }) => finding.safety === "unsafe" && !options.unsafe,
  );
  const proposals = last.findings
    .filter(({ finding }) => finding.safety === "proposal")
    .map((item) => proposalOf(item, output, toInput, options.path));
  const skips = dedupeSkips(
    last.skips.map(({ transform, skip }) => ({
      transform: transform.id,
      reason: skip.reason,
      ...toInput(skip.range),
    })),
  );
  return {
    output,
    diff: unifiedDiff(options.path, input, output),
    findings: [
      ...applied,
      ...withheld.map((item) => report(item, toInput, false)),
      ...proposals,
    ].sort(byLocation),
    proposals,
    skips: skips.sort(byLocation),
    passes,
  };
}

function proposalOf(
  item: PassFinding,
  text: string,
  toInput: (range: Range) => Location,
  path: string,
): ReportedProposal {
  const output = applyEdits(text, item.finding.edits).text;
  return {
    ...report(item, toInput, false),
    output,
    diff: unifiedDiff(path, text, output),
  };
}

function dedupeSkips(skips: ReportedSkip[]): ReportedSkip[] {
  const seen = new Set<string>();
  return skips.filter((skip) => {
    const key = `${skip.transform}\0${skip.line}\0${skip.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function byLocation(a: Location, b: Location): number {
  return a.line - b.line || a.column - b.column;
}
