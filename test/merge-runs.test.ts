import { describe, expect, it } from "vitest";
import { optimize } from "../src/api.js";
import { mergeRuns } from "../transforms/merge-runs.js";

/** Runs merge-runs alone on a Dockerfile given as lines. */
async function merge(lines: string[]) {
  return optimize(lines.join("\n") + "\n", { transforms: [mergeRuns] });
}

function text(lines: string[]): string {
  return lines.join("\n") + "\n";
}

async function skipReasons(lines: string[]): Promise<string[]> {
  const result = await merge(lines);
  expect(result.output).toBe(text(lines));
  return result.skips.map((skip) => skip.reason);
}

describe("mergeRuns findings", () => {
  it("reports update RUN at its line", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "RUN apt-get install -y curl",
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.line).toBe(2);
    expect(result.findings[0]!.message).toBe(
      "`RUN apt-get update` runs in its own layer, apart from the install it serves",
    );
  });

  it("reports cleanup RUN at the install", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get install -y curl",
      "RUN apt-get clean",
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.line).toBe(2);
    expect(result.findings[0]!.message).toBe(
      "cleanup `RUN` removes files that the layer of the install before it keeps",
    );
  });

  it("ignores update in parent stage", async () => {
    const lines = [
      "FROM debian:bookworm AS base",
      "RUN apt-get update",
      "FROM base",
      "RUN apt-get install -y curl",
    ];
    const result = await merge(lines);
    expect(result.output).toBe(text(lines));
    expect(result.skips).toEqual([]);
  });

  it("ignores unrelated RUN pairs", async () => {
    const lines = ["FROM debian:bookworm", "RUN make", "RUN make install"];
    const result = await merge(lines);
    expect(result.findings).toEqual([]);
    expect(result.skips).toEqual([]);
  });
});

describe("mergeRuns rewrites", () => {
  it("merges flags in another order", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN --network=host --mount=type=cache,target=/var/cache/apt apt-get update",
      "RUN --mount=type=cache,target=/var/cache/apt --network=host apt-get install -y curl",
    ]);
    expect(result.output).toBe(
      text([
        "FROM debian:bookworm",
        "RUN --network=host --mount=type=cache,target=/var/cache/apt apt-get update && \\",
        "    apt-get install -y curl",
      ]),
    );
  });

  it("drops trailing semicolon of first RUN", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update;",
      "RUN apt-get install -y curl",
    ]);
    expect(result.output).toContain("RUN apt-get update && \\\n");
  });

  it("closes group after existing semicolon", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "RUN apt-get install -y curl;",
    ]);
    expect(result.output).toContain("    { apt-get install -y curl; }\n");
  });

  it("closes group before trailing comment", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "RUN apt-get install -y curl || true # optional",
    ]);
    expect(result.output).toContain(
      "    { apt-get install -y curl || true; } # optional\n",
    );
  });

  it("groups or-list with trailing redirection", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "RUN apt-get install -y curl || true > /dev/null",
    ]);
    expect(result.output).toContain(
      "    { apt-get install -y curl || true > /dev/null; }\n",
    );
  });

  it("isolates export in first RUN", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN export DEBIAN_FRONTEND=noninteractive && apt-get install -y curl",
      "RUN apt-get clean",
    ]);
    expect(result.output).toContain(
      "RUN ( export DEBIAN_FRONTEND=noninteractive && apt-get install -y curl ) && \\\n",
    );
  });

  it("moves comment after RUN keyword", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "RUN \\",
      "# tools",
      "    apt-get install -y curl",
    ]);
    expect(result.output).toBe(
      text([
        "FROM debian:bookworm",
        "# tools",
        "RUN apt-get update && \\",
        "    apt-get install -y curl",
      ]),
    );
  });

  it("merges three RUNs over passes", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get update",
      "# one",
      "RUN apt-get install -y curl",
      "# two",
      "RUN apt-get clean",
    ]);
    expect(result.output).toBe(
      text([
        "FROM debian:bookworm",
        "# one",
        "# two",
        "RUN apt-get update && \\",
        "    apt-get install -y curl && \\",
        "    apt-get clean",
      ]),
    );
    expect(result.findings).toHaveLength(2);
  });

  it("moves global pragma", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      "RUN apt-get install -y curl",
      "# hadolint global ignore=DL3008",
      "RUN apt-get clean",
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.output.split("\n")[1]).toBe(
      "# hadolint global ignore=DL3008",
    );
  });

  it("merges plain list under errexit", async () => {
    const result = await merge([
      "FROM debian:bookworm",
      'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]',
      "RUN apt-get install -y curl > /dev/null | tee /tmp/log",
      "RUN rm -rf /var/lib/apt/lists/*",
    ]);
    expect(result.findings).toHaveLength(1);
  });
});

