import { describe, expect, it } from "vitest";
import { ParseError } from "../src/parse/errors.js";
import { scanDockerfile } from "../src/parse/scanner.js";
import type { Instruction } from "../src/parse/types.js";

function instructionsOf(text: string): Instruction[] {
  return scanDockerfile(text).instructions;
}

function onlyInstruction(text: string): Instruction {
  const instructions = instructionsOf(text);
  expect(instructions).toHaveLength(1);
  return instructions[0]!;
}

/** Returns the offsets that edits rely on. */
function spans(instruction: Instruction) {
  return {
    keywordRange: instruction.keywordRange,
    argumentsStart: instruction.argumentsStart,
    range: instruction.range,
    next: instruction.next,
  };
}

function scanError(text: string): ParseError {
  try {
    scanDockerfile(text);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  return expect.fail("the text scanned without an error");
}

describe("scanDockerfile", () => {
  it("joins backslash continuations by default", () => {
    const dockerfile = scanDockerfile("FROM a\nRUN echo \\\n  hi\n");
    const run = dockerfile.instructions[1]!;

    expect(dockerfile.escape).toBe("\\");
    expect(run.value).toBe("echo   hi");
    expect(run.startLine).toBe(2);
    expect(run.endLine).toBe(3);
    expect(spans(run)).toEqual({
      keywordRange: { start: 7, end: 10 },
      argumentsStart: 11,
      range: { start: 7, end: 22 },
      next: 23,
    });
  });

  it("uses the backtick from the escape directive", () => {
    const text = "# escape=`\nFROM a\nRUN dir C:\\\nRUN echo `\n  hi\n";
    const dockerfile = scanDockerfile(text);
    const [, dir, echo] = dockerfile.instructions;

    expect(dockerfile.escape).toBe("`");
    expect(dockerfile.directives).toEqual([
      { name: "escape", value: "`", range: { start: 0, end: 10 } },
    ]);
    expect(dockerfile.instructions).toHaveLength(3);
    expect(dir!.value).toBe("dir C:\\");
    expect(spans(dir!)).toEqual({
      keywordRange: { start: 18, end: 21 },
      argumentsStart: 22,
      range: { start: 18, end: 29 },
      next: 30,
    });
    expect(echo!.value).toBe("echo   hi");
    expect(spans(echo!)).toEqual({
      keywordRange: { start: 30, end: 33 },
      argumentsStart: 34,
      range: { start: 30, end: 45 },
      next: 46,
    });
  });

  it("ignores an escape directive after a comment", () => {
    const dockerfile = scanDockerfile("# hello\n# escape=`\nFROM a\nRUN a `\n");

    expect(dockerfile.escape).toBe("\\");
    expect(dockerfile.directives).toEqual([]);
    expect(dockerfile.instructions.map((each) => each.value)).toEqual([
      "a",
      "a `",
    ]);
  });

  it("rejects an invalid escape character", () => {
    const error = scanError("# escape=x\nFROM a\n");

    expect(error.line).toBe(1);
    expect(error.column).toBe(1);
    expect(error.message).toMatch(/invalid escape character `x`/);
  });

  it("rejects a repeated parser directive", () => {
    const error = scanError("# escape=`\n# escape=\\\nFROM a\n");

    expect(error.line).toBe(2);
    expect(error.message).toMatch(/only one `escape` parser directive/);
  });

  it("does not continue a line that ends in an escaped backslash", () => {
    const [first, second] = instructionsOf("ENV C a\\\\\nENV D b\n");

    expect(first!.value).toBe("C a\\\\");
    expect(spans(first!)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 4,
      range: { start: 0, end: 9 },
      next: 10,
    });
    expect(second!.value).toBe("D b");
    expect(spans(second!)).toEqual({
      keywordRange: { start: 10, end: 13 },
      argumentsStart: 14,
      range: { start: 10, end: 17 },
      next: 18,
    });
  });

  it("drops comment and empty lines inside a continuation", () => {
    const run = onlyInstruction("RUN a \\\n# note\n\n  b\n");

    expect(run.value).toBe("a   b");
    expect(run.lines).toEqual([
      { start: 0, end: 7, next: 8 },
      { start: 16, end: 19, next: 20 },
    ]);
    expect(run.droppedLines).toEqual([
      { start: 8, end: 14, next: 15 },
      { start: 15, end: 15, next: 16 },
    ]);
    expect(run.endLine).toBe(4);
    expect(spans(run)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 4,
      range: { start: 0, end: 19 },
      next: 20,
    });
  });

  it("drops an indented comment inside a continuation", () => {
    const run = onlyInstruction("RUN a \\\n    # note \\\n  b\n");

    expect(run.value).toBe("a   b");
    expect(run.droppedLines).toEqual([{ start: 8, end: 20, next: 21 }]);
  });

  it("ends ranges before CRLF line endings", () => {
    const dockerfile = scanDockerfile("FROM a\r\nRUN b \\\r\n  c\r\n");
    const [from, run] = dockerfile.instructions;

    expect(dockerfile.eol).toBe("\r\n");
    expect(spans(from!)).toEqual({
      keywordRange: { start: 0, end: 4 },
      argumentsStart: 5,
      range: { start: 0, end: 6 },
      next: 8,
    });
    expect(run!.value).toBe("b   c");
    expect(spans(run!)).toEqual({
      keywordRange: { start: 8, end: 11 },
      argumentsStart: 12,
      range: { start: 8, end: 20 },
      next: 22,
    });
  });

  it("skips a byte order mark before the keyword", () => {
    const dockerfile = scanDockerfile("\uFEFFFROM a\n");
    const from = onlyInstruction("\uFEFFFROM a\n");

    expect(dockerfile.hasBom).toBe(true);
    expect(from.keywordText).toBe("FROM");
    // Offsets count the BOM, but no line includes it, so an edit at the
    // instruction's start lands after it.
    expect(spans(from)).toEqual({
      keywordRange: { start: 1, end: 5 },
      argumentsStart: 6,
      range: { start: 1, end: 7 },
      next: 8,
    });
  });

  it("ends the last instruction at a missing final newline", () => {
    const [, run] = instructionsOf("FROM a\nRUN b");

    expect(spans(run!)).toEqual({
      keywordRange: { start: 7, end: 10 },
      argumentsStart: 11,
      range: { start: 7, end: 12 },
      next: 12,
    });
  });

  it("ends a continuation at the end of the file", () => {
    const run = onlyInstruction("RUN a \\");

    expect(run.value).toBe("a");
    expect(spans(run)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 4,
      range: { start: 0, end: 7 },
      next: 7,
    });
  });

  it("places argumentsStart after indentation and keyword", () => {
    const run = onlyInstruction("  RUN b\n");

    expect(spans(run)).toEqual({
      keywordRange: { start: 2, end: 5 },
      argumentsStart: 6,
      range: { start: 0, end: 7 },
      next: 8,
    });
  });

  it("sets argumentsStart to the line end without arguments", () => {
    const run = onlyInstruction("RUN\n");

    expect(run.value).toBe("");
    expect(spans(run)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 3,
      range: { start: 0, end: 3 },
      next: 4,
    });
  });

  it("marks a keyword split across lines", () => {
    const run = instructionsOf("FROM a\nR\\\nUN b\n")[1]!;

    expect(run.keyword).toBe("RUN");
    expect(run.doubt).toBe("the keyword is split across lines");
  });

  it("reads a heredoc body and its terminator", () => {
    const [run, next] = instructionsOf("RUN <<EOF\necho hi\nEOF\nRUN b\n");

    expect(run!.value).toBe("<<EOF");
    expect(run!.heredocs).toEqual([
      {
        name: "EOF",
        chomp: false,
        quoted: false,
        fileDescriptor: 0,
        content: "echo hi\n",
        bodyRange: { start: 10, end: 18 },
        terminatorRange: { start: 18, end: 21 },
      },
    ]);
    expect(run!.endLine).toBe(3);
    expect(run!.argumentsEnd).toBe(9);
    expect(spans(run!)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 4,
      range: { start: 0, end: 21 },
      next: 22,
    });
    expect(next!.keywordRange).toEqual({ start: 22, end: 25 });
  });

  it("matches a <<- terminator after leading tabs", () => {
    const run = onlyInstruction("RUN <<-EOF\n\techo hi\n\tEOF\n");
    const heredoc = run.heredocs[0]!;

    expect(heredoc.chomp).toBe(true);
    // BuildKit's parser keeps the tabs. Its instruction parser strips them.
    expect(heredoc.content).toBe("\techo hi\n");
    expect(heredoc.bodyRange).toEqual({ start: 11, end: 20 });
    expect(heredoc.terminatorRange).toEqual({ start: 20, end: 24 });
    expect(spans(run)).toEqual({
      keywordRange: { start: 0, end: 3 },
      argumentsStart: 4,
      range: { start: 0, end: 24 },
      next: 25,
    });
  });

  it("needs <<- to match a tab-indented terminator", () => {
    const run = onlyInstruction("RUN <<EOF\n\tEOF\nEOF\n");

    expect(run.heredocs[0]!.content).toBe("\tEOF\n");
    expect(run.range).toEqual({ start: 0, end: 18 });
  });

  it("reads a double-quoted heredoc delimiter", () => {
    const run = onlyInstruction('RUN cat <<"EOF"\n$HOME\nEOF\n');
    const heredoc = run.heredocs[0]!;

    expect(heredoc.name).toBe("EOF");
    expect(heredoc.quoted).toBe(true);
    expect(heredoc.content).toBe("$HOME\n");
    expect(heredoc.terminatorRange).toEqual({ start: 22, end: 25 });
  });

  it("reads a single-quoted delimiter with a space", () => {
    const run = onlyInstruction("RUN cat <<'one two'\nx\none two\n");
    const heredoc = run.heredocs[0]!;

    expect(heredoc.name).toBe("one two");
    expect(heredoc.quoted).toBe(true);
    expect(heredoc.bodyRange).toEqual({ start: 20, end: 22 });
    expect(heredoc.terminatorRange).toEqual({ start: 22, end: 29 });
    expect(run.next).toBe(30);
  });

  it("reads the file descriptor before <<", () => {
    const run = onlyInstruction("RUN cat 3<<EOF\nx\nEOF\n");

    expect(run.heredocs[0]!.fileDescriptor).toBe(3);
    expect(run.heredocs[0]!.name).toBe("EOF");
  });

  it("reads two heredocs on one line in order", () => {
    const copy = onlyInstruction('COPY <<A <<"B" /dst/\na\nA\nb\nB\n');

    expect(copy.heredocs.map((each) => each.name)).toEqual(["A", "B"]);
    expect(copy.heredocs.map((each) => each.content)).toEqual(["a\n", "b\n"]);
    expect(copy.heredocs[0]!.bodyRange).toEqual({ start: 21, end: 23 });
    expect(copy.heredocs[0]!.terminatorRange).toEqual({ start: 23, end: 24 });
    expect(copy.heredocs[1]!.bodyRange).toEqual({ start: 25, end: 27 });
    expect(copy.heredocs[1]!.terminatorRange).toEqual({ start: 27, end: 28 });
    expect(copy.endLine).toBe(5);
    expect(spans(copy)).toEqual({
      keywordRange: { start: 0, end: 4 },
      argumentsStart: 5,
      range: { start: 0, end: 28 },
      next: 29,
    });
  });

  it("keeps CRLF line endings in heredoc content", () => {
    const run = onlyInstruction("RUN <<EOF\r\necho hi\r\nEOF\r\n");
    const heredoc = run.heredocs[0]!;

    expect(heredoc.content).toBe("echo hi\r\n");
    expect(heredoc.bodyRange).toEqual({ start: 11, end: 20 });
    expect(heredoc.terminatorRange).toEqual({ start: 20, end: 23 });
    expect(run.next).toBe(25);
  });

  it("does not read a heredoc after << and a space", () => {
    const [run, next] = instructionsOf("RUN cat <<  EOF\nRUN b\n");

    expect(run!.heredocs).toEqual([]);
    expect(run!.range).toEqual({ start: 0, end: 15 });
    expect(next!.value).toBe("b");
  });

  it("reads heredocs only for RUN, COPY and ADD", () => {
    const instructions = instructionsOf("ENV a <<EOF\nFROM b\n");

    expect(instructions.map((each) => each.keyword)).toEqual(["ENV", "FROM"]);
    expect(instructions[0]!.heredocs).toEqual([]);
  });

  it("reads a heredoc of an ONBUILD trigger", () => {
    const onbuild = onlyInstruction("ONBUILD RUN <<EOF\necho hi\nEOF\n");

    expect(onbuild.heredocs.map((each) => each.content)).toEqual(["echo hi\n"]);
    expect(onbuild.range).toEqual({ start: 0, end: 29 });
    expect(onbuild.next).toBe(30);
  });

  it("rejects a heredoc without a terminator", () => {
    const error = scanError("FROM a\nRUN cat <<EOF\nx\n");

    expect(error.line).toBe(2);
    expect(error.column).toBe(1);
    expect(error.message).toMatch(/`EOF` has no closing line/);
    expect(error.message).toMatch(/Add a line that contains only `EOF`/);
  });

  it("reads flags in any order", () => {
    const chownFirst = onlyInstruction("COPY --chown=1:1 --from=build a b\n");
    const fromFirst = onlyInstruction("COPY --from=build --chown=1:1 a b\n");
    const chown = { name: "chown", value: "1:1", raw: "--chown=1:1" };
    const from = { name: "from", value: "build", raw: "--from=build" };

    expect(chownFirst.flags).toEqual([chown, from]);
    expect(fromFirst.flags).toEqual([from, chown]);
    expect(chownFirst.value).toBe("a b");
    expect(fromFirst.value).toBe("a b");
    expect(chownFirst.argumentsStart).toBe(30);
    expect(fromFirst.argumentsStart).toBe(30);
  });

  it("removes quotes from flag values", () => {
    const copy = onlyInstruction('COPY --chown="1 1" a b\n');

    expect(copy.flags).toEqual([
      { name: "chown", value: "1 1", raw: '--chown="1 1"' },
    ]);
    expect(copy.value).toBe("a b");
    expect(copy.argumentsStart).toBe(19);
  });

  it("keeps a flag without a value", () => {
    const run = onlyInstruction("RUN --network a\n");

    expect(run.flags).toEqual([
      { name: "network", value: undefined, raw: "--network" },
    ]);
    expect(run.value).toBe("a");
  });

  it("ends flags at -- and at the first argument", () => {
    const dashes = onlyInstruction("COPY --from=x -- --a b\n");
    const late = onlyInstruction("COPY a --from=x b\n");

    expect(dashes.flags.map((flag) => flag.name)).toEqual(["from"]);
    expect(dashes.value).toBe("--a b");
    expect(dashes.argumentsStart).toBe(17);
    expect(late.flags).toEqual([]);
    expect(late.value).toBe("a --from=x b");
  });

  it("reads lowercase keywords", () => {
    const [from, run] = instructionsOf("from a\nRun b\n");

    expect(from!.keyword).toBe("FROM");
    expect(from!.keywordText).toBe("from");
    expect(run!.keyword).toBe("RUN");
    expect(run!.keywordText).toBe("Run");
  });

  it("builds the trigger of ONBUILD", () => {
    const onbuild = onlyInstruction(
      "onbuild run --mount=type=cache,target=/x make\n",
    );
    const trigger = onbuild.trigger!;

    expect(onbuild.keyword).toBe("ONBUILD");
    expect(onbuild.value).toBe("run --mount=type=cache,target=/x make");
    expect(trigger.keyword).toBe("RUN");
    expect(trigger.keywordText).toBe("run");
    expect(trigger.flags).toEqual([
      {
        name: "mount",
        value: "type=cache,target=/x",
        raw: "--mount=type=cache,target=/x",
      },
    ]);
    expect(trigger.value).toBe("make");
    expect(trigger.doubt).toBeDefined();
  });

  it("reads the exec form as a JSON string array", () => {
    const json = (text: string) => onlyInstruction(text).json;

    expect(json('CMD ["a", "b"]\n')).toEqual(["a", "b"]);
    expect(json("ENTRYPOINT []\n")).toEqual([]);
    expect(json('RUN --network=none ["a"]\n')).toEqual(["a"]);
    expect(json('CMD ["a", 1]\n')).toBeUndefined();
    expect(json("CMD ['a']\n")).toBeUndefined();
    expect(json('CMD ["a"\n')).toBeUndefined();
    expect(json('RUN echo ["a"]\n')).toBeUndefined();
    expect(json('LABEL ["a"]\n')).toBeUndefined();
  });

  it("records comments outside instructions", () => {
    const dockerfile = scanDockerfile("# one\nFROM a\n  # two\n");

    expect(dockerfile.comments).toEqual([
      { text: "one", range: { start: 0, end: 5 }, line: 1 },
      { text: "two", range: { start: 13, end: 20 }, line: 3 },
    ]);
  });

  it("rejects a file without instructions", () => {
    const empty = scanError("");
    const comments = scanError("# only\n\n");

    expect(empty.message).toMatch(/the file has no instructions/);
    expect(comments.message).toMatch(/the file has no instructions/);
  });
});
