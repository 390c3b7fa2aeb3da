import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { main } from "../src/cli/main.js";

// These tests change the working directory, so that paths in the output
// read as a user sees them. Vitest's default `forks` pool allows that.
const startFolder = process.cwd();
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "layerfix-cli-files-"));
  process.chdir(folder);
});

afterEach(() => {
  process.chdir(startFolder);
  chmodSync(folder, 0o700);
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

function writeBytes(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** Lists a folder's entries, hidden ones included, recursively and sorted. */
function listFolder(root: string, prefix = ""): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = prefix + entry.name;
    names.push(path);
    if (entry.isDirectory()) {
      names.push(...listFolder(join(root, entry.name), `${path}/`));
    }
  }
  return names.sort();
}

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx"));
const BIN = join(REPOSITORY, "src/cli/bin.ts");
const LAYERFIX = ["--import", TSX_LOADER.href, BIN];

const APT_FILE =
  "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n";
const APT_REWRITTEN =
  "FROM debian:bookworm\n" +
  "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n";
const UNCHANGED_FILE = 'FROM alpine\nCMD ["sh"]\n';
const PAST = new Date("2020-01-02T03:04:05Z");

describe("layerfix --write", () => {
  it("rewrites a changed file and prints no diff", async () => {
    writeBytes("Dockerfile", APT_FILE);

    const result = await run("--write", "Dockerfile");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^Dockerfile:2:5 apt-lists-cleanup /);
    expect(result.stderr).toMatch(
      /\nlayerfix: 1 change written to 1 of 1 file\n$/,
    );
    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_REWRITTEN);
  });

  it("leaves an unchanged file's mtime alone", async () => {
    writeBytes("changed/Dockerfile", APT_FILE);
    writeBytes("same/Dockerfile", UNCHANGED_FILE);
    utimesSync("same/Dockerfile", PAST, PAST);

    const result = await run("--write", "changed", "same");

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /\nlayerfix: 1 change written to 1 of 2 files\n$/,
    );
    expect(readFileSync("changed/Dockerfile", "utf8")).toBe(APT_REWRITTEN);
    expect(readFileSync("same/Dockerfile", "utf8")).toBe(UNCHANGED_FILE);
    expect(statSync("same/Dockerfile").mtimeMs).toBe(PAST.getTime());
  });

  it("leaves a file with only a withheld change alone", async () => {
    // app.txt is not in the folder, so the ADD change is unsafe.
    const text = "FROM alpine\nADD app.txt /app/\n";
    writeBytes("Dockerfile", text);
    utimesSync("Dockerfile", PAST, PAST);

    const result = await run("--write", "Dockerfile");

    expect(result.code).toBe(0);
    expect(readFileSync("Dockerfile", "utf8")).toBe(text);
    expect(statSync("Dockerfile").mtimeMs).toBe(PAST.getTime());
  });

  it("keeps the file mode", async () => {
    writeBytes("Dockerfile", APT_FILE);
    chmodSync("Dockerfile", 0o640);

    await run("--write", "Dockerfile");

    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_REWRITTEN);
    expect(statSync("Dockerfile").mode & 0o7777).toBe(0o640);
  });

  it("keeps CRLF line ends", async () => {
    writeBytes("Dockerfile", APT_FILE.replaceAll("\n", "\r\n"));

    await run("--write", "Dockerfile");

    expect(readFileSync("Dockerfile", "utf8")).toBe(
      APT_REWRITTEN.replaceAll("\n", "\r\n"),
    );
  });

  it("writes through a symlink to its target", async () => {
    writeBytes("real/Dockerfile", APT_FILE);
    mkdirSync("app");
    symlinkSync("../real/Dockerfile", "app/Dockerfile");

    const result = await run("--write", "app/Dockerfile");

    expect(result.code).toBe(0);
    expect(lstatSync("app/Dockerfile").isSymbolicLink()).toBe(true);
    expect(readlinkSync("app/Dockerfile")).toBe("../real/Dockerfile");
    expect(readFileSync("real/Dockerfile", "utf8")).toBe(APT_REWRITTEN);
  });

  it("leaves no temporary file behind", async () => {
    writeBytes("app/Dockerfile", APT_FILE);
    writeBytes("app/Containerfile", APT_FILE);

    await run("--write", "app");

    expect(listFolder(folder)).toEqual([
      "app",
      "app/Containerfile",
      "app/Dockerfile",
    ]);
  });

  it("leaves the file untouched when the write fails", async () => {
    writeBytes("Dockerfile", APT_FILE);
    writeBytes("Containerfile", APT_FILE);
    // A folder where the temporary file would go makes creating it fail,
    // even for root, who can write to a read-only folder.
    const blocker = `.Dockerfile.layerfix-${process.pid}.tmp`;
    mkdirSync(blocker);

    const result = await run("--write", "Dockerfile", "Containerfile");

    expect(result.code).toBe(2);
    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_FILE);
    expect(result.stderr).toContain("layerfix: Dockerfile: ");
    expect(statSync(blocker).isDirectory()).toBe(true);
    expect(readFileSync("Containerfile", "utf8")).toBe(APT_REWRITTEN);
  });
});