describe("mergeRuns skip reasons", () => {
  const cases: [string, string[], string][] = [
    [
      "different flags",
      ["RUN --network=host apt-get update", "RUN apt-get install -y curl"],
      "the RUN instructions have different flags",
    ],
    [
      "mount flags in another order",
      [
        "RUN --mount=type=cache,target=/var/cache/apt --mount=type=tmpfs,target=/tmp apt-get update",
        "RUN --mount=type=tmpfs,target=/tmp --mount=type=cache,target=/var/cache/apt apt-get install -y curl",
      ],
      "the RUN instructions list their `--mount` flags in another order",
    ],
    [
      "exec form",
      ['RUN ["apt-get", "update"]', "RUN apt-get install -y curl"],
      "the RUN on line 2 uses the exec form, which runs no shell",
    ],
    [
      "heredoc",
      ["RUN apt-get update", "RUN <<EOF", "apt-get install -y curl", "EOF"],
      "the RUN on line 3 has a heredoc",
    ],
    [
      "ONBUILD",
      ["ONBUILD RUN apt-get update", "ONBUILD RUN apt-get install -y curl"],
      "the RUN on line 2 is an `ONBUILD` trigger, which runs in another build",
    ],
    [
      "instruction between",
      ["RUN apt-get update", "WORKDIR /app", "RUN apt-get install -y curl"],
      "`WORKDIR` on line 3 separates the RUN instructions",
    ],
    [
      "trailing ampersand",
      ["RUN apt-get install -y curl &", "RUN apt-get clean"],
      "the first RUN ends with `&`, so its last command would run beside the second RUN",
    ],
    [
      "background job",
      ["RUN sleep 60 & apt-get install -y curl", "RUN apt-get clean"],
      "a background job of the first RUN would keep running during the second",
    ],
    [
      "trailing comment",
      ["RUN apt-get update # lists", "RUN apt-get install -y curl"],
      "the first RUN ends with a comment, which would hide the `&&` after it",
    ],
    [
      "hidden continuation",
      ["RUN apt-get update", "RUN apt-get install -y curl # git \\", "    git"],
      "in the RUN on line 3, a `#` comment hides the continuation lines after it, so edits cannot rely on its offsets",
    ],
    [
      "pwsh",
      [
        'SHELL ["pwsh", "-Command"]',
        "RUN apt-get update",
        "RUN apt-get install -y curl",
      ],
      "`SHELL` runs `pwsh`, which is not a POSIX shell",
    ],
    [
      "unparseable text",
      ["RUN apt-get update", "RUN apt-get install -y curl && ("],
      "the shell text of the RUN on line 3 does not parse",
    ],
    [
      "joined words",
      ["RUN apt-get update", "RUN apt-get install -y curl\\ ", "git"],
      "in the RUN on line 3, a line continuation joins two words, so edits cannot rely on its offsets",
    ],
    [
      "DL3059 on second RUN",
      [
        "RUN apt-get update",
        "# hadolint ignore=DL3059",
        "RUN apt-get install -y curl",
      ],
      "an `ignore=` pragma for `DL3059` or `merge-runs` marks the second RUN",
    ],
    [
      "merge-runs pragma on second RUN",
      [
        "RUN apt-get update",
        "# layerfix ignore=merge-runs",
        "RUN apt-get install -y curl",
      ],
      "an `ignore=` pragma for `DL3059` or `merge-runs` marks the second RUN",
    ],
    [
      "other pragma",
      [
        "RUN apt-get install -y curl",
        "# layerfix ignore=apt-lists-cleanup",
        "RUN apt-get clean",
      ],
      "an `ignore=` pragma between the RUN instructions would cover the first RUN once they merge",
    ],
    [
      "state change under errexit",
      [
        'SHELL ["/bin/sh", "-e", "-c"]',
        "RUN cd /opt && pip install .",
        "RUN rm -rf /root/.cache",
      ],
      "`cd` changes the shell's state in the first RUN, and errexit is on, which a subshell on the left of `&&` would ignore",
    ],
    [
      "set -e in first RUN",
      ["RUN set -e; cd /opt; pip install .", "RUN rm -rf /root/.cache"],
      "`set` changes the shell's state in the first RUN, and errexit is on, which a subshell on the left of `&&` would ignore",
    ],
    [
      "compound command under errexit",
      [
        'SHELL ["/bin/sh", "-e", "-c"]',
        "RUN { apt-get update; apt-get install -y curl; }",
        "RUN apt-get clean",
      ],
      "errexit is on, and the compound command at the end of the first RUN would run without it on the left of `&&`",
    ],
  ];

  for (const [name, lines, reason] of cases) {
    it(`skips ${name}`, async () => {
      const reasons = await skipReasons(["FROM debian:bookworm", ...lines]);
      expect(reasons).toEqual([reason]);
    });
  }

  it("skips DL3059 on first RUN", async () => {
    const reasons = await skipReasons([
      "FROM debian:bookworm",
      "# hadolint ignore=DL3059",
      "RUN apt-get update",
      "RUN apt-get install -y curl",
    ]);
    expect(reasons).toEqual(["an `ignore=` pragma names this transform"]);
  });

  it("skips Windows base image", async () => {
    const reasons = await skipReasons([
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022",
      "RUN apt-get update",
      "RUN apt-get install -y curl",
    ]);
    expect(reasons).toEqual(["the base image is Windows"]);
  });

  it("skips backtick escape, unknown base", async () => {
    const reasons = await skipReasons([
      "# escape=`",
      "FROM example.com/base:1",
      "RUN apt-get update",
      "RUN apt-get install -y curl",
    ]);
    expect(reasons).toEqual([
      "the backtick escape suggests a Windows base image",
    ]);
  });
});
