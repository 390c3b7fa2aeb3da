import { describe, expect, it } from "vitest";
import { applyEdits, chooseEditGroups, mapBack } from "../src/edit/apply.js";
import type { Edit } from "../src/edit/types.js";

const edit = (start: number, end: number, text: string): Edit => ({
  range: { start, end },
  text,
});

describe("applyEdits", () => {
  it("keeps text outside the edits byte for byte", () => {
    const result = applyEdits("a\r\nb\r\nc", [edit(3, 4, "B")]);
    expect(result.text).toBe("a\r\nB\r\nc");
  });

  it("applies edits in offset order", () => {
    const result = applyEdits("0123456789", [
      edit(8, 9, "X"),
      edit(1, 2, "YY"),
    ]);
    expect(result.text).toBe("0YY234567X9");
  });

  it("rejects overlapping edits", () => {
    expect(() =>
      applyEdits("0123", [edit(0, 2, "a"), edit(1, 3, "b")]),
    ).toThrow("edits overlap");
  });
});

describe("chooseEditGroups", () => {
  const groups = [
    [edit(5, 5, "insert")],
    [edit(2, 5, "replace")],
    [edit(8, 9, "late")],
  ];

  it("takes the longest edit first at one offset", () => {
    const { chosen } = chooseEditGroups(
      [[edit(2, 2, "i")], [edit(2, 4, "r")]],
      (group) => group,
    );
    expect(chosen).toEqual([[edit(2, 4, "r")]]);
  });

  it("defers a group that touches a chosen one", () => {
    const { chosen, deferred } = chooseEditGroups(groups, (group) => group);
    expect(chosen).toEqual([[edit(2, 5, "replace")], [edit(8, 9, "late")]]);
    expect(deferred).toEqual([[edit(5, 5, "insert")]]);
  });

  it("takes or defers a group whole", () => {
    const both = [edit(0, 1, "a"), edit(6, 7, "b")];
    const { chosen } = chooseEditGroups(
      [[edit(6, 6, "x")], both],
      (group) => group,
    );
    expect(chosen).toEqual([both]);
  });
});

describe("mapBack", () => {
  const applied = applyEdits("0123456789", [
    edit(2, 4, "abcdef"),
    edit(7, 7, "!"),
  ]).applied;

  it("maps offsets before the first edit unchanged", () => {
    expect(mapBack(1, applied)).toBe(1);
  });

  it("maps offsets inside inserted text to the edit start", () => {
    expect(mapBack(5, applied)).toBe(2);
  });

  it("shifts offsets after an edit", () => {
    // "01abcdef456!789": "5" sits at 9 after the edits and at 5 before.
    expect(mapBack(9, applied)).toBe(5);
    expect(mapBack(12, applied)).toBe(7);
  });
});
