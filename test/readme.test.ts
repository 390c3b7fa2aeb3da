import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  renderTransformDocs,
  replaceSection,
} from "../scripts/transform-docs.js";
import { main } from "../src/cli/main.js";

const readme = readFileSync(
  join(import.meta.dirname, "..", "README.md"),
  "utf8",
);

describe("README", () => {
  it("starts with the two commands", () => {
    const [install, test] = readme.split("\n");
    expect(install).toMatch(
      /^npm ci && node dist\/src\/cli\/bin\.js \S+Dockerfile$/,
    );
    expect(test).toBe("npm ci && npm test");
  });

  it("has transform docs that match the metadata", () => {
    expect(replaceSection(readme, renderTransformDocs())).toBe(readme);
  });

  it("shows the example's real diff and findings", async () => {
    let stdout = "";
    let stderr = "";
    const code = await main(["examples/split-apt/Dockerfile"], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    expect(code).toBe(0);
    expect(readme).toContain("```diff\n" + stdout + "```");
    expect(readme).toContain("```\n" + stderr + "```");
  });
});
