import type { Transform } from "../src/transform.js";

/** The built-in transforms, sorted by id. Each file's export is listed here by hand. */
export const transforms: readonly Transform[] = [];
