import type { Edit } from "./types.js";

/** Edits that replaced a span, kept to map later offsets back to the input. */
export interface AppliedEdit {
  start: number;
  end: number;
  /** Length of the replacement text. */
  length: number;
}

/**
 * Chooses edit groups that neither overlap nor touch, taking them by the
 * offset of their first edit and, at one offset, the longest replacement
 * first: a group is taken whole or deferred whole to the next pass. Edits
 * that touch are deferred too, so that an insertion at the end of a merged
 * range is placed again against the merged text instead of in the middle.
 */
export function chooseEditGroups<T>(
  groups: T[],
  editsOf: (group: T) => Edit[],
): { chosen: T[]; deferred: T[] } {
  const taken: Edit[] = [];
  const chosen: T[] = [];
  const deferred: T[] = [];
  for (const group of [...groups].sort((a, b) =>
    compareGroups(editsOf(a), editsOf(b)),
  )) {
    const edits = editsOf(group);
    if (edits.some((edit) => taken.some((other) => touches(edit, other)))) {
      deferred.push(group);
      continue;
    }
    taken.push(...edits);
    chosen.push(group);
  }
  return { chosen, deferred };
}

function compareGroups(a: Edit[], b: Edit[]): number {
  const first = (edits: Edit[]) =>
    edits.reduce((min, edit) => Math.min(min, edit.range.start), Infinity);
  const length = (edits: Edit[]) =>
    edits.reduce((sum, edit) => sum + edit.range.end - edit.range.start, 0);
  return first(a) - first(b) || length(b) - length(a);
}

function touches(a: Edit, b: Edit): boolean {
  return a.range.start <= b.range.end && b.range.start <= a.range.end;
}

/** Applies non-overlapping edits; text outside them stays byte for byte. */
export function applyEdits(
  text: string,
  edits: Edit[],
): { text: string; applied: AppliedEdit[] } {
  const sorted = [...edits].sort((a, b) => a.range.start - b.range.start);
  let output = "";
  let position = 0;
  for (const edit of sorted) {
    if (edit.range.start < position) throw new Error("edits overlap");
    output += text.slice(position, edit.range.start) + edit.text;
    position = edit.range.end;
  }
  output += text.slice(position);
  const applied = sorted.map((edit) => ({
    start: edit.range.start,
    end: edit.range.end,
    length: edit.text.length,
  }));
  return { text: output, applied };
}

/** Maps an offset of the edited text back to the text before the edits. */
export function mapBack(offset: number, applied: AppliedEdit[]): number {
  let shift = 0;
  for (const edit of applied) {
    const newStart = edit.start + shift;
    if (offset < newStart) break;
    if (offset < newStart + edit.length) return edit.start;
    shift += edit.length - (edit.end - edit.start);
  }
  return offset - shift;
}
