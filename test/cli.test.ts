import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { main } from "../src/cli/main.js";
import { transforms } from "../transforms/index.js";

// These tests change the working directory, so that paths in the output
// read as a user sees them. Vitest's default `forks` pool allows that.
const startFolder = process.cwd();
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "layerfix-cli-"));
  process.chdir(folder);
});

afterEach(() => {
  process.chdir(startFolder);
  rmSync(folder, { recursive: true, force: true });
});

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in process and checks that it prints no stack trace. */
async function run(...args: string[]): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  expect(stderr).not.toContain("    at ");
  return { code, stdout, stderr };
}

function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function titleOf(id: string): string {
  const transform = transforms.find((candidate) => candidate.id === id);
  if (!transform) throw new Error(`no transform ${id}`);
  return transform.title;
}

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx"));
const BIN = join(REPOSITORY, "src/cli/bin.ts");

/** Runs the command as a separate Node process, the way a user starts it. */
function spawnLayerfix(args: string[], input?: string) {
  return spawnSync(
    process.execPath,
    ["--import", TSX_LOADER.href, BIN, ...args],
    { cwd: folder, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
}

// The RUN sits in the middle, so the hunk shows three lines of context on
// each side and leaves out the first and last lines.
const APT_FILE = [
  "FROM debian:bookworm",
  "ENV A=1",
  "ENV B=2",
  "ENV C=3",
  "RUN apt-get update && apt-get install -y curl",
  "ENV D=4",
  "ENV E=5",
  "ENV F=6",
  "ENV G=7",
  "",
].join("\n");

const APT_DIFF = [
  "diff --git a/Dockerfile b/Dockerfile",
  "--- a/Dockerfile",
  "+++ b/Dockerfile",
  "@@ -2,7 +2,7 @@",
  " ENV A=1",
  " ENV B=2",
  " ENV C=3",
  "-RUN apt-get update && apt-get install -y curl",
  "+RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
  " ENV D=4",
  " ENV E=5",
  " ENV F=6",
  "",
].join("\n");

const APT_REWRITTEN = APT_FILE.replace(
  "install -y curl",
  "install -y curl && rm -rf /var/lib/apt/lists/*",
);

const APT_FINDING =
  "Dockerfile:5:5 apt-lists-cleanup `apt-get update` leaves package " +
  `lists in this layer (${titleOf("apt-lists-cleanup")})`;

const UNCHANGED_FILE = 'FROM alpine\nCMD ["sh"]\n';

// The source is missing from the Dockerfile's folder, so add-to-copy
// cannot check it and withholds its change as unsafe.
const UNSAFE_FILE = "FROM alpine\nADD app.txt /app/\n";

const GO_FILE =
  "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" +
  'RUN go build -o /usr/local/bin/app ./cmd/app\nCMD ["app"]\n';

describe("layerfix default dry run", () => {
  it("prints a git-style diff with three lines of context", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(APT_DIFF);
  });

  it("prints each finding and one summary line on stderr", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("Dockerfile");

    expect(result.stderr).toBe(
      APT_FINDING +
        "\n" +
        "layerfix: 1 change in 1 of 1 file, not written (use --write)\n",
    );
  });

  it("leaves the file's bytes and mtime alone", async () => {
    writeText("Dockerfile", APT_FILE);
    const past = new Date("2020-01-02T03:04:05Z");
    utimesSync("Dockerfile", past, past);

    await run("Dockerfile");

    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_FILE);
    expect(statSync("Dockerfile").mtimeMs).toBe(past.getTime());
  });

  it("prints nothing on stdout for an unchanged file", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);

    const result = await run("Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("layerfix: no changes in 1 file\n");
  });

  it("marks a withheld unsafe finding and names --unsafe", async () => {
    writeText("Dockerfile", UNSAFE_FILE);

    const result = await run("Dockerfile");

    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n");
    expect(lines[0]).toMatch(
      /^Dockerfile:2:1 add-to-copy \[unsafe, withheld\] `ADD` may unpack /,
    );
    expect(lines[1]).toBe(
      "layerfix: no changes in 1 file; 1 unsafe change withheld (use --unsafe)",
    );
    expect(lines).toHaveLength(3);
  });

  it("counts changes over several files in one summary", async () => {
    writeText("a/Dockerfile", APT_FILE);
    writeText("b/Dockerfile", APT_FILE);
    writeText("c/Dockerfile", UNCHANGED_FILE);

    const result = await run("a/Dockerfile", "b/Dockerfile", "c/Dockerfile");

    const summaries = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("layerfix:"));
    expect(summaries).toEqual([
      "layerfix: 2 changes in 2 of 3 files, not written (use --write)",
    ]);
    expect(result.stdout).toContain(
      "diff --git a/a/Dockerfile b/a/Dockerfile\n",
    );
    expect(result.stdout).toContain(
      "diff --git a/b/Dockerfile b/b/Dockerfile\n",
    );
    expect(result.stdout).not.toContain("c/Dockerfile");
  });
});

