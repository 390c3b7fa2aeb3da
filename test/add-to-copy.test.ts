import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { optimize } from "../src/api.js";
import { addToCopy } from "../transforms/add-to-copy.js";

const snapshots = join(import.meta.dirname, "..", "snapshots", "add-to-copy");

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "layerfix-add-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, content: string | Buffer): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Builds a tar archive that contains one empty file. */
function emptyTar(): Buffer {
  const header = Buffer.alloc(512);
  header.write("empty.txt", 0, "latin1");
  header.write("0000644\0", 100, "latin1");
  header.write("00000000000\0", 124, "latin1");
  header.write("0", 156, "latin1");
  header.write("ustar\x0000", 257, "latin1");
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return Buffer.concat([header, Buffer.alloc(1024)]);
}

async function run(
  text: string,
  options: { unsafe?: boolean; context?: string } = {},
) {
  return optimize(text, { transforms: [addToCopy], ...options });
}

describe("add-to-copy without a context", () => {
  const input = "FROM alpine\nADD app/ /srv/app/\n";

  it("withholds the edit by default", async () => {
    const result = await run(input);
    expect(result.output).toBe(input);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.safety).toBe("unsafe");
    expect(result.findings[0]!.applied).toBe(false);
  });

  it("says that no context was given", async () => {
    const [finding] = (await run(input)).findings;
    expect(finding!.message).toBe(
      "`ADD` may unpack a source, and no build context was given to check it",
    );
    expect(finding!.safetyNote).toBe(
      "no build context was given to check `app/` for a tar archive",
    );
  });

  it("applies the edit with unsafe", async () => {
    const result = await run(input, { unsafe: true });
    expect(result.output).toBe("FROM alpine\nCOPY app/ /srv/app/\n");
    expect(result.findings[0]!.applied).toBe(true);
  });

  it("still skips a URL", async () => {
    const result = await run(
      "FROM alpine\nADD https://example.com/a.sh /a.sh\n",
      {
        unsafe: true,
      },
    );
    expect(result.findings).toEqual([]);
    expect(result.skips[0]!.reason).toBe(
      "`https://example.com/a.sh` is a URL, which `ADD` downloads",
    );
  });
});

describe("add-to-copy with a context", () => {
  it("names the context in a safe finding", async () => {
    write("app/main.py", "print()\n");
    const result = await run("FROM alpine\nADD app/ /srv/app/\n", {
      context: root,
    });
    expect(result.output).toBe("FROM alpine\nCOPY app/ /srv/app/\n");
    expect(result.findings[0]!.safety).toBe("safe");
    expect(result.findings[0]!.message).toBe(
      `\`ADD\` unpacks none of its sources in the build context \`${root}\``,
    );
  });

  it("marks a missing source unsafe", async () => {
    const input = "FROM alpine\nADD settings.txt /etc/\n";
    const cautious = await run(input, { context: root });
    expect(cautious.output).toBe(input);
    expect(cautious.findings[0]!.safety).toBe("unsafe");
    expect(cautious.findings[0]!.message).toBe(
      `\`ADD\` may unpack a source in the build context \`${root}\``,
    );
    const bold = await run(input, { context: root, unsafe: true });
    expect(bold.output).toBe("FROM alpine\nCOPY settings.txt /etc/\n");
  });

  it("skips when one of several sources is a tar archive", async () => {
    write("data.bin", emptyTar());
    const input = "FROM alpine\nADD missing.txt data.bin /opt/\n";
    const result = await run(input, { context: root, unsafe: true });
    expect(result.output).toBe(input);
    expect(result.skips[0]!.reason).toBe(
      "`data.bin` is a tar archive, which `ADD` unpacks",
    );
  });

  it("skips a wildcard that matches an archive name", async () => {
    write("lib.txt", "text\n");
    write("lib.tar.gz", "not really\n");
    const input = "FROM alpine\nADD lib* /opt/\n";
    const result = await run(input, { context: root, unsafe: true });
    expect(result.output).toBe(input);
    expect(result.skips[0]!.reason).toContain(
      "`lib.tar.gz` is named like an archive",
    );
  });

  it("marks a quoted source unsafe", async () => {
    write("my app/main.py", "print()\n");
    const result = await run('FROM alpine\nADD "my app" /srv/\n', {
      context: root,
    });
    expect(result.findings[0]!.safety).toBe("unsafe");
    expect(result.findings[0]!.safetyNote).toContain("quotes or a backslash");
  });

  it("skips a flag that COPY lacks", async () => {
    write("repo/README", "text\n");
    const result = await run(
      "FROM alpine\nADD --keep-git-dir=true repo /src\n",
      {
        context: root,
        unsafe: true,
      },
    );
    expect(result.findings).toEqual([]);
    expect(result.skips[0]!.reason).toBe(
      "`--keep-git-dir` has no `COPY` equivalent",
    );
  });

  it("respects a layerfix pragma", async () => {
    write("app/main.py", "print()\n");
    const input =
      "FROM alpine\n# layerfix ignore=add-to-copy\nADD app/ /srv/\n";
    const result = await run(input, { context: root });
    expect(result.output).toBe(input);
  });
});