/** The uid and gid of `nobody`, to drop root's right to write anywhere. */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const hasSetpriv =
  spawnSync("setpriv", ["--version"], { encoding: "utf8" }).status === 0;

/**
 * Runs the command without root's right to write anywhere: as `nobody`
 * when the tests run as root, else as the current user.
 */
function spawnUnprivileged(args: string[]) {
  const command = [process.execPath, ...LAYERFIX, ...args];
  const dropped = isRoot
    ? [
        "setpriv",
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        ...command,
      ]
    : command;
  return spawnSync(dropped[0]!, dropped.slice(1), {
    cwd: folder,
    encoding: "utf8",
    env: { ...process.env, HOME: folder },
  });
}

describe.skipIf(isRoot && !hasSetpriv)(
  "layerfix --write without permission",
  () => {
    beforeEach(() => {
      chmodSync(folder, 0o755);
    });

    it("exits 2 and leaves a read-only folder untouched", () => {
      writeBytes("locked/Dockerfile", APT_FILE);
      chmodSync("locked", 0o555);
      if (isRoot) chownSync("locked/Dockerfile", NOBODY, NOBODY);

      const result = spawnUnprivileged(["--write", "locked/Dockerfile"]);

      chmodSync("locked", 0o755);
      expect(result.status).toBe(2);
      expect(result.stderr).not.toContain("    at ");
      expect(result.stderr).toContain("layerfix: locked/Dockerfile: ");
      expect(readFileSync("locked/Dockerfile", "utf8")).toBe(APT_FILE);
      expect(readdirSync("locked")).toEqual(["Dockerfile"]);
    });
  },
);

describe("layerfix on invalid input", () => {
  const GOOD_PATH = "good/Dockerfile";
  const BAD_PATH = "bad/Dockerfile";

  it.each([
    [
      "an empty file",
      "",
      "bad/Dockerfile:1:1: the file has no instructions. Add at least a `FROM` instruction, or pass a Dockerfile",
    ],
    [
      "a binary file",
      Buffer.from("FROM alpine\n\0\0\x01\x02\n"),
      "bad/Dockerfile: not a text file (it contains NUL bytes). Pass a Dockerfile",
    ],
    [
      "invalid UTF-8",
      Buffer.from("FROM alpine\nRUN echo \xff\xfe\n", "latin1"),
      "bad/Dockerfile: not valid UTF-8 text. Save the Dockerfile as UTF-8 and try again",
    ],
    [
      "an unterminated heredoc",
      "FROM alpine\nRUN <<EOF\necho hello\n",
      "bad/Dockerfile:2:1: the heredoc `EOF` has no closing line. Add a line that contains only `EOF`",
    ],
  ])(
    "reports %s in one line and rewrites the other file",
    async (_name, content, message) => {
      writeBytes(GOOD_PATH, APT_FILE);
      writeBytes(BAD_PATH, content);
      const before = readFileSync(BAD_PATH);

      const result = await run("--write", GOOD_PATH, BAD_PATH);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const errors = result.stderr
        .split("\n")
        .filter((line) => line.includes(BAD_PATH));
      expect(errors).toEqual([`layerfix: ${message}`]);
      expect(result.stderr).toMatch(
        /\nlayerfix: 1 change written to 1 of 2 files; 1 file with errors\n$/,
      );
      expect(readFileSync(BAD_PATH)).toEqual(before);
      expect(readFileSync(GOOD_PATH, "utf8")).toBe(APT_REWRITTEN);
      expect(listFolder("bad")).toEqual(["Dockerfile"]);
    },
  );

  it("reports a file of only comments in one line", async () => {
    writeBytes(GOOD_PATH, APT_FILE);
    writeBytes(BAD_PATH, "# syntax=docker/dockerfile:1\n# nothing else\n");

    const result = await run("--write", GOOD_PATH, BAD_PATH);

    expect(result.code).toBe(2);
    const errors = result.stderr
      .split("\n")
      .filter((line) => line.includes(BAD_PATH));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^layerfix: bad\/Dockerfile:\d+:\d+: the file has no instructions\. Add at least a `FROM` instruction, or pass a Dockerfile$/,
    );
    expect(readFileSync(GOOD_PATH, "utf8")).toBe(APT_REWRITTEN);
  });

  it("names a missing file and exits 2", async () => {
    const result = await run("--write", "missing/Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "layerfix: missing/Dockerfile: not found. Check the path\n" +
        "layerfix: no changes in 1 file; 1 file with errors\n",
    );
  });

  it("names a folder without a Dockerfile and exits 2", async () => {
    writeBytes("docs/README.md", "# Docs\n");

    const result = await run("docs");

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "layerfix: docs: no Dockerfile found in this folder (looked for " +
        "Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile). Pass a file path instead\n" +
        "layerfix: no changes in 1 file; 1 file with errors\n",
    );
  });
});