describe("layerfix --check", () => {
  it("exits 1 when a safe change is pending", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--check", "Dockerfile");

    expect(result.code).toBe(1);
    expect(result.stdout).toBe(APT_DIFF);
  });

  it("exits 0 when only an unsafe change is withheld", async () => {
    writeText("Dockerfile", UNSAFE_FILE);

    const result = await run("--check", "Dockerfile");

    expect(result.code).toBe(0);
  });

  it("exits 0 when only a proposal exists", async () => {
    writeText("Dockerfile", GO_FILE);

    const result = await run("--check", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "layerfix: no changes in 1 file; 1 proposal (see --json)\n",
    );
  });

  it("exits 0 when nothing changes", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);

    const result = await run("--check", "Dockerfile");

    expect(result.code).toBe(0);
  });

  it("exits 1 when one of several files has a pending change", async () => {
    writeText("a/Dockerfile", UNCHANGED_FILE);
    writeText("b/Dockerfile", APT_FILE);

    const result = await run("--check", "a/Dockerfile", "b/Dockerfile");

    expect(result.code).toBe(1);
  });

  it("exits 2 over 1 when another file is invalid", async () => {
    writeText("a/Dockerfile", APT_FILE);
    writeText("b/Dockerfile", "# only a comment\n");

    const result = await run("--check", "a/Dockerfile", "b/Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("diff --git a/a/Dockerfile");
  });
});

