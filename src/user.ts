import type { Instruction } from "./parse/types.js";
import type { Stage, StageGraph } from "./stages.js";

/** The user an instruction runs as, as far as the file shows it. */
export type RunUser =
  | { kind: "root" }
  | { kind: "other"; name: string; line: number }
  | { kind: "unknown"; reason: string };

const ROOT: RunUser = { kind: "root" };

/**
 * Finds the user that runs `instruction`: the last `USER` before it in its
 * stage, else the user at the end of the stage it is built on. An image
 * base counts as root.
 */
export function runUser(graph: StageGraph, instruction: Instruction): RunUser {
  const stage = graph.stageOf(instruction);
  if (!stage) return ROOT;
  return userBefore(graph, stage, instruction.index);
}

function userBefore(graph: StageGraph, stage: Stage, index: number): RunUser {
  const users = stage.instructions.filter(
    (candidate) => candidate.keyword === "USER" && candidate.index < index,
  );
  const last = users[users.length - 1];
  return last ? readUser(last) : initialUser(graph, stage);
}

function initialUser(graph: StageGraph, stage: Stage): RunUser {
  if (stage.parent !== undefined) {
    const parent = graph.stages[stage.parent]!;
    return userBefore(graph, parent, Number.MAX_SAFE_INTEGER);
  }
  // NOTE: an image base counts as root, although its config may name
  // another user, which the file does not show.
  if (!stage.baseIsVariable) return ROOT;
  return variableBaseUser(graph, stage);
}

/** Returns root unless the build argument in `FROM` may name a stage that ends as another user. */
function variableBaseUser(graph: StageGraph, stage: Stage): RunUser {
  for (const earlier of graph.stages.slice(0, stage.index)) {
    const user = userBefore(graph, earlier, Number.MAX_SAFE_INTEGER);
    if (user.kind !== "root") {
      return {
        kind: "unknown",
        reason:
          `the base \`${stage.base}\` may name stage ${earlier.index}, ` +
          "which does not end as root",
      };
    }
  }
  return ROOT;
}

function readUser(instruction: Instruction): RunUser {
  const value = instruction.value.trim();
  if (value.includes("$")) {
    return { kind: "unknown", reason: `\`USER ${value}\` expands a variable` };
  }
  const name = value.split(":")[0] ?? "";
  if (name === "root" || /^0+$/.test(name)) return ROOT;
  return { kind: "other", name, line: instruction.startLine };
}
