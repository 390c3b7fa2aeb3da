/**
 * Property tests: Dockerfiles assembled from small pieces go through
 * `optimize` in default and unsafe mode, and every rewrite must keep the
 * invariants of the corpus check plus the file's layout (line ends, BOM,
 * final newline). The seed is fixed so that runs repeat, and `FC_SEED` sets
 * another. Failures found this way are kept in
 * `test/fixtures/property-seeds/` and replayed by the last test.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ParseError,
  type ArchiveCheck,
  type BuildContext,
  type ContextEntry,
} from "../src/api.js";
import { checkRewriteText } from "./corpus/invariants.js";

const DEFAULT_SEED = 424_242;
const seed = readSeed(process.env.FC_SEED);
const seedsFolder = join(import.meta.dirname, "fixtures", "property-seeds");

function readSeed(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_SEED;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) {
    throw new Error(`FC_SEED must be an integer, got \`${value}\``);
  }
  return parsed;
}

/** Marks a line continuation. Rendering replaces it with the escape character. */
const CONTINUE = "\u0001";

/** An instruction, comment or blank line, before keyword case and line ends. */
interface Piece {
  /** The keyword in upper case, or "" for lines that are not an instruction. */
  keyword: string;
  /** Physical lines. The first follows the keyword and a space. */
  lines: string[];
}

type KeywordCase = "upper" | "lower" | "mixed";

interface StagePlan {
  /** Index of an earlier stage to build on, or a base image name. */
  base: number | string;
  named: boolean;
  platform: boolean;
  pieces: { piece: Piece; keywordCase: KeywordCase; indent: string }[];
}

interface FilePlan {
  eol: "\n" | "\r\n";
  bom: boolean;
  finalNewline: boolean;
  escape: "\\" | "`";
  directives: string[];
  /** `ARG` lines before the first `FROM`. */
  argsBefore: boolean;
  stages: StagePlan[];
}

// Shell commands, grouped by what the transforms look at.
const APT_COMMANDS = [
  "apt-get update",
  "apt-get update -q",
  "apt-get -qq update",
  "apt-get install -y curl",
  "apt-get install -y --no-install-recommends curl ca-certificates",
  "apt-get -y install git",
  "DEBIAN_FRONTEND=noninteractive apt-get install -yq make",
  "apt-get install curl",
  "apt install -y curl",
  "apt-get upgrade -y",
  "apt-get clean",
  "apt-get autoremove -y",
  "apt-get purge -y --auto-remove curl",
  "rm -rf /var/lib/apt/lists/*",
  "rm -rf /var/lib/apt/lists/* /tmp/*",
  "apt-get install -y $PACKAGES",
  "sudo apt-get install -y curl",
  "apt-get -o Dir::State::Lists=/tmp/lists update",
];

const STATE_COMMANDS = [
  "cd /x",
  "cd /src",
  "export A=b",
  "export PATH=/opt/bin:$PATH",
  "set -e",
  "set -eux",
  "set -o pipefail",
  "umask 077",
];

const OTHER_COMMANDS = [
  "echo hello",
  'echo "a && b"',
  "echo 'x; y' > /x",
  "mkdir -p /x",
  "make -j2",
  "true",
  "curl -fsSL https://example.com/install.sh | sh",
  "pip install --no-cache-dir flask",
  "npm ci",
  "apk add --no-cache curl",
  "apk update",
  "yum install -y curl",
  "if [ -f /x ]; then echo y; fi",
  "{ echo a; echo b; } > /x",
  "(cd /x && make)",
  "A=1 make",
  'echo "$HOME" ${A:-b}',
  "for p in a b; do echo $p; done",
  "useradd -m app",
  "exit 0",
  "go build -o /usr/local/bin/app ./cmd/app",
  "npm run build",
];

const commandArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...APT_COMMANDS) },
  { weight: 2, arbitrary: fc.constantFrom(...STATE_COMMANDS) },
  { weight: 2, arbitrary: fc.constantFrom(...OTHER_COMMANDS) },
);

const JOINS = ["&&", "&&", "&&", ";", "||", "|", "&"];