describe("layerfix --print", () => {
  it("prints the rewritten text", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--print", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(APT_REWRITTEN);
    expect(result.stderr).toBe(
      APT_FINDING +
        "\n" +
        "layerfix: 1 change in 1 of 1 file, not written (use --write)\n",
    );
  });

  it("prints an unchanged file as it is", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);

    const result = await run("--print", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(UNCHANGED_FILE);
  });

  it("rejects two inputs as a usage error", async () => {
    writeText("a/Dockerfile", UNCHANGED_FILE);
    writeText("b/Dockerfile", UNCHANGED_FILE);

    const result = await run("--print", "a/Dockerfile", "b/Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "layerfix: --print needs exactly one input file, and 2 were given\n" +
        "Run `layerfix --help` for usage.\n",
    );
  });

  it("rejects a folder that holds two Dockerfiles", async () => {
    writeText("app/Dockerfile", UNCHANGED_FILE);
    writeText("app/Dockerfile.dev", UNCHANGED_FILE);

    const result = await run("--print", "app");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("and 2 were given");
  });

  it("prints nothing on stdout for an invalid file", async () => {
    writeText("Dockerfile", "# only a comment\n");

    const result = await run("--print", "Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });
});

describe("layerfix --json", () => {
  it("reports the files, their findings and the counts", async () => {
    writeText("apt/Dockerfile", APT_FILE);
    writeText("add/Dockerfile", UNSAFE_FILE);
    writeText("go/Dockerfile", GO_FILE);
    writeText("bad/Dockerfile", "# only a comment\n");

    const result = await run(
      "--json",
      "apt/Dockerfile",
      "add/Dockerfile",
      "go/Dockerfile",
      "bad/Dockerfile",
    );

    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe(1);
    expect(report.tool.name).toBe("layerfix");
    expect(report.summary).toEqual({
      files: 4,
      changedFiles: 1,
      applied: 1,
      withheld: 1,
      proposals: 1,
      errors: 1,
    });
    const [apt, add, go, bad] = report.files;
    expect(apt.path).toBe("apt/Dockerfile");
    expect(apt.changed).toBe(true);
    expect(apt.diff).toBe(
      APT_DIFF.replaceAll("/Dockerfile", "/apt/Dockerfile"),
    );
    expect(apt.error).toBeNull();
    expect(apt.findings).toHaveLength(1);
    expect(apt.findings[0]).toMatchObject({
      transform: "apt-lists-cleanup",
      safety: "safe",
      applied: true,
      line: 5,
      column: 5,
    });
    expect(add.changed).toBe(false);
    expect(add.diff).toBe("");
    expect(add.findings[0]).toMatchObject({
      transform: "add-to-copy",
      safety: "unsafe",
      applied: false,
    });
    expect(go.proposals).toHaveLength(1);
    expect(go.proposals[0].transform).toBe("multi-stage");
    expect(go.proposals[0].diff).toContain("+FROM debian:bookworm-slim\n");
    expect(go.skips).toEqual([]);
    expect(bad.error.kind).toBe("parse");
    expect(bad.error.message).toMatch(/^bad\/Dockerfile:\d+:\d+: /);
  });

  it("lists each skip with its reason and place", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);

    const result = await run("--json", "Dockerfile");

    const [file] = JSON.parse(result.stdout).files;
    expect(file.skips).toContainEqual(
      expect.objectContaining({
        transform: "multi-stage",
        line: 1,
        column: 1,
        reason: expect.any(String),
      }),
    );
    expect(file.passes).toBe(1);
  });

  it("exits 0 for a pending change, like the default", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--json", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "layerfix: 1 change in 1 of 1 file, not written (use --write)\n",
    );
  });

  it("exits 1 for a pending change with --check", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--json", "--check", "Dockerfile");

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).summary.changedFiles).toBe(1);
  });

  it("rejects --json together with --write", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--json", "--write", "Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "layerfix: use only one of --write, --print and --json\n",
    );
    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_FILE);
  });
});

describe("layerfix transform selection", () => {
  const SPLIT_APT_FILE =
    "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n";

  it("applies a withheld unsafe change with --unsafe", async () => {
    writeText("Dockerfile", UNSAFE_FILE);

    const result = await run("--unsafe", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "-ADD app.txt /app/\n+COPY app.txt /app/\n",
    );
    expect(result.stderr).toMatch(/^Dockerfile:2:1 add-to-copy `ADD` may /);
    expect(result.stderr).toContain(
      "layerfix: 1 change in 1 of 1 file, not written (use --write)\n",
    );
  });

  it("runs only the transforms named by --only", async () => {
    writeText("Dockerfile", SPLIT_APT_FILE);

    const result = await run("--only", "merge-runs", "Dockerfile");

    expect(result.stdout).toContain(
      "+RUN apt-get update && \\\n+    apt-get install -y curl\n",
    );
    expect(result.stdout).not.toContain("/var/lib/apt/lists");
    expect(result.stderr).toMatch(/^Dockerfile:2:1 merge-runs /);
  });

  it("accepts a comma-separated list in --skip", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run(
      "--skip",
      "apt-lists-cleanup,merge-runs",
      "Dockerfile",
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("layerfix: no changes in 1 file\n");
  });

  it("leaves out the transforms named by --skip", async () => {
    writeText("Dockerfile", SPLIT_APT_FILE);

    const result = await run("--skip", "merge-runs", "Dockerfile");

    expect(result.stdout).toContain(
      " RUN apt-get update\n" +
        "-RUN apt-get install -y curl\n" +
        "+RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    );
    expect(result.stderr).not.toContain("merge-runs");
  });

  it.each([["--only"], ["--skip"]])(
    "rejects an unknown id in %s and lists the known ones",
    async (option) => {
      writeText("Dockerfile", APT_FILE);

      const result = await run(option, "apt-cleanup", "Dockerfile");

      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const known = transforms.map((transform) => transform.id).join(", ");
      expect(result.stderr).toBe(
        `layerfix: unknown transform \`apt-cleanup\`. Known transforms: ${known}\n` +
          "Run `layerfix --help` for usage.\n",
      );
    },
  );
});

describe("layerfix --context", () => {
  beforeEach(() => {
    writeText("docker/Dockerfile", "FROM alpine\nADD app.txt /app/\n");
    writeText("src/app.txt", "hello\n");
  });

  it("checks ADD sources in the given folder", async () => {
    const result = await run("--context", "src", "docker/Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "diff --git a/docker/Dockerfile b/docker/Dockerfile\n" +
        "--- a/docker/Dockerfile\n" +
        "+++ b/docker/Dockerfile\n" +
        "@@ -1,2 +1,2 @@\n" +
        " FROM alpine\n" +
        "-ADD app.txt /app/\n" +
        "+COPY app.txt /app/\n",
    );
    expect(result.stderr).toContain(
      "docker/Dockerfile:2:1 add-to-copy `ADD` unpacks none of its sources " +
        "in the build context `src` (",
    );
  });

  it("uses the Dockerfile's folder without the option", async () => {
    const result = await run("docker/Dockerfile");

    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "`app.txt` is missing from the build context `docker`",
    );
  });

  it("names a missing folder and exits 2", async () => {
    const result = await run("--context", "nowhere", "docker/Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "layerfix: --context `nowhere` is not a folder. Pass the folder that `docker build` gets as its context\n" +
        "Run `layerfix --help` for usage.\n",
    );
  });

  it("rejects a file given as the context", async () => {
    const result = await run("--context", "src/app.txt", "docker/Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "layerfix: --context `src/app.txt` is not a folder.",
    );
  });
});

