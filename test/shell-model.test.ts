import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/parse/index.js";
import {
  readAptCommand,
  readsLists,
  removesLists,
  updatesLists,
} from "../src/shell/apt.js";
import { createShellAnalysis } from "../src/shell/analysis.js";
import { isCacheCleanup, isPackageInstall } from "../src/shell/commands.js";
import { loadShellParser } from "../src/shell/parser.js";
import { findStateChanges, setsErrexit } from "../src/shell/state.js";
import { buildStageGraph } from "../src/stages.js";

const parser = await loadShellParser();

function analyse(text: string) {
  const dockerfile = parseDockerfile(text);
  const analysis = createShellAnalysis(
    parser,
    dockerfile,
    buildStageGraph(dockerfile),
  );
  const runs = dockerfile.instructions.filter((item) => item.keyword === "RUN");
  return {
    dockerfile,
    analysis,
    runs,
    script: analysis.script(runs[runs.length - 1]!)!,
  };
}

describe("buildShellSource", () => {
  it("keeps offsets across continuations and dropped comment lines", () => {
    const { dockerfile, script } = analyse(
      "FROM debian\nRUN apt-get update \\\n  # note\n\n  && apt-get install -y curl\n",
    );
    const install = script.commands[1]!;
    expect(dockerfile.text.slice(install.range.start, install.range.end)).toBe(
      "apt-get install -y curl",
    );
    expect(script.statements).toHaveLength(1);
    expect(script.source.exact).toBe(true);
  });

  it("reads backtick continuations", () => {
    const { script } = analyse(
      "# escape=`\nFROM debian\nRUN apt-get update `\r\n && apt-get install -y curl\r\n",
    );
    expect(script.hasErrors).toBe(false);
    expect(script.commands.map((command) => command.name)).toEqual([
      "apt-get",
      "apt-get",
    ]);
  });

  it("marks words joined by a continuation as inexact", () => {
    const { script } = analyse("FROM debian\nRUN echo a\\  \nb\n");
    expect(script.source.exact).toBe(false);
  });

  it("marks a comment that hides continued lines as inexact", () => {
    const { script } = analyse("FROM debian\nRUN true # c \\\n  && false\n");
    expect(script.source.exact).toBe(false);
  });

  it("parses the body of a heredoc-only RUN", () => {
    const { script } = analyse(
      "FROM debian\nRUN <<EOF\n#!/bin/bash\napt-get update\nEOF\n",
    );
    expect(script.source.heredocBody).toBe(true);
    expect(script.source.shebang).toBe("/bin/bash");
    expect(script.commands[0]!.name).toBe("apt-get");
  });
});

describe("buildScript", () => {
  it("records operators and terminators of top-level lists", () => {
    const { script } = analyse("FROM debian\nRUN a && b || c; d &\n");
    expect(script.statements.map((statement) => statement.operators)).toEqual([
      ["&&", "||"],
      [],
    ]);
    expect(script.statements.map((statement) => statement.terminator)).toEqual([
      ";",
      "&",
    ]);
  });

  it("marks commands in subshells and pipelines as isolated", () => {
    const { script } = analyse(
      "FROM debian\nRUN (cd /x) && cd /y | cat && cd /z\n",
    );
    expect(script.commands.map((command) => command.isolated)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("removes quotes from static words", () => {
    const { script } = analyse("FROM debian\nRUN echo 'a b' \"c\"d $e\n");
    expect(script.commands[0]!.words.map((word) => word.value)).toEqual([
      "echo",
      "a b",
      "cd",
      undefined,
    ]);
  });
});

describe("findStateChanges", () => {
  it("finds builtins, assignments and functions", () => {
    const { script } = analyse(
      "FROM debian\nRUN cd /x && export A=1 && B=2 && f() { :; } && echo ok\n",
    );
    expect(findStateChanges(script).map((change) => change.what)).toEqual([
      "`cd` changes the shell's state",
      "`export` sets shell variables",
      "an assignment sets a shell variable",
      "the function `f` stays defined",
    ]);
  });

  it("ignores changes inside a subshell", () => {
    const { script } = analyse("FROM debian\nRUN (cd /x && make)\n");
    expect(findStateChanges(script)).toEqual([]);
  });

  it("detects errexit in a set option cluster", () => {
    expect(
      setsErrexit(analyse("FROM debian\nRUN set -eux; true\n").script),
    ).toBe(true);
    expect(
      setsErrexit(analyse("FROM debian\nRUN set -o errexit\n").script),
    ).toBe(true);
    expect(setsErrexit(analyse("FROM debian\nRUN set -x\n").script)).toBe(
      false,
    );
  });
});

describe("apt knowledge", () => {
  const commandsOf = (run: string) =>
    analyse(`FROM debian\nRUN ${run}\n`).script.commands;

  it("reads the action after options and wrappers", () => {
    const [command] = commandsOf(
      "sudo DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-confnew -y install curl",
    );
    const apt = readAptCommand(command!);
    expect(apt?.action).toBe("install");
    expect(readsLists(apt!)).toBe(true);
  });

  it("knows that update writes the lists", () => {
    const apt = readAptCommand(commandsOf("apt update")[0]!);
    expect(apt).toBeDefined();
    expect(updatesLists(apt!)).toBe(true);
  });

  it("knows which commands remove the lists", () => {
    expect(removesLists(commandsOf("rm -rf /var/lib/apt/lists/*")[0]!)).toBe(
      true,
    );
    expect(
      removesLists(commandsOf("rm -rf /var/lib/apt/lists/partial")[0]!),
    ).toBe(false);
  });

  it("classifies installs and cache cleanups", () => {
    const [install, clean, remove, other] = commandsOf(
      "apt-get install -y x; apt-get clean; rm -rf /root/.cache/pip; rm -rf /etc/x",
    );
    expect(isPackageInstall(install!)).toBe(true);
    expect(isCacheCleanup(clean!)).toBe(true);
    expect(isCacheCleanup(remove!)).toBe(true);
    expect(isCacheCleanup(other!)).toBe(false);
  });
});

describe("shellOf", () => {
  it("treats SHELL with bash and -e as POSIX with errexit", () => {
    const { analysis, runs } = analyse(
      'FROM debian\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN true\n',
    );
    expect(analysis.shellOf(runs[0]!)).toMatchObject({
      posix: true,
      errexit: true,
    });
  });

  it("treats PowerShell and Windows bases as non-POSIX", () => {
    const pwsh = analyse('FROM debian\nSHELL ["pwsh", "-Command"]\nRUN true\n');
    expect(pwsh.analysis.shellOf(pwsh.runs[0]!).posix).toBe(false);
    const windows = analyse(
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n",
    );
    expect(windows.analysis.shellOf(windows.runs[0]!).posix).toBe(false);
  });

  it("inherits the shell of the parent stage", () => {
    const { analysis, runs } = analyse(
      'FROM debian AS base\nSHELL ["pwsh", "-c"]\nFROM base\nRUN true\n',
    );
    expect(analysis.shellOf(runs[0]!).posix).toBe(false);
  });
});