/** How the text between two commands is laid out. */
const breakArb = fc.record({
  join: fc.constantFrom(...JOINS),
  spaced: fc.boolean(),
  position: fc.constantFrom("same-line", "after-join", "before-join"),
  indent: fc.constantFrom("    ", "\t", "  ", ""),
  trailingBlank: fc.oneof(
    { weight: 9, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant(" ") },
  ),
  between: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(["# a comment"], ["    # indented comment"]),
    },
    { weight: 1, arbitrary: fc.constant([""]) },
    { weight: 1, arbitrary: fc.constant(["# one", "", "# two"]) },
  ),
});

const MOUNT_FLAGS = [
  "--mount=type=cache,target=/var/cache/apt,sharing=locked",
  "--mount=type=cache,target=/var/lib/apt/lists",
  "--mount=type=tmpfs,target=/var/lib/apt/lists",
  "--mount=type=bind,target=/src",
  "--mount=type=secret,id=token",
  "--mount=from=stage0,target=/from",
  "--network=host",
];

const runFlagsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.subarray(MOUNT_FLAGS, { maxLength: 2 }) },
);

/**
 * Builds shell-form RUNs from `commands`, joined by operators and maybe
 * split across lines with comments and blank lines between them.
 */
function shellRunFrom(
  commands: fc.Arbitrary<string>,
  maxCommands: number,
): fc.Arbitrary<Piece> {
  return fc
    .record({
      flags: runFlagsArb,
      first: commands,
      rest: fc.array(fc.tuple(breakArb, commands), {
        maxLength: maxCommands - 1,
      }),
      trailingComment: fc.oneof(
        { weight: 5, arbitrary: fc.constant("") },
        { weight: 1, arbitrary: fc.constant(" # install tools") },
      ),
    })
    .map(({ flags, first, rest, trailingComment }): Piece => {
      const lines = [[...flags, first].join(" ")];
      for (const [layout, command] of rest) {
        const join = layout.spaced ? ` ${layout.join} ` : layout.join;
        const lastIndex = lines.length - 1;
        if (layout.position === "same-line") {
          lines[lastIndex] += `${join}${command}`;
          continue;
        }
        const [head, tail] =
          layout.position === "after-join"
            ? [join.trimEnd(), command]
            : ["", `${join.trimStart()}${command}`];
        lines[lastIndex] += `${head} ${CONTINUE}${layout.trailingBlank}`;
        lines.push(...layout.between, `${layout.indent}${tail}`);
      }
      lines[lines.length - 1] += trailingComment;
      return { keyword: "RUN", lines };
    });
}

const shellRunArb = shellRunFrom(commandArb, 6);

/** A RUN with heredocs: a script BuildKit runs itself, or input to a command. */
const heredocRunArb = fc
  .record({
    flags: runFlagsArb,
    form: fc.constantFrom(
      "<<EOF",
      "<<-EOF",
      "<<'EOF'",
      'bash <<"EOF"',
      "<<EOF bash",
      "cat <<EOF > /etc/x",
    ),
    shebang: fc.constantFrom("", "#!/bin/sh", "#!/usr/bin/env bash"),
    body: fc.array(commandArb, { minLength: 1, maxLength: 4 }),
    after: fc.constantFrom("", " && apt-get clean"),
  })
  .map(({ flags, form, shebang, body, after }): Piece => {
    const chomp = form.includes("<<-");
    const indent = chomp ? "\t" : "";
    const script = shebang && !form.includes(" ") ? [shebang, ...body] : body;
    const command = form.includes(">") ? `${form}${after}` : form;
    return {
      keyword: "RUN",
      lines: [
        [...flags, command].join(" "),
        ...script.map((line) => `${indent}${line}`),
        `${indent}EOF`,
      ],
    };
  });

const execRunArb = fc
  .constantFrom(
    '["apt-get", "update"]',
    '["sh", "-c", "apt-get update && apt-get install -y curl"]',
    '["/bin/bash", "-c", "echo hi"]',
  )
  .map((value): Piece => ({ keyword: "RUN", lines: [value] }));

const runArb = fc.oneof(
  { weight: 6, arbitrary: shellRunArb },
  { weight: 2, arbitrary: heredocRunArb },
  { weight: 1, arbitrary: execRunArb },
);