describe("layerfix folder search", () => {
  it("finds Dockerfiles by name and skips the rest", async () => {
    const found = [
      "Containerfile.prod",
      "Dockerfile",
      "a/x.Dockerfile",
      "a/y.dockerfile",
      "b/Dockerfile.dev",
      "b/c/Containerfile",
    ];
    const ignored = [
      "Dockerfile.dockerignore",
      "x.Dockerfile.dockerignore",
      "Dockerfile.j2",
      "Dockerfile.tmpl",
      "Dockerfile.in",
      "README.md",
      ".git/Dockerfile",
      "node_modules/pkg/Dockerfile",
    ];
    for (const path of [...found, ...ignored]) {
      writeBytes(join("repo", path), UNCHANGED_FILE);
    }
    writeBytes("elsewhere/Dockerfile", UNCHANGED_FILE);
    symlinkSync("../elsewhere", "repo/linked");

    const result = await run("--json", "repo");

    expect(result.code).toBe(0);
    const paths = JSON.parse(result.stdout).files.map(
      (file: { path: string }) => file.path,
    );
    expect(paths).toEqual(found.map((path) => `repo/${path}`));
  });

  it("finds a symlink to a Dockerfile", async () => {
    writeBytes("elsewhere/base.txt", APT_FILE);
    mkdirSync("repo");
    symlinkSync("../elsewhere/base.txt", "repo/Dockerfile");

    const result = await run("--json", "repo");

    const paths = JSON.parse(result.stdout).files.map(
      (file: { path: string }) => file.path,
    );
    expect(paths).toEqual(["repo/Dockerfile"]);
  });

  it("reads a file given by path whatever its name", async () => {
    writeBytes("Dockerfile.j2", APT_FILE);

    const result = await run("Dockerfile.j2");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "diff --git a/Dockerfile.j2 b/Dockerfile.j2\n",
    );
  });
});

describe("layerfix diff and git apply", () => {
  it("makes a patch that git apply turns into --print output", async () => {
    const files: Record<string, string> = {
      // No newline at the end of the file.
      Dockerfile:
        "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl",
      "sub dir/Dockerfile": APT_FILE.replaceAll("\n", "\r\n"),
      "sub dir/x.Dockerfile": APT_FILE,
    };
    for (const [path, text] of Object.entries(files)) writeBytes(path, text);
    expect(spawnSync("git", ["init", "-q", "."]).status).toBe(0);
    const expected: Record<string, string> = {};
    for (const path of Object.keys(files)) {
      expected[path] = (await run("--print", path)).stdout;
    }

    const piped = spawnSync(
      "sh",
      ["-c", '"$@" . | git apply', "sh", process.execPath, ...LAYERFIX],
      { cwd: folder, encoding: "utf8" },
    );

    expect(piped.stderr).not.toContain("error:");
    expect(piped.status).toBe(0);
    for (const path of Object.keys(files)) {
      expect(readFileSync(path, "utf8")).toBe(expected[path]);
      expect(expected[path]).not.toBe(files[path]);
    }
  });
});

