import type { Transform } from "../src/transform.js";
import { addToCopy } from "./add-to-copy.js";
import { aptListsCleanup } from "./apt-lists-cleanup.js";
import { mergeRuns } from "./merge-runs.js";
import { multiStage } from "./multi-stage.js";

/** The built-in transforms, sorted by id. Each file's export is listed here by hand. */
export const transforms: readonly Transform[] = [
  addToCopy,
  aptListsCleanup,
  mergeRuns,
  multiStage,
];