describe("add-to-copy in ONBUILD", () => {
  it("edits the trigger keyword with unsafe", async () => {
    write("app/main.py", "print()\n");
    const input = "FROM alpine\nONBUILD ADD app/ /srv/app/\n";
    const cautious = await run(input, { context: root });
    expect(cautious.output).toBe(input);
    expect(cautious.findings[0]!.message).toBe(
      "`ONBUILD ADD` may unpack a source in a later build",
    );
    const bold = await run(input, { context: root, unsafe: true });
    expect(bold.output).toBe("FROM alpine\nONBUILD COPY app/ /srv/app/\n");
  });

  it("keeps the trigger's case", async () => {
    const result = await run("FROM alpine\nonbuild add app/ /srv/\n", {
      unsafe: true,
    });
    expect(result.output).toBe("FROM alpine\nonbuild copy app/ /srv/\n");
  });

  it("skips a trigger on the next line", async () => {
    const input = "FROM alpine\nONBUILD \\\n  ADD app/ /srv/\n";
    const result = await run(input, { unsafe: true });
    expect(result.output).toBe(input);
    expect(result.skips[0]!.reason).toBe(
      "the `ADD` of this `ONBUILD` starts on a later line",
    );
  });
});

/** Skip reasons of the snapshot cases, which the runner does not check. */
const SKIP_REASONS: [string, string][] = [
  ["skips-archive-named-file", "`release.tar.gz` is named like an archive"],
  ["skips-checksum-flag", "`--checksum` has no `COPY` equivalent"],
  ["skips-git-source", "`git@github.com:moby/buildkit.git` is a Git address"],
  [
    "skips-gzip-compressed-tar",
    "`bundle.pkg` is a tar archive (gzip-compressed)",
  ],
  ["skips-gzip-named-gz", "`events.log.gz` is named like an archive"],
  ["skips-heredoc-source", "a heredoc gives the source"],
  ["skips-old-v7-tar", "`legacy.dat` is a tar archive, which `ADD` unpacks"],
  ["skips-tar-archive", "`vendor.tar` is named like an archive"],
  [
    "skips-tar-with-misleading-name",
    "`data.bin` is a tar archive, which `ADD` unpacks",
  ],
  ["skips-trigger-on-next-line", "starts on a later line"],
  ["skips-unpack-flag", "`--unpack` has no `COPY` equivalent"],
  ["skips-url-source", "is a URL, which `ADD` downloads"],
];

/** Safety notes of the snapshot cases whose finding is unsafe. */
const UNSAFE_NOTES: [string, string][] = [
  ["marks-unsafe-bzip2-content", "the file is bzip2-compressed"],
  ["marks-unsafe-ignored-source", "or its ignore file excludes it"],
  ["marks-unsafe-lfs-pointer", "`model.bin` is a Git LFS pointer"],
  ["marks-unsafe-link-outside-context", "leads outside the build context"],
  [
    "marks-unsafe-missing-source",
    "`settings.txt` is missing from the build context",
  ],
  [
    "marks-unsafe-onbuild-trigger",
    "an `ONBUILD` trigger runs in a later build",
  ],
  ["marks-unsafe-unmatched-wildcard", "`*.conf` matches nothing"],
  ["marks-unsafe-variable-source", "`$CONFIG` contains a variable"],
  ["marks-unsafe-without-context", "no build context was given"],
];

async function runCase(name: string, unsafe: boolean) {
  const input = readFileSync(
    join(snapshots, `${name}.input.Dockerfile`),
    "utf8",
  );
  const folder = join(snapshots, `${name}.context`);
  const context = existsSync(folder) ? folder : undefined;
  return { input, result: await run(input, { unsafe, context }) };
}

describe("add-to-copy snapshot reasons", () => {
  it.each(SKIP_REASONS)("%s gives its reason", async (name, reason) => {
    const { input, result } = await runCase(name, true);
    expect(result.output).toBe(input);
    expect(result.findings).toEqual([]);
    expect(result.skips[0]!.reason).toContain(reason);
  });

  it.each(UNSAFE_NOTES)("%s is unsafe with a note", async (name, note) => {
    const { input, result } = await runCase(name, true);
    expect(result.output).not.toBe(input);
    expect(result.findings[0]!.safety).toBe("unsafe");
    expect(result.findings[0]!.safetyNote).toContain(note);
  });
});
