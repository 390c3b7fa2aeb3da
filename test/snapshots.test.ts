import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { optimize, transforms, type Transform } from "../src/api.js";
import { parseDockerfile } from "../src/parse/index.js";

const root = join(import.meta.dirname, "..", "snapshots");
const update = process.env.UPDATE_SNAPSHOTS === "1";

interface SnapshotCase {
  name: string;
  input: string;
  outputPath: string;
  contextPath: string | undefined;
  proposalPath: string;
}

function readCases(folder: string): SnapshotCase[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith(".input.Dockerfile"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".input.Dockerfile".length);
      const context = join(folder, `${name}.context`);
      return {
        name,
        input: readFileSync(join(folder, file), "utf8"),
        outputPath: join(folder, `${name}.output.Dockerfile`),
        contextPath: existsSync(context) ? context : undefined,
        proposalPath: join(folder, `${name}.proposal.diff`),
      };
    });
}

function expectedOutput(testCase: SnapshotCase): string {
  return existsSync(testCase.outputPath)
    ? readFileSync(testCase.outputPath, "utf8")
    : testCase.input;
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

async function rewrite(
  input: string,
  list: readonly Transform[],
  testCase: SnapshotCase,
  unsafe: boolean,
) {
  return optimize(input, {
    transforms: list,
    unsafe,
    context: testCase.contextPath,
  });
}

function transformById(id: string): Transform {
  const transform = transforms.find((candidate) => candidate.id === id);
  if (!transform) throw new Error(`snapshots/${id} names no transform`);
  return transform;
}

const folders = existsSync(root)
  ? readdirSync(root).filter((name) => !name.includes("."))
  : [];

for (const folder of folders.filter((name) => name !== "corpus")) {
  const transform = transformById(folder);
  const unsafe = transform.safety === "unsafe";
  describe(folder, () => {
    for (const testCase of readCases(join(root, folder))) {
      it(testCase.name, async () => {
        const result = await rewrite(
          testCase.input,
          [transform],
          testCase,
          unsafe,
        );
        if (update) {
          if (result.output !== testCase.input)
            writeFileSync(testCase.outputPath, result.output);
          if (result.proposals[0])
            writeFileSync(testCase.proposalPath, result.proposals[0].diff);
        }
        const expected = expectedOutput(testCase);
        expect(result.output).toBe(expected);
        expect(() => parseDockerfile(result.output)).not.toThrow();

        const again = await rewrite(
          result.output,
          [transform],
          testCase,
          unsafe,
        );
        expect(again.output).toBe(result.output);

        if (unsafe) {
          const cautious = await rewrite(
            testCase.input,
            [transform],
            testCase,
            false,
          );
          expect(cautious.output).toBe(testCase.input);
        }
        if (existsSync(testCase.proposalPath)) {
          expect(result.proposals[0]?.diff).toBe(
            readFileSync(testCase.proposalPath, "utf8"),
          );
        }
      });

      if (testCase.input.includes("\r")) continue;
      it(`${testCase.name} with CRLF line ends`, async () => {
        const result = await rewrite(
          toCrlf(testCase.input),
          [transform],
          testCase,
          unsafe,
        );
        expect(result.output).toBe(toCrlf(expectedOutput(testCase)));
      });
    }
  });
}

describe("all transforms together", () => {
  const cases = folders.flatMap((folder) =>
    readCases(join(root, folder)).map((testCase) => ({ folder, testCase })),
  );
  for (const { folder, testCase } of cases) {
    it(`${folder}/${testCase.name} is stable`, async () => {
      const first = await rewrite(testCase.input, transforms, testCase, true);
      expect(() => parseDockerfile(first.output)).not.toThrow();
      const second = await rewrite(first.output, transforms, testCase, true);
      expect(second.output).toBe(first.output);
    });
  }
});

describe("metadata examples", () => {
  for (const transform of transforms) {
    for (const [index, example] of transform.examples.entries()) {
      it(`${transform.id} example ${index + 1}`, async () => {
        const result = await optimize(example.before, {
          transforms: [transform],
          unsafe: true,
        });
        expect(result.output).toBe(example.after);
        if (transform.safety === "proposal") {
          expect(result.proposals[0]?.output).toBe(example.proposal);
        }
      });
    }
  }
});
