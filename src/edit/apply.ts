import type { Edit } from "./types.js";

/** Edits that replaced a span, kept to map later offsets back to the input. */
export interface AppliedEdit {
  start: number;
  end: number;
  /** Length of the replacement text. */
  length: number;
}

/**
 * Chooses edit groups that do not overlap, in the given order: a group is
 * taken whole or deferred whole. Two insertions at one offset overlap,
 * because their order would be a guess.
 */
export function chooseEditGroups<T>(
  groups: T[],
  editsOf: (group: T) => Edit[],
): { chosen: T[]; deferred: T[] } {
  const taken: Edit[] = [];
  const chosen: T[] = [];
  const deferred: T[] = [];
  for (const group of groups) {
    const edits = editsOf(group);
    if (edits.some((edit) => taken.some((other) => overlaps(edit, other)))) {
      deferred.push(group);
      continue;
    }
    taken.push(...edits);
    chosen.push(group);
  }
  return { chosen, deferred };
}

function overlaps(a: Edit, b: Edit): boolean {
  if (a.range.start === b.range.start) return true;
  return a.range.start < b.range.end && b.range.start < a.range.end;
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
