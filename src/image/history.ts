import {
  arrayField,
  isJsonObject,
  stringField,
  type JsonObject,
} from "./json.js";

/** One entry of the image config's `history` array. */
export interface HistoryStep {
  /** Position in the config's `history` array, from 0. */
  index: number;
  created?: string;
  /** `created_by` as stored. */
  createdBy?: string;
  /** `created_by` without builder prefixes, like `RUN apt-get update`. */
  instruction?: string;
  comment?: string;
  /** True when the step changed only metadata and produced no layer. */
  emptyLayer: boolean;
}

/** History steps matched to layers, index for index. */
export interface HistoryPairing {
  /** One entry per layer, undefined where the layer is unknown. */
  steps: (HistoryStep | undefined)[];
  /** False when the counts disagree and every layer is labeled unknown. */
  matched: boolean;
}

/** Reads the `history` array of an image config. */
export function readHistory(config: JsonObject): HistoryStep[] {
  return arrayField(config, "history").map((value, index) => {
    const entry = isJsonObject(value) ? value : undefined;
    const createdBy = stringField(entry, "created_by");
    return {
      index,
      created: stringField(entry, "created"),
      createdBy,
      instruction:
        createdBy === undefined ? undefined : cleanCreatedBy(createdBy),
      comment: stringField(entry, "comment"),
      emptyLayer: entry?.["empty_layer"] === true,
    };
  });
}

/**
 * Pairs the steps that produced a layer with the layers, in order. When the
 * number of such steps differs from the number of layers, the pairing would
 * be a guess, so every layer is left unknown.
 */
export function pairHistoryWithLayers(
  history: readonly HistoryStep[],
  layerCount: number,
): HistoryPairing {
  const layered = history.filter((step) => !step.emptyLayer);
  if (layered.length !== layerCount) {
    return { steps: new Array(layerCount).fill(undefined), matched: false };
  }
  return { steps: layered, matched: true };
}

/** Classic builder metadata steps: `/bin/sh -c #(nop)  CMD ["sh"]`. */
const CLASSIC_NOP = /^\/bin\/sh -c #\(nop\)\s*/;
/** Classic builder RUN, optionally after build arguments: `|2 A=1 B=2 `. */
const CLASSIC_RUN = /^(?:\|\d+ .*?)?\/bin\/sh -c /;
/** BuildKit RUN: `RUN /bin/sh -c ...` or `RUN |1 A=1 /bin/sh -c ...`. */
const BUILDKIT_RUN = /^RUN (?:\|\d+ .*?)?\/bin\/sh -c /;
const BUILDKIT_SUFFIX = / # buildkit$/;

/**
 * Rewrites `created_by` as the Dockerfile instruction that produced it, for
 * the default shell `/bin/sh -c`. Text from other shells or tools stays as
 * it is, apart from BuildKit's ` # buildkit` suffix.
 */
export function cleanCreatedBy(createdBy: string): string {
  const text = createdBy.trim();
  if (CLASSIC_NOP.test(text)) return text.replace(CLASSIC_NOP, "");
  if (BUILDKIT_SUFFIX.test(text)) {
    const instruction = text.replace(BUILDKIT_SUFFIX, "").trimEnd();
    return instruction.replace(BUILDKIT_RUN, "RUN ");
  }
  if (CLASSIC_RUN.test(text)) return text.replace(CLASSIC_RUN, "RUN ");
  return text;
}