const ADD_SOURCES = [
  "config.json /etc/app/",
  "app.tar.gz /opt/",
  "data.tar /data/",
  ". /src",
  "src/ /app/src/",
  "*.txt /docs/",
  "missing.txt /x",
  "https://example.com/file.txt /tmp/",
  '["config.json", "/etc/app/"]',
  '["start.sh", "/usr/local/bin/start.sh"]',
  "git@github.com:example/tools.git /tools",
  "--from=stage0 /var/lib/apt/lists /lists",
  "--from=stage0 /usr/local/bin/app /app",
];

const ADD_FLAGS = [
  "--chown=app:app",
  "--chmod=755",
  "--link",
  "--checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
];

const addArb = fc
  .record({
    keyword: fc.constantFrom("ADD", "COPY"),
    flags: fc.subarray(ADD_FLAGS, { maxLength: 2 }),
    sources: fc.constantFrom(...ADD_SOURCES),
    split: fc.boolean(),
  })
  .map(({ keyword, flags, sources, split }): Piece => {
    const text = [...flags, sources].join(" ");
    const space = text.lastIndexOf(" ");
    if (!split || sources.startsWith("[") || space < 0) {
      return { keyword, lines: [text] };
    }
    const lines = [
      `${text.slice(0, space)} ${CONTINUE}`,
      `    ${text.slice(space + 1)}`,
    ];
    return { keyword, lines };
  });

const copyHeredocArb = fc
  .constantFrom(
    ["<<EOF /etc/motd", "Welcome", "EOF"],
    ["<<-EOF /etc/app.conf", "\tkey = value", "\tEOF"],
    ["--chmod=755 <<'EOF' /usr/local/bin/run", "#!/bin/sh", 'exec "$@"', "EOF"],
  )
  .map((lines): Piece => ({ keyword: "COPY", lines: [...lines] }));

const simpleArb = fc.constantFrom<Piece>(
  { keyword: "WORKDIR", lines: ["/app"] },
  { keyword: "ENV", lines: ["A=b"] },
  { keyword: "ENV", lines: ["PATH=/opt/bin:$PATH"] },
  { keyword: "ENV", lines: ["DEBIAN_FRONTEND noninteractive"] },
  { keyword: "ENV", lines: [`A=1 ${CONTINUE}`, "    B=2"] },
  { keyword: "ARG", lines: ["VERSION=1.0"] },
  { keyword: "ARG", lines: ["PACKAGES"] },
  { keyword: "LABEL", lines: ['maintainer="someone"'] },
  { keyword: "EXPOSE", lines: ["8080"] },
  { keyword: "VOLUME", lines: ["/var/lib/apt/lists"] },
  { keyword: "VOLUME", lines: ['["/data"]'] },
  { keyword: "CMD", lines: ['["app"]'] },
  { keyword: "CMD", lines: ["app --serve"] },
  { keyword: "ENTRYPOINT", lines: ['["/entry.sh"]'] },
  {
    keyword: "HEALTHCHECK",
    lines: ["CMD curl -f http://localhost/ || exit 1"],
  },
  { keyword: "STOPSIGNAL", lines: ["SIGTERM"] },
  { keyword: "USER", lines: ["root"] },
  { keyword: "USER", lines: ["app"] },
  { keyword: "USER", lines: ["1000:1000"] },
  { keyword: "USER", lines: ["$UID"] },
  { keyword: "SHELL", lines: ['["/bin/bash", "-o", "pipefail", "-c"]'] },
  { keyword: "SHELL", lines: ['["/bin/sh", "-ec"]'] },
  { keyword: "SHELL", lines: ['["pwsh", "-Command"]'] },
  {
    keyword: "ONBUILD",
    lines: ["RUN apt-get update && apt-get install -y curl"],
  },
  { keyword: "ONBUILD", lines: ["ADD . /app"] },
  { keyword: "ONBUILD", lines: ["COPY . /src"] },
);