describe("layerfix --verbose", () => {
  it("prints each skip with its reason and the passes", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--verbose", "Dockerfile");

    const lines = result.stderr.split("\n");
    expect(lines).toContain(APT_FINDING);
    expect(lines).toContainEqual(
      expect.stringMatching(/^Dockerfile:1:1 multi-stage skipped: \S/),
    );
    expect(lines).toContain("Dockerfile: 2 passes");
    expect(lines.at(-2)).toBe(
      "layerfix: 1 change in 1 of 1 file, not written (use --write)",
    );
  });

  it("uses the singular for one pass", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);

    const result = await run("--verbose", "Dockerfile");

    expect(result.stderr).toContain("Dockerfile: 1 pass\n");
  });

  it("prints no skips without the option", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("Dockerfile");

    expect(result.stderr).not.toContain("skipped:");
    expect(result.stderr).not.toContain("passes");
  });
});

describe("layerfix usage", () => {
  it("prints help with the exit codes", async () => {
    const result = await run("--help");

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Usage: layerfix /);
    expect(result.stdout).toContain(
      "Exit codes:\n" +
        "  0  success (with --check: nothing pending)\n" +
        "  1  --check found pending changes\n" +
        "  2  usage error, unreadable or invalid input, or an internal error\n",
    );
  });

  it("accepts -h for help", async () => {
    const result = await run("-h");

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: layerfix /);
  });

  it("prints the version from package.json", async () => {
    const manifest = JSON.parse(
      readFileSync(join(REPOSITORY, "package.json"), "utf8"),
    ) as { version: string };

    const result = await run("--version");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${manifest.version}\n`);
  });

  it("exits 2 with a hint when no input is given", async () => {
    const result = await run();

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "layerfix: no input given. Pass a Dockerfile, a folder, or - for standard input\n" +
        "Run `layerfix --help` for usage.\n",
    );
  });

  it("exits 2 with a hint for an unknown option", async () => {
    writeText("Dockerfile", APT_FILE);

    const result = await run("--bogus", "Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("layerfix: unknown option `--bogus`\n");
    expect(result.stderr).toMatch(/\nRun `layerfix --help` for usage\.\n$/);
  });

  it("rejects - together with --write", async () => {
    const result = await run("--write", "-");

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "layerfix: --write cannot rewrite standard input. Use --print to get the rewritten text\n" +
        "Run `layerfix --help` for usage.\n",
    );
  });

  it("rejects - given twice", async () => {
    const result = await run("-", "-");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "layerfix: standard input (-) can be read only once\n",
    );
  });
});

describe("layerfix subcommands", () => {
  it("lists the transforms with their safety", async () => {
    const result = await run("transforms");

    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      expect.stringMatching(/^add-to-copy +safe +Replace `ADD` with `COPY`/),
      expect.stringMatching(/^apt-lists-cleanup +safe +\S/),
      expect.stringMatching(/^merge-runs +safe +\S/),
      expect.stringMatching(/^multi-stage +proposal +Split the stage/),
      "",
    ]);
  });

  it("prints the transform metadata with --json", async () => {
    const result = await run("transforms", "--json");

    expect(result.code).toBe(0);
    const metadata = JSON.parse(result.stdout);
    expect(metadata.map((entry: { id: string }) => entry.id)).toEqual([
      "add-to-copy",
      "apt-lists-cleanup",
      "merge-runs",
      "multi-stage",
    ]);
    for (const entry of metadata) {
      expect(entry.title).toEqual(expect.any(String));
      expect(entry.safetyReason).toEqual(expect.any(String));
      expect(entry.skipsWhen.length).toBeGreaterThan(0);
      expect(entry.examples.length).toBeGreaterThan(0);
      expect(entry).not.toHaveProperty("find");
    }
  });

  it("reads ./transforms as a folder to rewrite", async () => {
    writeText("transforms/Dockerfile", APT_FILE);

    const result = await run("./transforms");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      APT_DIFF.replaceAll("/Dockerfile", "/transforms/Dockerfile"),
    );
  });

  it("reads a later argument named transforms as a file", async () => {
    writeText("Dockerfile", UNCHANGED_FILE);
    writeText("transforms", APT_FILE);

    const result = await run("Dockerfile", "transforms");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      APT_DIFF.replaceAll("/Dockerfile", "/transforms"),
    );
  });

  it.each([["verify"], ["inspect"]])(
    "prints the help of %s and exits 0",
    async (command) => {
      const result = await run(command, "--help");

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: layerfix ${command} `));
    },
  );
});

