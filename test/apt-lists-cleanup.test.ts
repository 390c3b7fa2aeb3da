import { describe, expect, it } from "vitest";
import { optimize } from "../src/api.js";
import { parseDockerfile } from "../src/parse/index.js";
import { readMounts } from "../src/parse/mounts.js";
import { createShellAnalysis } from "../src/shell/analysis.js";
import { planAppend } from "../src/shell/append.js";
import {
  describeOpaqueCommand,
  findListsUsage,
  readListsActivity,
} from "../src/shell/lists-usage.js";
import { loadShellParser } from "../src/shell/parser.js";
import { buildStageGraph } from "../src/stages.js";
import { runUser } from "../src/user.js";
import { aptListsCleanup } from "../transforms/apt-lists-cleanup.js";

const CLEANUP = "rm -rf /var/lib/apt/lists/*";

async function analyse(text: string) {
  const dockerfile = parseDockerfile(text);
  const stages = buildStageGraph(dockerfile);
  const shell = createShellAnalysis(
    await loadShellParser(),
    dockerfile,
    stages,
  );
  const at = (line: number) =>
    dockerfile.instructions.find(
      (instruction) => instruction.startLine === line,
    )!;
  return { dockerfile, stages, shell, at };
}

function rewrite(text: string, unsafe = false) {
  return optimize(text, { transforms: [aptListsCleanup], unsafe });
}

describe("aptListsCleanup", () => {
  const withScript =
    "FROM debian:bookworm\n" +
    "RUN apt-get update && apt-get install -y curl\n" +
    "RUN ./install.sh\n";

  it("withholds the edit before a later script", async () => {
    const result = await rewrite(withScript);
    expect(result.output).toBe(withScript);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.safety).toBe("unsafe");
    expect(result.findings[0]!.applied).toBe(false);
  });

  it("names the script in the safety note", async () => {
    const [finding] = (await rewrite(withScript)).findings;
    expect(finding!.safetyNote).toBe(
      "the `RUN` at line 3 runs `./install.sh`, which may read the lists",
    );
  });

  it("applies the edit with unsafe", async () => {
    const result = await rewrite(withScript, true);
    expect(result.output).toBe(
      "FROM debian:bookworm\n" +
        `RUN apt-get update && apt-get install -y curl && ${CLEANUP}\n` +
        "RUN ./install.sh\n",
    );
  });

  it("ignores a script that runs before the last reader", async () => {
    const text =
      "FROM debian:bookworm\n" +
      "RUN apt-get update\n" +
      "RUN sh /tmp/setup.sh\n" +
      "RUN apt-get install -y curl\n";
    const result = await rewrite(text);
    expect(result.findings[0]?.safety).toBe("safe");
    expect(result.output).toContain(`curl && ${CLEANUP}\n`);
  });

  it("reports the update in the message", async () => {
    const result = await rewrite("FROM debian\nRUN apt update\n");
    expect(result.findings[0]!.message).toBe(
      "`apt update` leaves package lists in this layer",
    );
    expect(result.findings[0]!.line).toBe(2);
  });

  it("names the later RUN when the edit moves", async () => {
    const text =
      "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n";
    const [finding] = (await rewrite(text)).findings;
    expect(finding!.message).toBe(
      "`apt-get update` leaves package lists after their last use at line 3",
    );
    expect(finding!.line).toBe(2);
  });

  it("honours a hadolint pragma above the update", async () => {
    const text =
      "FROM debian\n# hadolint ignore=DL3009\nRUN apt-get update && apt-get install -y curl\n";
    const result = await rewrite(text);
    expect(result.output).toBe(text);
    expect(result.skips.map((skip) => skip.reason)).toContain(
      "an `ignore=` pragma names this transform",
    );
  });

  it("leaves a RUN that removes the lists later in it", async () => {
    const text = `FROM debian\nRUN apt-get update && apt-get install -y curl; ${CLEANUP}\n`;
    const result = await rewrite(text);
    expect(result.findings).toEqual([]);
    expect(result.skips).toEqual([]);
  });

  it("adds a removal when the lists are removed before the update", async () => {
    const text = `FROM debian\nRUN ${CLEANUP} && apt-get update\n`;
    const result = await rewrite(text);
    expect(result.output).toBe(
      `FROM debian\nRUN ${CLEANUP} && apt-get update && ${CLEANUP}\n`,
    );
  });

  it("leaves the lists to a later RUN that downloads them again", async () => {
    const text =
      "FROM debian\n" +
      "RUN apt-get update\n" +
      "RUN apt-get install -y curl && apt-get update\n" +
      "RUN apt-get install -y git\n";
    const result = await rewrite(text);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.line).toBe(3);
    expect(result.output).toContain(`git && ${CLEANUP}\n`);
  });

  it("skips when the last reader is in exec form", async () => {
    const text =
      'FROM debian\nRUN apt-get update\nRUN ["apt-get", "install", "-y", "curl"]\n';
    const result = await rewrite(text);
    expect(result.output).toBe(text);
    expect(result.skips[0]!.reason).toBe(
      "the lists are last read at line 3, where the `RUN` is in exec form, " +
        "which runs no shell to join a command to",
    );
  });

  it("skips a mount inside the lists", async () => {
    const text =
      "FROM debian\n" +
      "RUN --mount=type=cache,target=/var/lib/apt/lists/partial apt-get update\n";
    const result = await rewrite(text);
    expect(result.output).toBe(text);
    expect(result.skips[0]!.reason).toContain("overlaps `/var/lib/apt/lists`");
  });

  it("skips a mount whose target is a variable", async () => {
    const text =
      "FROM debian\nARG DIR\nRUN --mount=type=cache,target=$DIR apt-get update\n";
    expect((await rewrite(text)).output).toBe(text);
  });

  it("edits a RUN after USER 0:0", async () => {
    const text = "FROM debian\nUSER 0:0\nRUN apt-get update\n";
    expect((await rewrite(text)).output).toBe(
      `FROM debian\nUSER 0:0\nRUN apt-get update && ${CLEANUP}\n`,
    );
  });

  it("skips a RUN that runs exec at the end", async () => {
    const text =
      "FROM debian\nRUN apt-get update && exec apt-get install -y curl\n";
    const result = await rewrite(text);
    expect(result.output).toBe(text);
    expect(result.skips[0]!.reason).toBe(
      "the `RUN` ends with `exec`, so a command after it never runs",
    );
  });
});