const commentArb = fc.constantFrom<Piece>(
  { keyword: "", lines: ["# a comment"] },
  { keyword: "", lines: [""] },
  { keyword: "", lines: ["", ""] },
  { keyword: "", lines: ["# hadolint ignore=DL3008,DL3009"] },
  { keyword: "", lines: ["# hadolint global ignore=DL3059"] },
  { keyword: "", lines: ["# layerfix ignore=merge-runs"] },
  { keyword: "", lines: ["# layerfix ignore=apt-lists-cleanup"] },
  { keyword: "", lines: ["# layerfix global ignore=merge-runs"] },
);

const pieceArb = fc.oneof(
  { weight: 8, arbitrary: runArb },
  { weight: 3, arbitrary: addArb },
  { weight: 1, arbitrary: copyHeredocArb },
  { weight: 3, arbitrary: simpleArb },
  { weight: 2, arbitrary: commentArb },
);

const placedPieceArb = fc.record({
  piece: pieceArb,
  keywordCase: fc.constantFrom<KeywordCase>("upper", "upper", "lower", "mixed"),
  indent: fc.oneof(
    { weight: 9, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant("  ") },
  ),
});

const UPDATE_COMMANDS = ["apt-get update", "apt-get update -q", "set -e"];
const CLEANUP_COMMANDS = [
  "apt-get clean",
  "rm -rf /var/lib/apt/lists/*",
  "rm -rf /tmp/*",
];

/**
 * Shell-form RUNs in a row, which `merge-runs` looks for: an update-only
 * RUN before an install, or a cleanup-only RUN after one.
 */
const runGroupArb = fc
  .record({
    first: fc.oneof(
      shellRunFrom(fc.constantFrom(...UPDATE_COMMANDS), 2),
      shellRunArb,
    ),
    second: fc.oneof(
      shellRunArb,
      shellRunFrom(fc.constantFrom(...CLEANUP_COMMANDS), 2),
    ),
    between: fc.constantFrom<Piece[]>(
      [],
      [{ keyword: "", lines: ["# next"] }],
      [{ keyword: "", lines: [""] }],
    ),
    keywordCase: fc.constantFrom<KeywordCase>("upper", "lower"),
  })
  .map(({ first, second, between, keywordCase }) =>
    [first, ...between, second].map((piece) => ({
      piece,
      keywordCase,
      indent: "",
    })),
  );

const stageArb = fc.record({
  base: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "debian:bookworm",
        "ubuntu:22.04",
        "alpine:3.19",
        "debian:bookworm-slim",
        "scratch",
        "${BASE}",
        "golang:1.22",
        "node:20",
      ),
    },
    { weight: 1, arbitrary: fc.nat(3) },
  ),
  named: fc.boolean(),
  platform: fc.boolean(),
  pieces: fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: placedPieceArb.map((placed) => [placed]) },
        { weight: 1, arbitrary: runGroupArb },
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((groups) => groups.flat()),
});

const filePlanArb: fc.Arbitrary<FilePlan> = fc.record({
  eol: fc.constantFrom<FilePlan["eol"]>("\n", "\r\n"),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  escape: fc.constantFrom<FilePlan["escape"]>("\\", "\\", "`"),
  directives: fc.subarray(["# syntax=docker/dockerfile:1", "# check=skip=all"]),
  argsBefore: fc.boolean(),
  stages: fc.array(stageArb, { minLength: 1, maxLength: 3 }),
});

function applyCase(keyword: string, keywordCase: KeywordCase): string {
  if (keywordCase === "upper") return keyword;
  if (keywordCase === "lower") return keyword.toLowerCase();
  return keyword[0] + keyword.slice(1).toLowerCase();
}

function renderFrom(plan: FilePlan, index: number): string {
  const stage = plan.stages[index]!;
  const parent = typeof stage.base === "number" ? stage.base : -1;
  const base =
    parent >= 0 && parent < index && plan.stages[parent]!.named
      ? `stage${parent}`
      : typeof stage.base === "string"
        ? stage.base
        : "debian:bookworm";
  const platform = stage.platform ? "--platform=$BUILDPLATFORM " : "";
  const name = stage.named ? ` AS stage${index}` : "";
  return `FROM ${platform}${base}${name}`;
}

