import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dumpDockerfile } from "../src/parse/arguments.js";
import { ParseError, parseDockerfile } from "../src/parse/index.js";

// BuildKit's parser test files sit outside the repository, in the shared
// folder that CI provides. LAYERFIX_SHARED names that folder.
const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));
const sharedFolder = resolve(
  repositoryRoot,
  process.env.LAYERFIX_SHARED ?? "../shared",
);
const suiteFolder = join(sharedFolder, "conformance", "buildkit-parser");

/** Patterns that the error for each file BuildKit rejects must match. */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  empty_dockerfile: /no instructions\. Add at least a `FROM` instruction/,
  only_comments: /no instructions\. Add at least a `FROM` instruction/,
  env_no_value: /ENV `PATH` has a name but no value\. Write `ENV PATH=value`/,
  "shykes-nested-json": /\["nested json"\]`?, which is not a string\. Write/,
};

function listFolders(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readCase(folder: string, name: string, file: string): string {
  return readFileSync(join(suiteFolder, folder, name, file), "utf8");
}

/** Returns the `ParseError` that parsing throws, or fails the test. */
function parseErrorOf(text: string, path: string): ParseError {
  try {
    parseDockerfile(text, path);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  return expect.fail(`${path} parsed, but BuildKit rejects it`);
}

if (!existsSync(suiteFolder)) {
  describe("BuildKit parser conformance", () => {
    if (process.env.LAYERFIX_SHARED !== undefined) {
      it("finds the test files under LAYERFIX_SHARED", () => {
        expect.fail(`${suiteFolder} does not exist`);
      });
    } else {
      it.skip(
        `needs ${suiteFolder}: set LAYERFIX_SHARED to the folder that ` +
          "contains conformance/buildkit-parser",
      );
    }
  });
} else {
  const positive = listFolders(join(suiteFolder, "testfiles"));
  const negative = listFolders(join(suiteFolder, "testfiles-negative"));

  describe("dumpDockerfile on BuildKit's parser test files", () => {
    it("finds test files", () => {
      expect(positive.length).toBeGreaterThan(0);
    });

    it.each(positive)("matches BuildKit's result for %s", (name) => {
      const text = readCase("testfiles", name, "Dockerfile");
      const expected = readCase("testfiles", name, "result");

      const dockerfile = parseDockerfile(text, `${name}/Dockerfile`);

      // BuildKit's test compares `Dump()` plus a newline with the file.
      expect(`${dumpDockerfile(dockerfile)}\n`).toBe(expected);
    });
  });

  describe("parseDockerfile on files BuildKit rejects", () => {
    it("finds test files", () => {
      expect(negative.length).toBeGreaterThan(0);
    });

    it.each(negative)("throws ParseError for %s", (name) => {
      const text = readCase("testfiles-negative", name, "Dockerfile");
      const pattern = EXPECTED_ERRORS[name];

      const error = parseErrorOf(text, `${name}/Dockerfile`);

      expect(pattern, `add the expected error for ${name}`).toBeDefined();
      expect(error.message).toMatch(pattern!);
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.column).toBeGreaterThanOrEqual(1);
    });
  });
}