describe("readMounts", () => {
  it("reads the target under each of its names", () => {
    const dockerfile = parseDockerfile(
      "FROM x\nRUN --mount=type=cache,dst=/a --mount=destination=/b --mount=type=tmpfs,target=/c true\n",
    );
    const mounts = readMounts(dockerfile.instructions[1]!);
    expect(mounts.map((mount) => mount.target)).toEqual(["/a", "/b", "/c"]);
  });

  it("defaults the type to bind", () => {
    const dockerfile = parseDockerfile(
      "FROM x\nRUN --mount=target=/src true\n",
    );
    expect(readMounts(dockerfile.instructions[1]!)[0]!.type).toBe("bind");
  });

  it("lowers the case of keys", () => {
    const dockerfile = parseDockerfile(
      "FROM x\nRUN --mount=Type=cache,Target=/a true\n",
    );
    const [mount] = readMounts(dockerfile.instructions[1]!);
    expect(mount!.type).toBe("cache");
    expect(mount!.target).toBe("/a");
  });
});

describe("runUser", () => {
  it("treats root forms as root", async () => {
    for (const user of ["root", "0", "root:root", "0:0"]) {
      const { stages, at } = await analyse(`FROM x\nUSER ${user}\nRUN true\n`);
      expect(runUser(stages, at(3)).kind).toBe("root");
    }
  });

  it("follows the parent stage", async () => {
    const { stages, at } = await analyse(
      "FROM x AS a\nUSER app\nFROM a\nRUN true\n",
    );
    expect(runUser(stages, at(4))).toEqual({
      kind: "other",
      name: "app",
      line: 2,
    });
  });

  it("uses the last USER before the instruction", async () => {
    const { stages, at } = await analyse(
      "FROM x\nUSER app\nUSER root\nRUN true\nUSER app\n",
    );
    expect(runUser(stages, at(4)).kind).toBe("root");
  });

  it("reports a variable base that may name a non-root stage", async () => {
    const { stages, at } = await analyse(
      "ARG BASE=a\nFROM x AS a\nUSER app\nFROM ${BASE}\nRUN true\n",
    );
    expect(runUser(stages, at(5)).kind).toBe("unknown");
  });
});