/** Renders a plan to Dockerfile text with its escape character and line ends. */
function renderFile(plan: FilePlan): string {
  const lines: string[] = [...plan.directives];
  if (plan.escape === "`") lines.push("# escape=`");
  if (plan.argsBefore) lines.push("ARG BASE=debian:bookworm");
  plan.stages.forEach((stage, index) => {
    lines.push(renderFrom(plan, index));
    for (const { piece, keywordCase, indent } of stage.pieces) {
      if (piece.keyword === "") {
        lines.push(...piece.lines);
        continue;
      }
      const keyword = applyCase(piece.keyword, keywordCase);
      const [first, ...rest] = piece.lines;
      lines.push(`${indent}${keyword} ${first}`, ...rest);
    }
  });
  const text = lines.join("\n").replaceAll(CONTINUE, plan.escape);
  const body = text.replaceAll("\n", plan.eol);
  const ending = plan.finalNewline ? plan.eol : "";
  return `${plan.bom ? "\uFEFF" : ""}${body}${ending}`;
}

const fileArb = filePlanArb.map(renderFile);

/** A small edit that may break the file, so BuildKit rejects some of the results. */
const mutationArb = fc.record({
  at: fc.nat(),
  remove: fc.nat(3),
  insert: fc.constantFrom(
    "",
    "\\",
    "`",
    "\n",
    "\r\n",
    "#",
    "<<EOF\n",
    "\nEOF\n",
    '"',
    "'",
    "&&",
    " ",
    "\t",
    "$",
    "${",
    "[",
    "\\\n",
    "\n\n",
    "RUN ",
    "\uFEFF",
  ),
});

