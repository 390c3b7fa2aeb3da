import { DockerfileParser } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { parseLibraryRanges } from "../src/parse/light-parser.js";

const samples = [
  "FROM debian\nRUN a \\\n  b\nENV C trailing\\\\\nENV D x\n",
  "FROM debian\nRUN <<EOF\necho hi\nEOF\nCOPY --chmod=644 <<-END /x\n\tline\n\tEND\n",
  "# escape=`\nFROM windows\nRUN dir `\n  /s\n",
  'FROM debian\nONBUILD RUN <<EOF\ntrue\nEOF\nCMD ["a"]\n',
  "\uFEFFFROM debian\r\nRUN x\r\n",
];

describe("parseLibraryRanges", () => {
  it.each(samples.map((text, index) => [index, text]))(
    "matches dockerfile-ast on sample %i",
    (_index, text) => {
      const expected = DockerfileParser.parse(text)
        .getInstructions()
        .map((instruction) => instruction.getRange());
      expect(parseLibraryRanges(text)).toEqual(expected);
    },
  );
});
