import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  dumpDockerfile,
  dumpNode,
  parseArguments,
  quoteGo,
  type ArgumentNode,
} from "../src/parse/arguments.js";
import { scanDockerfile } from "../src/parse/scanner.js";

/** Parses the arguments of the only instruction in `text`. */
function argumentsOf(text: string): ArgumentNode {
  const dockerfile = scanDockerfile(text);
  expect(dockerfile.instructions).toHaveLength(1);
  return parseArguments(dockerfile.instructions[0]!, dockerfile.escape);
}

describe("parseArguments", () => {
  it("keeps the rest of the line as the old ENV value", () => {
    const node = argumentsOf("ENV A  b \tc\n");

    expect(node.arguments).toEqual(["A", "b \tc", ""]);
    expect(node.json).toBe(false);
  });

  it("splits name=value pairs and keeps their quotes", () => {
    const node = argumentsOf('ENV a="x y" b=c\\ d e=\n');

    expect(node.arguments).toEqual([
      "a",
      '"x y"',
      "=",
      "b",
      "c\\ d",
      "=",
      "e",
      "",
      "=",
    ]);
  });

  it("reads LABEL pairs like ENV pairs", () => {
    const pairs = argumentsOf("LABEL a='x y' b=1\n");
    const old = argumentsOf("LABEL maintainer me <me@example.com>\n");

    expect(pairs.arguments).toEqual(["a", "'x y'", "=", "b", "1", "="]);
    expect(old.arguments).toEqual(["maintainer", "me <me@example.com>", ""]);
  });

  it("escapes with the backtick from the directive", () => {
    const node = argumentsOf("# escape=`\nENV a=x` y b='c` d'\n");

    expect(node.arguments).toEqual(["a", "x` y", "=", "b", "'c` d'", "="]);
  });

  it("drops an escape character at the end of the words", () => {
    const node = argumentsOf("ARG a\\\\\n");

    expect(node.arguments).toEqual(["a\\\\"]);
    expect(argumentsOf('ENV a="b\\\\"\n').arguments).toEqual([
      "a",
      '"b\\\\"',
      "=",
    ]);
  });

  it("keeps ARG words with quotes", () => {
    const node = argumentsOf('ARG a b=c "d e"=f\n');

    expect(node.arguments).toEqual(["a", "b=c", '"d e"=f']);
  });

  it("gives no arguments to an empty ENV", () => {
    expect(argumentsOf("ENV\n").arguments).toEqual([]);
  });

  it("rejects an old-form ENV without a value", () => {
    const instruction = scanDockerfile("ENV PATH\n").instructions[0]!;

    expect(() => parseArguments(instruction)).toThrow(ArgumentError);
    expect(() => parseArguments(instruction)).toThrow(
      "ENV `PATH` has a name but no value. " +
        "Write `ENV PATH=value`, or `ENV PATH=` for an empty value",
    );
  });

  it("rejects a pair without = after a name=value pair", () => {
    const instruction = scanDockerfile("LABEL a=1 b\n").instructions[0]!;

    expect(() => parseArguments(instruction)).toThrow(
      /^LABEL `b` has no `=`\./,
    );
  });

  it("keeps the shell form of RUN as one argument", () => {
    const node = argumentsOf("RUN --mount=type=cache,target=/x a  b \\\n c\n");

    expect(node.flags).toEqual(["--mount=type=cache,target=/x"]);
    expect(node.arguments).toEqual(["a  b  c"]);
    expect(node.json).toBe(false);
  });

  it("reads the exec form of CMD", () => {
    const node = argumentsOf('CMD [ "a", "b c" ]\n');

    expect(node.arguments).toEqual(["a", "b c"]);
    expect(node.json).toBe(true);
  });

  it("reads invalid JSON as the shell form", () => {
    expect(argumentsOf("CMD ['a']\n").arguments).toEqual(["['a']"]);
    expect(argumentsOf('CMD ["a"] b\n').arguments).toEqual(['["a"] b']);
    expect(argumentsOf("SHELL /bin/sh -c\n").arguments).toEqual(["/bin/sh -c"]);
  });

  it("rejects a JSON array with a nested array", () => {
    const instruction = scanDockerfile('CMD ["a", ["b"]]\n').instructions[0]!;

    expect(() => parseArguments(instruction)).toThrow(
      'the JSON array of CMD contains `["b"]`, which is not a string.',
    );
  });

  it("rejects JSON numbers and null in COPY and VOLUME", () => {
    const copy = scanDockerfile('COPY ["a", 1]\n').instructions[0]!;
    const volume = scanDockerfile("VOLUME [null]\n").instructions[0]!;

    expect(() => parseArguments(copy)).toThrow(/contains `1`/);
    expect(() => parseArguments(volume)).toThrow(/contains `null`/);
  });

  it("splits COPY, VOLUME, FROM and EXPOSE at blanks", () => {
    const copy = argumentsOf("COPY --from=build  a\tb /c/\n");
    const from = argumentsOf("FROM --platform=$P image AS build\n");

    expect(copy.flags).toEqual(["--from=build"]);
    expect(copy.arguments).toEqual(["a", "b", "/c/"]);
    expect(argumentsOf('VOLUME ["/a", "/b"]\n').arguments).toEqual([
      "/a",
      "/b",
    ]);
    expect(from.flags).toEqual(["--platform=$P"]);
    expect(from.arguments).toEqual(["image", "AS", "build"]);
    expect(argumentsOf("EXPOSE 80 443/tcp\n").arguments).toEqual([
      "80",
      "443/tcp",
    ]);
  });

  it("keeps USER and WORKDIR as one string", () => {
    expect(argumentsOf("USER a b\n").arguments).toEqual(["a b"]);
    expect(argumentsOf("WORKDIR /a b\n").arguments).toEqual(["/a b"]);
    expect(argumentsOf("WORKDIR\n").arguments).toEqual([]);
  });

  it("splits HEALTHCHECK into type and command", () => {
    const shell = argumentsOf("HEALTHCHECK --interval=5s CMD curl -f x\n");
    const exec = argumentsOf('HEALTHCHECK CMD ["curl", "x"]\n');

    expect(shell.flags).toEqual(["--interval=5s"]);
    expect(shell.arguments).toEqual(["CMD", "curl -f x"]);
    expect(shell.json).toBe(false);
    expect(exec.arguments).toEqual(["CMD", "curl", "x"]);
    expect(exec.json).toBe(true);
    expect(argumentsOf("HEALTHCHECK NONE\n").arguments).toEqual(["NONE"]);
    expect(argumentsOf("HEALTHCHECK\n").arguments).toEqual([]);
  });

  it("rejects a HEALTHCHECK command with a non-string", () => {
    const instruction = scanDockerfile('HEALTHCHECK CMD ["a", 1]\n')
      .instructions[0]!;

    expect(() => parseArguments(instruction)).toThrow(ArgumentError);
  });

  it("parses the ONBUILD trigger as an instruction", () => {
    const node = argumentsOf("ONBUILD copy --from=a x  /y\n");

    expect(node.arguments).toEqual([]);
    expect(node.trigger).toEqual({
      keyword: "COPY",
      flags: ["--from=a"],
      arguments: ["x", "/y"],
      json: false,
      trigger: undefined,
    });
  });

  it("rejects an ONBUILD trigger that BuildKit rejects", () => {
    const instruction = scanDockerfile("ONBUILD ENV a\n").instructions[0]!;

    expect(() => parseArguments(instruction)).toThrow(/ENV `a` has a name/);
  });

  it("gives an unknown keyword one empty argument", () => {
    const node = argumentsOf("FOO bar baz\n");

    expect(node.keyword).toBe("FOO");
    expect(node.arguments).toEqual([""]);
  });

  it("turns an unpaired surrogate escape into U+FFFD", () => {
    const node = argumentsOf('CMD ["a\\ud800b"]\n');

    expect(node.arguments).toEqual(["a\ufffdb"]);
  });
});

