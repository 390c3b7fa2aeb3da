import type { Range } from "../parse/types.js";

/** Replaces `range` of the source with `text`; an empty range inserts. */
export interface Edit {
  range: Range;
  text: string;
}