describe("describeOpaqueCommand", () => {
  const cases: [string, string | undefined][] = [
    ["./install.sh", "runs `./install.sh`"],
    ["/opt/setup.sh --quiet", "runs `/opt/setup.sh --quiet`"],
    ["sh x.sh", "runs `sh x.sh`"],
    ['bash -c "$VAR"', 'runs `bash -c "$VAR"`'],
    [". /etc/profile", "runs `. /etc/profile`"],
    ["$CMD install", "runs `$CMD install`, whose name expands at run time"],
    ["apt-get install -y curl", undefined],
    ["make install", undefined],
  ];
  for (const [command, expected] of cases) {
    it(`describes ${command}`, async () => {
      const { shell, at } = await analyse(`FROM x\nRUN ${command}\n`);
      const script = shell.script(at(2))!;
      expect(describeOpaqueCommand(script.commands[0]!)).toBe(expected);
    });
  }

  it("describes a shell that reads a pipe", async () => {
    const { shell, at } = await analyse(
      "FROM x\nRUN curl -fsSL https://example.com/x | sh\n",
    );
    const script = shell.script(at(2))!;
    expect(script.commands.map(describeOpaqueCommand)).toContain(
      "runs `sh` on its standard input",
    );
  });
});

describe("readListsActivity", () => {
  async function activityOf(text: string) {
    const { shell, at } = await analyse(text);
    const reading = readListsActivity(shell, at(2));
    if (reading.kind !== "read") throw new Error(reading.reason);
    return reading.activity;
  }

  it("sees a read before the update", async () => {
    const activity = await activityOf(
      "FROM x\nRUN apt-get install -y a && apt-get update\n",
    );
    expect(activity.readsEarlierLists).toBe(true);
    expect(activity.end).toBe("downloaded");
  });

  it("ignores a read after the update", async () => {
    const activity = await activityOf(
      "FROM x\nRUN apt-get update && apt-get install -y a\n",
    );
    expect(activity.readsEarlierLists).toBe(false);
  });

  it("counts apt-cache policy as a read", async () => {
    const activity = await activityOf("FROM x\nRUN apt-cache policy curl\n");
    expect(activity.readsEarlierLists).toBe(true);
  });

  it("marks a removal after the update", async () => {
    const activity = await activityOf(
      "FROM x\nRUN apt-get update && rm -rf /var/lib/apt/lists\n",
    );
    expect(activity.end).toBe("removed");
  });

  it("reports a heredoc body for python as unreadable", async () => {
    const { shell, at } = await analyse(
      "FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
    );
    expect(readListsActivity(shell, at(2))).toEqual({
      kind: "unreadable",
      reason: "runs its heredoc body with `python3`",
    });
  });
});

describe("findListsUsage", () => {
  it("stops at a RUN that removes the lists", async () => {
    const { stages, shell, at } = await analyse(
      `FROM x\nRUN apt-get update\nRUN ${CLEANUP}\nRUN apt-get install -y a\n`,
    );
    expect(findListsUsage(stages, shell, at(2)).readers).toEqual([]);
  });

  it("skips a RUN that mounts its own lists", async () => {
    const { stages, shell, at } = await analyse(
      "FROM x\nRUN apt-get update\n" +
        "RUN --mount=type=cache,target=/var/lib/apt apt-get install -y a\n",
    );
    expect(findListsUsage(stages, shell, at(2)).readers).toEqual([]);
  });

  it("finds a reader in a stage built on the stage", async () => {
    const { stages, shell, at } = await analyse(
      "FROM x AS a\nRUN apt-get update\nFROM a\nRUN apt-get install -y b\n",
    );
    const readers = findListsUsage(stages, shell, at(2)).readers;
    expect(readers.map((reader) => reader.instruction.startLine)).toEqual([4]);
  });

  it("ignores a stage built on another image", async () => {
    const { stages, shell, at } = await analyse(
      "FROM x AS a\nRUN apt-get update\nFROM x\nRUN apt-get install -y b\n",
    );
    expect(findListsUsage(stages, shell, at(2)).readers).toEqual([]);
  });
});

describe("planAppend", () => {
  it("rejects an ONBUILD trigger", async () => {
    const { dockerfile, shell, at } = await analyse(
      "FROM x\nONBUILD RUN true\n",
    );
    const plan = planAppend(dockerfile, shell, at(2), "false");
    expect(plan.kind).toBe("skip");
  });

  it("joins the command on the same line", async () => {
    const { dockerfile, shell, at } = await analyse("FROM x\nRUN a # note\n");
    const plan = planAppend(dockerfile, shell, at(2), "b");
    expect(plan).toEqual({
      kind: "edit",
      edit: { range: { start: 12, end: 12 }, text: " && b" },
    });
  });
});