describe("layerfix binary", () => {
  it("reads standard input named by --stdin-filepath", () => {
    writeText("app/app.txt", "hello\n");
    const text = "FROM alpine\nADD app.txt /app/\n";

    const result = spawnLayerfix(
      ["--stdin-filepath", "app/Dockerfile", "-"],
      text,
    );

    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain("    at ");
    expect(result.stdout).toBe(
      "diff --git a/app/Dockerfile b/app/Dockerfile\n" +
        "--- a/app/Dockerfile\n" +
        "+++ b/app/Dockerfile\n" +
        "@@ -1,2 +1,2 @@\n" +
        " FROM alpine\n" +
        "-ADD app.txt /app/\n" +
        "+COPY app.txt /app/\n",
    );
    expect(result.stderr).toMatch(
      /^app\/Dockerfile:2:1 add-to-copy `ADD` unpacks none of its sources in the build context `app` /,
    );
  });

  it("withholds ADD from standard input without a context", () => {
    const result = spawnLayerfix(["-"], "FROM alpine\nADD app.txt /app/\n");

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^<stdin>:2:1 add-to-copy \[unsafe, withheld\] `ADD` may unpack a source, and no build context was given to check it/,
    );
  });

  it("prints standard input rewritten with --print", () => {
    const result = spawnLayerfix(["--print", "-"], APT_FILE);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(APT_REWRITTEN);
  });

  it("sets the exit status of --check", () => {
    writeText("Dockerfile", APT_FILE);

    const result = spawnLayerfix(["--check", "Dockerfile"]);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe(APT_DIFF);
  });

  it("sends a large diff through a pipe in full", async () => {
    // 300 diffs of about 300 bytes each: more than a 64 KiB pipe buffer.
    for (let index = 0; index < 300; index++) {
      writeText(`many/${index}/Dockerfile`, APT_FILE);
    }

    const spawned = spawnLayerfix(["many"]);
    const inProcess = await run("many");

    expect(spawned.status).toBe(0);
    expect(spawned.stdout.length).toBeGreaterThan(64 * 1024);
    expect(spawned.stdout).toBe(inProcess.stdout);
    expect(spawned.stderr).toBe(inProcess.stderr);
  });
});
