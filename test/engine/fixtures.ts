import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** What a case states about its rewrite, read from `expected.json`. */
export interface Expected {
  /**
   * Minimum `(original - rewritten) / original` of the final image sizes.
   * May be negative where the rewrite only adds whiteout entries.
   */
  minSavingShare: number;
  /** Rewrite with findings whose safety is `unsafe` too, as `--unsafe` does. */
  unsafe: boolean;
  /** True when the rewrite must change the file, false when it must not. */
  changes: boolean;
}

/** One folder of the engine suite. */
export interface EngineCase {
  name: string;
  folder: string;
  dockerfile: string;
  /** `context/` when the case has one, else the case folder. */
  context: string;
  expected: Expected;
}

/** Reads every case folder under `root`: each folder with a Dockerfile. */
export async function readCases(root: string): Promise<EngineCase[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const cases: EngineCase[] = [];
  for (const name of names.sort()) {
    const folder = join(root, name);
    const dockerfile = join(folder, "Dockerfile");
    if (!(await exists(dockerfile))) continue;
    const contextFolder = join(folder, "context");
    const context = (await exists(contextFolder)) ? contextFolder : folder;
    const expected = await readExpected(join(folder, "expected.json"));
    cases.push({ name, folder, dockerfile, context, expected });
  }
  return cases;
}

/** Reads and checks `expected.json`. Throws for a missing or unknown field. */
async function readExpected(path: string): Promise<Expected> {
  const value: unknown = JSON.parse(await readFile(path, "utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${path}: expected a JSON object`);
  }
  const fields = value as Record<string, unknown>;
  const known = ["minSavingShare", "unsafe", "changes"];
  const unknown = Object.keys(fields).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `${path}: unknown field ${unknown.join(", ")}. Known fields: ${known.join(", ")}.`,
    );
  }

  const { minSavingShare, unsafe, changes } = fields;
  if (typeof minSavingShare !== "number" || minSavingShare >= 1) {
    throw new Error(`${path}: minSavingShare must be a number below 1`);
  }
  if (typeof unsafe !== "boolean" || typeof changes !== "boolean") {
    throw new Error(`${path}: unsafe and changes must be true or false`);
  }
  return { minSavingShare, unsafe, changes };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
