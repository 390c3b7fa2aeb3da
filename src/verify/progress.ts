/**
 * A BuildKit step line of `--progress=plain` output: the vertex number,
 * then the step in brackets, like `#5 [2/4] RUN apt-get update` or
 * `#9 [build 3/5] COPY . .`. Internal vertices such as `[internal] load
 * build context` have no `n/m` count, so they do not match.
 */
const STEP_LINE = /^#(\d+) (\[(?:[^\]\s]+ )?\d+\/\d+\] .*)$/;

/** A Dockerfile step that BuildKit started, from a plain progress line. */
export interface BuildStep {
  /** The vertex number, which BuildKit repeats on every line of the step. */
  vertex: number;
  /** The step as printed, like `[2/4] RUN apt-get update`. */
  text: string;
}

/**
 * Parses a `--progress=plain` line that names a Dockerfile step. Returns
 * undefined for output, timing and internal lines.
 */
export function parseBuildStep(line: string): BuildStep | undefined {
  const match = STEP_LINE.exec(line.trimEnd());
  if (match === null) return undefined;
  return { vertex: Number(match[1]), text: match[2] ?? "" };
}

/**
 * Returns a line handler that passes each step of one build on once,
 * keyed by vertex number, so a header line printed twice counts once.
 */
export function createStepReader(
  onStep: (text: string) => void,
): (line: string) => void {
  const seen = new Set<number>();
  return (line) => {
    const step = parseBuildStep(line);
    if (step === undefined || seen.has(step.vertex)) return;
    seen.add(step.vertex);
    onStep(step.text);
  };
}
