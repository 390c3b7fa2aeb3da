import type { Dockerfile, Instruction } from "./parse/types.js";

/** One build stage: a `FROM` instruction and the instructions after it. */
export interface Stage {
  index: number;
  /** The `AS` name in lower case, or `undefined`. */
  name: string | undefined;
  from: Instruction;
  /** The base as written, for example `debian:bookworm` or `${BASE}`. */
  base: string;
  /** Index of the stage this one is built on, when the base names a stage. */
  parent: number | undefined;
  /** The base contains a build argument that a `--build-arg` could point at any stage. */
  baseIsVariable: boolean;
  instructions: Instruction[];
}

/** The stages of a file and how they depend on each other. */
export interface StageGraph {
  stages: Stage[];
  /** Instructions before the first `FROM` (global `ARG`s). */
  preamble: Instruction[];
  stageOf(instruction: Instruction): Stage | undefined;
  /** Stages built on `stage`, directly or through others, including those that may be. */
  descendants(stage: Stage): Stage[];
}

/** Builds the stage graph from `FROM` instructions. */
export function buildStageGraph(dockerfile: Dockerfile): StageGraph {
  const stages: Stage[] = [];
  const preamble: Instruction[] = [];
  const byInstruction = new Map<Instruction, Stage>();
  for (const instruction of dockerfile.instructions) {
    if (instruction.keyword === "FROM") {
      stages.push(createStage(instruction, stages));
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      preamble.push(instruction);
      continue;
    }
    if (instruction.keyword !== "FROM") stage.instructions.push(instruction);
    byInstruction.set(instruction, stage);
  }
  return {
    stages,
    preamble,
    stageOf: (instruction) => byInstruction.get(instruction),
    descendants: (stage) => findDescendants(stages, stage),
  };
}

function createStage(from: Instruction, earlier: Stage[]): Stage {
  const words = from.value.split(/\s+/).filter(Boolean);
  const base = words[0] ?? "";
  const asIndex = words.findIndex((word) => word.toLowerCase() === "as");
  const name = asIndex > 0 ? words[asIndex + 1]?.toLowerCase() : undefined;
  const parent = earlier.find((stage) => stage.name === base.toLowerCase());
  return {
    index: earlier.length,
    name,
    from,
    base,
    parent: parent?.index,
    baseIsVariable: base.includes("$"),
    instructions: [],
  };
}

function findDescendants(stages: Stage[], root: Stage): Stage[] {
  const found: Stage[] = [];
  const reached = new Set<number>([root.index]);
  for (const stage of stages) {
    if (stage.index <= root.index) continue;
    const builtOnReached =
      stage.parent !== undefined && reached.has(stage.parent);
    if (builtOnReached || stage.baseIsVariable) {
      reached.add(stage.index);
      found.push(stage);
    }
  }
  return found;
}

/** Returns the stages that `COPY --from` or `RUN --mount=from=` of `instruction` read. */
export function referencedStages(
  graph: StageGraph,
  instruction: Instruction,
): Stage[] {
  const references: string[] = [];
  for (const flag of instruction.flags) {
    if (flag.name === "from" && flag.value) references.push(flag.value);
    if (flag.name === "mount" && flag.value) {
      const from = /(?:^|,)from=([^,]+)/.exec(flag.value)?.[1];
      if (from) references.push(from);
    }
  }
  return references.flatMap((reference) => resolveReference(graph, reference));
}

function resolveReference(graph: StageGraph, reference: string): Stage[] {
  if (reference.includes("$")) return graph.stages;
  if (/^\d+$/.test(reference)) {
    const stage = graph.stages[Number(reference)];
    return stage ? [stage] : [];
  }
  const lower = reference.toLowerCase();
  return graph.stages.filter((stage) => stage.name === lower);
}