const mutatedFileArb = fc
  .tuple(fileArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
  .map(([text, mutations]) =>
    mutations.reduce((current, { at, remove, insert }) => {
      const offset = at % (current.length + 1);
      return current.slice(0, offset) + insert + current.slice(offset + remove);
    }, text),
  );

const CONTEXT_FILES: Record<string, ArchiveCheck | "directory"> = {
  "config.json": { kind: "not-archive" },
  "start.sh": { kind: "not-archive" },
  "app.tar.gz": { kind: "archive", compression: "gzip" },
  "data.tar": { kind: "archive", compression: "none" },
  "readme.txt": { kind: "not-archive" },
  src: "directory",
};

/**
 * Matches a path against a glob with `*`, `?` and `[...]` classes, where
 * `^` or `!` negates a class. A pattern with an unclosed `[` matches nothing.
 */
function matchesGlob(pattern: string, name: string): boolean {
  if (pattern === "") return name === "";
  const [head] = pattern;
  if (head === "*") {
    for (let skip = 0; skip <= name.length; skip++) {
      if (name.slice(0, skip).includes("/")) break;
      if (matchesGlob(pattern.slice(1), name.slice(skip))) return true;
    }
    return false;
  }
  if (name === "" || name[0] === "/") return head === "/" && name === "/";
  if (head === "?") return matchesGlob(pattern.slice(1), name.slice(1));
  if (head !== "[") {
    return head === name[0] && matchesGlob(pattern.slice(1), name.slice(1));
  }
  const close = pattern.indexOf("]", 2);
  if (close < 0) return false;
  const negated = pattern[1] === "^" || pattern[1] === "!";
  const members = pattern.slice(negated ? 2 : 1, close);
  let inClass = false;
  for (let index = 0; index < members.length; index++) {
    const low = members[index]!;
    const isRange = members[index + 1] === "-" && index + 2 < members.length;
    const high = isRange ? members[index + 2]! : low;
    if (low <= name[0]! && name[0]! <= high) inClass = true;
    if (isRange) index += 2;
  }
  if (inClass === negated) return false;
  return matchesGlob(pattern.slice(close + 1), name.slice(1));
}

/** Creates a build context view over a few fixed files, with no folder behind it. */
function createFixedContext(): BuildContext {
  const paths = Object.keys(CONTEXT_FILES);
  const kindOf = (path: string): ContextEntry => {
    const entry = CONTEXT_FILES[path];
    if (path === "" || entry === "directory")
      return { path, kind: "directory" };
    return { path, kind: entry ? "file" : "missing" };
  };
  return {
    root: "(fixed context)",
    resolve(source) {
      const path = source.replace(/^(\.?\/)+/, "").replace(/\/+$/, "");
      if (!/[*?[]/.test(path)) return [kindOf(path)];
      return paths.filter((name) => matchesGlob(path, name)).map(kindOf);
    },
    checkArchive(path) {
      const entry = CONTEXT_FILES[path];
      if (entry === undefined || entry === "directory") {
        return { kind: "unknown", reason: `${path} is not a file` };
      }
      return entry;
    },
  };
}

const context = createFixedContext();

/** Names the line ends of a text: all CRLF, all LF, mixed, or none at all. */
function lineEndStyle(text: string): "crlf" | "lf" | "mixed" | "none" {
  const lf = (text.match(/\n/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const cr = (text.match(/\r/g) ?? []).length;
  if (lf === 0 && cr === 0) return "none";
  if (crlf === lf && cr === crlf) return "crlf";
  if (cr === 0) return "lf";
  return "mixed";
}

/** Checks that the output keeps the input's line ends, BOM and final newline. */
function checkLayout(input: string, output: string): string[] {
  if (output === input) return [];
  const problems: string[] = [];
  const style = lineEndStyle(input);
  const outputStyle = lineEndStyle(output);
  if (style === "crlf" && outputStyle !== "crlf")
    problems.push("a CRLF file has lines that end in LF alone after rewrite");
  if (style === "lf" && outputStyle !== "lf")
    problems.push("an LF file has CR characters after rewrite");
  if (input.startsWith("\uFEFF") !== output.startsWith("\uFEFF"))
    problems.push("the rewrite added or removed the BOM");
  if (input.endsWith("\n") !== output.endsWith("\n"))
    problems.push("the rewrite added or removed the final line end");
  return problems;
}

/**
 * Rewrites the text in both modes and returns every broken invariant. A
 * `ParseError` for the input is allowed, because generated and mutated
 * files include some that BuildKit rejects.
 */
async function findProblems(text: string): Promise<string[]> {
  const problems: string[] = [];
  for (const unsafe of [false, true]) {
    const mode = unsafe ? " (--unsafe)" : "";
    let check;
    try {
      check = await checkRewriteText(text, {
        unsafe,
        path: "Dockerfile",
        context,
      });
    } catch (error) {
      if (error instanceof ParseError) return problems;
      const message = error instanceof Error ? error.message : String(error);
      problems.push(`optimize threw: ${message}${mode}`);
      continue;
    }
    problems.push(...check.violations.map((violation) => violation.problem));
    problems.push(
      ...checkLayout(text, check.output).map((problem) => problem + mode),
    );
  }
  return problems;
}

async function assertInvariants(
  arbitrary: fc.Arbitrary<string>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (text) => {
      const problems = await findProblems(text);
      if (problems.length > 0) {
        throw new Error(
          `${problems.join("\n")}\ninput: ${JSON.stringify(text)}`,
        );
      }
    }),
    { seed, numRuns },
  );
}

function readSeedFiles(): { name: string; text: string }[] {
  if (!existsSync(seedsFolder)) return [];
  return readdirSync(seedsFolder)
    .filter((name) => name.endsWith(".Dockerfile"))
    .sort()
    .map((name) => ({
      name,
      text: readFileSync(join(seedsFolder, name), "utf8"),
    }));
}

describe("optimize on generated Dockerfiles", () => {
  console.log(`fast-check seed ${seed}; set FC_SEED to use another`);

  it("keeps every invariant", { timeout: 60_000 }, async () => {
    await assertInvariants(fileArb, 250);
  });

  it("keeps invariants on mutated files", { timeout: 60_000 }, async () => {
    await assertInvariants(mutatedFileArb, 200);
  });
});

describe("optimize on saved property failures", () => {
  const seedFiles = readSeedFiles();
  if (seedFiles.length === 0) it.skip("has no saved failures", () => {});
  for (const { name, text } of seedFiles) {
    it(`keeps invariants on ${name}`, async () => {
      expect(await findProblems(text)).toEqual([]);
    });
  }
});
