import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/parse/index.js";
import { buildStageGraph, referencedStages } from "../src/stages.js";

const graphOf = (text: string) => buildStageGraph(parseDockerfile(text));

describe("buildStageGraph", () => {
  const graph = graphOf(
    "ARG BASE=base\nFROM debian AS base\nRUN a\nFROM base AS child\nFROM ${BASE} AS dynamic\nFROM alpine AS other\nCOPY --from=child /x /x\n",
  );
  const [base, child, dynamic, other] = graph.stages;

  it("keeps global ARGs in the preamble", () => {
    expect(graph.preamble.map((item) => item.keyword)).toEqual(["ARG"]);
  });

  it("links a stage built FROM another", () => {
    expect(child!.parent).toBe(base!.index);
  });

  it("counts a variable base as a possible descendant", () => {
    expect(graph.descendants(base!).map((stage) => stage.name)).toEqual([
      "child",
      "dynamic",
    ]);
    expect(dynamic!.baseIsVariable).toBe(true);
  });

  it("resolves COPY --from by name", () => {
    const copy = other!.instructions[0]!;
    expect(referencedStages(graph, copy).map((stage) => stage.name)).toEqual([
      "child",
    ]);
  });

  it("maps instructions to their stage", () => {
    expect(graph.stageOf(base!.instructions[0]!)?.name).toBe("base");
  });
});

describe("referencedStages", () => {
  it("resolves a numeric index and a mount source", () => {
    const graph = graphOf(
      "FROM debian\nFROM alpine\nRUN --mount=type=bind,from=0,target=/s true\n",
    );
    const run = graph.stages[1]!.instructions[0]!;
    expect(referencedStages(graph, run).map((stage) => stage.index)).toEqual([
      0,
    ]);
  });
});