describe("quoteGo", () => {
  it("escapes quotes and backslashes", () => {
    expect(quoteGo('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("uses named escapes for control characters", () => {
    expect(quoteGo("\x07\b\f\n\r\t\v")).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
  });

  it("uses hex escapes for other control characters", () => {
    expect(quoteGo("\x00\x1b\x7f")).toBe('"\\x00\\x1b\\x7f"');
  });

  it("keeps printable non-ASCII characters", () => {
    expect(quoteGo("♥ ☃ é 😀")).toBe('"♥ ☃ é 😀"');
  });

  it("escapes non-printable characters by code point", () => {
    expect(quoteGo("\u00a0\u200b\u{e0001}")).toBe(
      '"\\u00a0\\u200b\\U000e0001"',
    );
  });

  it("prints an unpaired surrogate as U+FFFD", () => {
    expect(quoteGo("\ud800")).toBe('"\\ufffd"');
  });
});

describe("dumpNode", () => {
  it("prints flags as a Go string slice", () => {
    const node = argumentsOf("COPY --user=me --doit=true foo /tmp/\n");

    expect(dumpNode(node)).toBe(
      '(copy ["--user=me" "--doit=true"] "foo" "/tmp/")',
    );
  });

  it("prints the ONBUILD trigger in its own parentheses", () => {
    const node = argumentsOf('ONBUILD RUN ["echo", "test"]\n');

    expect(dumpNode(node)).toBe('(onbuild (run "echo" "test"))');
  });

  it("prints an instruction without arguments", () => {
    expect(dumpNode(argumentsOf("CMD []\n"))).toBe("(cmd)");
    expect(dumpNode(argumentsOf("ONBUILD\n"))).toBe("(onbuild)");
  });
});

describe("dumpDockerfile", () => {
  it("prints one line per instruction", () => {
    const dockerfile = scanDockerfile("FROM a\nENV b c\n");

    expect(dumpDockerfile(dockerfile)).toBe('(from "a")\n(env "b" "c" "")');
  });
});
