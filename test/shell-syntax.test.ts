import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/parse/index.js";
import { createShellAnalysis } from "../src/shell/analysis.js";
import { loadShellParser } from "../src/shell/parser.js";
import { buildStageGraph } from "../src/stages.js";

const parser = await loadShellParser();

function scriptOf(run: string) {
  const dockerfile = parseDockerfile(`FROM debian\nRUN ${run}\n`);
  const analysis = createShellAnalysis(
    parser,
    dockerfile,
    buildStageGraph(dockerfile),
  );
  return analysis.script(dockerfile.instructions[1]!)!;
}

describe("shell syntax checks", () => {
  it.each([
    ["a brace without a blank", "apt-get update && {ho a; } && true"],
    ["words after a group's redirection", "true || { echo a; } > /x run true"],
    ["a reserved word as command", "useradd app if [ -f /x ]; then y; fi"],
    ["a leading dash", "-unt=1 apt-get update"],
  ])("rejects %s", (_name, run) => {
    expect(scriptOf(run).hasErrors).toBe(true);
  });

  it("accepts a valid group and redirection", () => {
    expect(scriptOf("{ echo a; } > /x && echo b 2>&1").hasErrors).toBe(false);
  });

  it("keeps words after a simple command's redirection", () => {
    const [command] = scriptOf("apt-get install > /dev/null -y curl").commands;
    expect(command!.words.map((word) => word.value)).toEqual([
      "apt-get",
      "install",
      "-y",
      "curl",
    ]);
  });
});
