import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/parse/index.js";
import {
  commentsAbove,
  isIgnored,
  pragmasFor,
  readPragma,
} from "../src/pragma.js";

const comment = (text: string) => ({
  text,
  range: { start: 0, end: 0 },
  line: 1,
});

describe("readPragma", () => {
  it("reads a hadolint ignore list", () => {
    expect(readPragma(comment("hadolint ignore=DL3009, DL3059"))).toMatchObject(
      {
        tool: "hadolint",
        global: false,
        names: ["DL3009", "DL3059"],
      },
    );
  });

  it("reads a global layerfix pragma", () => {
    expect(
      readPragma(comment("layerfix global ignore=merge-runs")),
    ).toMatchObject({
      tool: "layerfix",
      global: true,
      names: ["merge-runs"],
    });
  });

  it("ignores other comments", () => {
    expect(readPragma(comment("install curl"))).toBeUndefined();
  });
});

describe("pragmasFor", () => {
  const dockerfile = parseDockerfile(
    "# hadolint global ignore=DL3020\nFROM debian\n# why\n# layerfix ignore=merge-runs\nRUN a\n\n# hadolint ignore=DL3059\n\nRUN b\n",
  );
  const [, first, second] = dockerfile.instructions;

  it("reads the comment block directly above", () => {
    expect(commentsAbove(dockerfile, first!).map((item) => item.text)).toEqual([
      "why",
      "layerfix ignore=merge-runs",
    ]);
  });

  it("applies local and global pragmas", () => {
    const pragmas = pragmasFor(dockerfile, first!);
    expect(isIgnored(pragmas, "merge-runs")).toBe(true);
    expect(isIgnored(pragmas, "add-to-copy", ["DL3020"])).toBe(true);
    expect(isIgnored(pragmas, "apt-lists-cleanup", ["DL3009"])).toBe(false);
  });

  it("does not reach across a blank line", () => {
    expect(
      isIgnored(pragmasFor(dockerfile, second!), "merge-runs", ["DL3059"]),
    ).toBe(false);
  });
});