describe("layerfix errors while reading and writing", () => {
  it("keeps a byte order mark when it writes", async () => {
    writeBytes("Dockerfile", "\uFEFF" + APT_FILE);

    await run("--write", "Dockerfile");

    expect(readFileSync("Dockerfile", "utf8")).toBe("\uFEFF" + APT_REWRITTEN);
  });

  it("makes a patch that git apply accepts for a file with a BOM", async () => {
    writeBytes("Dockerfile", "\uFEFF" + APT_FILE);
    expect(spawnSync("git", ["init", "-q", "."]).status).toBe(0);
    const patch = (await run("Dockerfile")).stdout;

    const applied = spawnSync("git", ["apply"], {
      input: patch,
      encoding: "utf8",
    });

    expect(applied.stderr).toBe("");
    expect(readFileSync("Dockerfile", "utf8")).toBe("\uFEFF" + APT_REWRITTEN);
  });

  it("rewrites the other files when a path is missing", async () => {
    writeBytes("good/Dockerfile", APT_FILE);

    const result = await run(
      "--write",
      "good/Dockerfile",
      "missing/Dockerfile",
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "layerfix: missing/Dockerfile: not found. Check the path\n",
    );
    expect(readFileSync("good/Dockerfile", "utf8")).toBe(APT_REWRITTEN);
  });

  it("rewrites the other files when a folder has no Dockerfile", async () => {
    writeBytes("good/Dockerfile", APT_FILE);
    writeBytes("docs/README.md", "# Docs\n");

    const result = await run("--write", "good", "docs");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("layerfix: docs: no Dockerfile found");
    expect(readFileSync("good/Dockerfile", "utf8")).toBe(APT_REWRITTEN);
  });

  it("reports a failed write as such, not as an internal error", async () => {
    writeBytes("Dockerfile", APT_FILE);
    mkdirSync(`.Dockerfile.layerfix-${process.pid}.tmp`);

    const result = await run("--write", "Dockerfile");

    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).not.toContain("please report this");
    expect(result.stderr).toContain("cannot write the rewritten file");
    expect(result.stderr).toContain("written to 0 of 1 file");
    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_FILE);
  });

  it.skipIf(isRoot && !hasSetpriv)(
    "names the permission problem for a read-only folder",
    () => {
      chmodSync(folder, 0o755);
      writeBytes("locked/Dockerfile", APT_FILE);
      chmodSync("locked", 0o555);

      const result = spawnUnprivileged(["--write", "locked/Dockerfile"]);

      chmodSync("locked", 0o755);
      expect(result.status).toBe(2);
      expect(result.stderr).not.toContain("internal error");
      expect(result.stderr).toContain("permission denied");
      expect(result.stderr).not.toContain("written to 1 of 1 file");
    },
  );

  it.skipIf(isRoot && !hasSetpriv)("leaves a read-only file untouched", () => {
    chmodSync(folder, 0o755);
    writeBytes("app/Dockerfile", APT_FILE);
    chmodSync("app/Dockerfile", 0o444);
    if (isRoot) {
      chownSync("app", NOBODY, NOBODY);
      chownSync("app/Dockerfile", NOBODY, NOBODY);
    }

    const result = spawnUnprivileged(["--write", "app/Dockerfile"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("layerfix: app/Dockerfile: ");
    expect(readFileSync("app/Dockerfile", "utf8")).toBe(APT_FILE);
  });

  it("exits quietly when the reader closes the pipe early", () => {
    for (let index = 0; index < 300; index++) {
      writeBytes(`many/${index}/Dockerfile`, APT_FILE);
    }

    const piped = spawnSync(
      "sh",
      ["-c", '"$@" many | head -n 1', "sh", process.execPath, ...LAYERFIX],
      { cwd: folder, encoding: "utf8" },
    );

    expect(piped.stdout).toBe(
      "diff --git a/many/0/Dockerfile b/many/0/Dockerfile\n",
    );
    expect(piped.stderr).not.toContain("    at ");
    expect(piped.stderr).not.toContain("EPIPE");
  });

  it("points the no-instructions error inside the file", async () => {
    writeBytes("Dockerfile", "# only\n# comments\n");

    const result = await run("Dockerfile");

    expect(result.stderr).toMatch(/^layerfix: Dockerfile:1:1: /);
  });
});

describe("layerfix option checks", () => {
  it("rejects an empty --only", async () => {
    writeBytes("Dockerfile", APT_FILE);
    expect((await run("--only", "", "Dockerfile")).code).toBe(2);
  });

  it("rejects an unknown option of transforms", async () => {
    expect((await run("transforms", "--bogus")).code).toBe(2);
  });

  it("rejects --check with --write", async () => {
    writeBytes("Dockerfile", APT_FILE);
    const result = await run("--check", "--write", "Dockerfile");
    expect(result.code).toBe(2);
    expect(readFileSync("Dockerfile", "utf8")).toBe(APT_FILE);
  });

  it("rejects --stdin-filepath without -", async () => {
    writeBytes("Dockerfile", APT_FILE);
    expect(
      (await run("--stdin-filepath", "x/Dockerfile", "Dockerfile")).code,
    ).toBe(2);
  });

  it("reads a file named twice once", async () => {
    writeBytes("Dockerfile", APT_FILE);
    const result = await run("Dockerfile", "./Dockerfile", ".");
    expect(result.stdout.match(/^diff --git/gm)).toHaveLength(1);
  });
});
