import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { optimize } from "../src/api.js";
import { parseDockerfile } from "../src/parse/index.js";
import { createShellAnalysis } from "../src/shell/analysis.js";
import type { SimpleCommand } from "../src/shell/model.js";
import { loadShellParser } from "../src/shell/parser.js";
import { buildStageGraph } from "../src/stages.js";
import { assignsCgoOff, goBuildOutput } from "../src/toolchain/go.js";
import {
  goRuntimeBase,
  nodeRuntimeBase,
  parseImageReference,
} from "../src/toolchain/image.js";
import { nodeScript, readNpmStep } from "../src/toolchain/node.js";
import { readStartCommand, workdirBefore } from "../src/toolchain/stage.js";
import { multiStage } from "../transforms/multi-stage.js";

const folder = join(import.meta.dirname, "..", "snapshots", "multi-stage");
const cases = readdirSync(folder)
  .filter((file) => file.endsWith(".input.Dockerfile"))
  .sort()
  .map((file) => ({
    name: file.slice(0, -".input.Dockerfile".length),
    input: readFileSync(join(folder, file), "utf8"),
  }));

function propose(text: string) {
  return optimize(text, { transforms: [multiStage], unsafe: true });
}

/** Parses `RUN <line>` and returns its last simple command. */
async function lastCommand(line: string): Promise<SimpleCommand> {
  const dockerfile = parseDockerfile(`FROM golang:1.22\nRUN ${line}\n`);
  const stages = buildStageGraph(dockerfile);
  const parser = await loadShellParser();
  const shell = createShellAnalysis(parser, dockerfile, stages);
  const script = shell.script(dockerfile.instructions[1]!);
  return script!.commands.at(-1)!;
}

function stageOf(text: string) {
  return parseDockerfile(text).instructions.slice(1);
}

describe("multiStage fixtures", () => {
  for (const { name, input } of cases.filter(({ name }) =>
    name.startsWith("skips-"),
  )) {
    it(`${name} reports one skip and no proposal`, async () => {
      const result = await propose(input);
      expect(result.proposals).toHaveLength(0);
      expect(result.skips).toHaveLength(1);
    });
  }

  it("has a skips- fixture for each skipsWhen clause", async () => {
    const reasons: string[] = [];
    for (const { name, input } of cases) {
      if (!name.startsWith("skips-")) continue;
      reasons.push(...(await propose(input)).skips.map((skip) => skip.reason));
    }
    for (const clause of multiStage.skipsWhen) {
      const matches = reasons.filter((reason) => reason.startsWith(clause));
      expect(matches, clause).toHaveLength(1);
    }
  });

  for (const { name, input } of cases.filter(
    ({ name }) => !name.startsWith("skips-"),
  )) {
    it(`${name} proposes one split`, async () => {
      const result = await propose(input);
      expect(result.output).toBe(input);
      expect(result.proposals).toHaveLength(1);
      const proposed = result.proposals[0]!.output;
      const froms = parseDockerfile(proposed).instructions.filter(
        (instruction) => instruction.keyword === "FROM",
      );
      expect(froms).toHaveLength(2);
      const again = await propose(proposed);
      expect(again.proposals).toHaveLength(0);
      expect(again.skips[0]!.reason).toBe(
        "the file already has more than one stage",
      );
    });
  }
});

describe("multiStage", () => {
  const goFile =
    "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" +
    'RUN go build -o /usr/local/bin/app .\nCMD ["app"]\n';

  it("reports the proposal at the FROM line", async () => {
    const [proposal] = (await propose(goFile)).proposals;
    expect(proposal!.line).toBe(1);
    expect(proposal!.safety).toBe("proposal");
    expect(proposal!.applied).toBe(false);
  });

  it("lists the checks in the safety note", async () => {
    const [proposal] = (await propose(goFile)).proposals;
    expect(proposal!.safetyNote).toMatch(/^Check before adopting: /);
    expect(proposal!.safetyNote).toContain("cgo");
    expect(proposal!.safetyNote).toContain("CA certificates");
    expect(proposal!.safetyNote).toContain("time zone");
    expect(proposal!.safetyNote).toContain("$BUILDPLATFORM");
  });

  it("names native modules in the Node.js safety note", async () => {
    const text =
      "FROM node:20\nWORKDIR /app\nCOPY . .\n" +
      'RUN npm ci && npm run build\nCMD ["node", "dist/main.js"]\n';
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.safetyNote).toContain("native modules");
  });

  it("drops a $BUILDPLATFORM flag from the runtime stage", async () => {
    const text = goFile.replace(
      "FROM golang",
      "FROM --platform=$BUILDPLATFORM golang",
    );
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.output).toContain("\nFROM debian:bookworm-slim\n");
  });

  it("keeps a fixed platform on the runtime stage", async () => {
    const text = goFile.replace(
      "FROM golang",
      "FROM --platform=linux/arm64 golang",
    );
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.output).toContain(
      "\nFROM --platform=linux/arm64 debian:bookworm-slim\n",
    );
  });

  it("gives copies the owner of the build step's user", async () => {
    const text =
      "FROM node:20\nUSER node\nWORKDIR /home/node/app\nCOPY . .\n" +
      'RUN npm ci && npm run build\nCMD ["node", "dist/main.js"]\n';
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.output).toContain(
      "COPY --from=build --chown=node /home/node/app/dist",
    );
  });

  it("keeps an existing stage name", async () => {
    const text = goFile.replace("golang:1.22", "golang:1.22 AS compile");
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.output).toContain("COPY --from=compile ");
    expect(proposal!.output).toContain("FROM golang:1.22 AS compile\n");
  });

  it("uses the JSON form for paths with blanks", async () => {
    const text = goFile
      .replace("/usr/local/bin/app", '"/opt/my app/app"')
      .replace('["app"]', '["/opt/my app/app"]');
    const [proposal] = (await propose(text)).proposals;
    expect(proposal!.output).toContain(
      'COPY --from=build ["/opt/my app/app", "/opt/my app/app"]',
    );
  });

  it("skips a relative output after cd", async () => {
    const text =
      "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" +
      'RUN cd cmd && go build -o app .\nCMD ["/src/cmd/app"]\n';
    const result = await propose(text);
    expect(result.proposals).toHaveLength(0);
    expect(result.skips[0]!.reason).toContain("`cd`");
  });

  it("ignores cd for an absolute output", async () => {
    const text = goFile.replace("RUN go", "RUN cd cmd && go");
    expect((await propose(text)).proposals).toHaveLength(1);
  });
});

describe("goBuildOutput", () => {
  const table: [string, ReturnType<typeof goBuildOutput>][] = [
    ["go build -o /bin/app .", { kind: "file", path: "/bin/app" }],
    ["go build -o=bin/app ./cmd/x", { kind: "file", path: "bin/app" }],
    ["go build --o bin/app .", { kind: "file", path: "bin/app" }],
    ['go build -ldflags "-s -w" -o app .', { kind: "file", path: "app" }],
    ["go build ./cmd/api", { kind: "file", path: "api" }],
    ["go build ./cmd/api/v2", { kind: "file", path: "api" }],
    ["go build example.com/tools/cmd/lint", { kind: "file", path: "lint" }],
    ["go build main.go util.go", { kind: "file", path: "main" }],
    ["go build ./...", { kind: "none" }],
    ["go build ./cmd/a ./cmd/b", { kind: "none" }],
    ["go build -o /dev/null .", { kind: "none" }],
    ["go test ./...", undefined],
    ["sudo go build -o /app .", { kind: "file", path: "/app" }],
  ];
  for (const [line, expected] of table) {
    it(`reads ${line}`, async () => {
      expect(goBuildOutput(await lastCommand(line))).toEqual(expected);
    });
  }

  const unknown = [
    "go build",
    "go build .",
    "go build -o $OUT .",
    "go build -o out/ .",
    "go build -C sub -o app .",
    "go build $PKG",
  ];
  for (const line of unknown) {
    it(`cannot tell the output of ${line}`, async () => {
      expect(goBuildOutput(await lastCommand(line))?.kind).toBe("unknown");
    });
  }
});

describe("assignsCgoOff", () => {
  it("finds an assignment before the command", () => {
    expect(assignsCgoOff("CGO_ENABLED=0 go build .")).toBe(true);
  });

  it("finds an export", () => {
    expect(assignsCgoOff("export CGO_ENABLED=0 && go build .")).toBe(true);
  });

  it("finds a quoted value", () => {
    expect(assignsCgoOff("CGO_ENABLED='0' go build .")).toBe(true);
  });

  it("ignores CGO_ENABLED=1", () => {
    expect(assignsCgoOff("CGO_ENABLED=1 go build .")).toBe(false);
  });

  it("ignores a longer name", () => {
    expect(assignsCgoOff("MY_CGO_ENABLED=0 go build .")).toBe(false);
  });
});

describe("readNpmStep", () => {
  const table: [string, ReturnType<typeof readNpmStep>][] = [
    ["npm ci", { kind: "install", action: "ci" }],
    ["npm ci --no-audit", { kind: "install", action: "ci" }],
    ["npm install", { kind: "install", action: "install" }],
    ["npm i", { kind: "install", action: "install" }],
    ["npm install express", undefined],
    ["npm run build", { kind: "build" }],
    ["npm run-script build", { kind: "build" }],
    ["npm run build -- --prod", { kind: "build" }],
    ["npm run lint", undefined],
    ["npm --prefix web run build", undefined],
    ["npm run build --workspace=web", undefined],
    ["yarn build", undefined],
  ];
  for (const [line, expected] of table) {
    it(`reads ${line}`, async () => {
      expect(readNpmStep(await lastCommand(line))).toEqual(expected);
    });
  }
});

describe("nodeScript", () => {
  it("returns the script", () => {
    expect(nodeScript(["node", "dist/main.js"])).toBe("dist/main.js");
  });

  it("skips options", () => {
    const argv = ["node", "--enable-source-maps", "dist/main.js"];
    expect(nodeScript(argv)).toBe("dist/main.js");
  });

  it("skips the value of --require", () => {
    const argv = ["/usr/local/bin/node", "-r", "dotenv/config", "build/x.js"];
    expect(nodeScript(argv)).toBe("build/x.js");
  });

  it("returns nothing for --eval", () => {
    expect(nodeScript(["node", "-e", "run()"])).toBeUndefined();
  });

  it("returns nothing for npm", () => {
    expect(nodeScript(["npm", "start"])).toBeUndefined();
  });
});

describe("nodeRuntimeBase", () => {
  const table: [string, string][] = [
    ["node:20", "node:20-slim"],
    ["node:20.11.1", "node:20.11.1-slim"],
    ["node:20-bookworm", "node:20-bookworm-slim"],
    ["node:lts", "node:lts-slim"],
    ["node", "node:slim"],
    ["node:latest", "node:slim"],
    ["node:20-alpine", "node:20-alpine"],
    ["node:20-slim", "node:20-slim"],
    ["node:alpine", "node:alpine"],
    ["node:${NODE_VERSION}", "node:${NODE_VERSION}"],
    ["node:20@sha256:0123", "node:20@sha256:0123"],
  ];
  for (const [build, runtime] of table) {
    it(`picks ${runtime} for ${build}`, () => {
      expect(nodeRuntimeBase(parseImageReference(build), build)).toBe(runtime);
    });
  }
});

describe("goRuntimeBase", () => {
  const dynamic = { staticBinary: false, needsShell: false };
  const table: [string, boolean, boolean, string][] = [
    ["golang:1.22", true, false, "gcr.io/distroless/static-debian12"],
    ["golang:1.22", true, true, "debian:bookworm-slim"],
    ["golang:1.22", false, false, "debian:bookworm-slim"],
    ["golang:1.22-bullseye", false, false, "debian:bullseye-slim"],
    ["golang:1.22-alpine3.19", false, false, "alpine:3.19"],
    ["golang:1.22-alpine", false, true, "alpine:3"],
  ];
  for (const [build, staticBinary, needsShell, runtime] of table) {
    it(`picks ${runtime} for ${build}`, () => {
      const needs = { ...dynamic, staticBinary, needsShell };
      expect(goRuntimeBase(parseImageReference(build), needs)).toBe(runtime);
    });
  }
});

describe("readStartCommand", () => {
  it("appends CMD to an exec-form ENTRYPOINT", () => {
    const start = readStartCommand(
      stageOf('FROM node\nENTRYPOINT ["node"]\nCMD ["dist/a.js"]\n'),
    );
    expect(start?.argv).toEqual(["node", "dist/a.js"]);
    expect(start?.shellForm).toBe(false);
  });

  it("ignores CMD after a shell-form ENTRYPOINT", () => {
    const start = readStartCommand(
      stageOf('FROM node\nENTRYPOINT exec /app -v\nCMD ["x"]\n'),
    );
    expect(start?.argv).toEqual(["/app", "-v"]);
    expect(start?.shellForm).toBe(true);
  });

  it("returns nothing without CMD or ENTRYPOINT", () => {
    expect(readStartCommand(stageOf("FROM node\nRUN true\n"))).toBeUndefined();
  });
});

describe("workdirBefore", () => {
  it("resolves relative directories", () => {
    const instructions = stageOf("FROM node\nWORKDIR /app\nWORKDIR web\n");
    expect(workdirBefore(instructions, Infinity, "/")).toBe("/app/web");
  });

  it("returns nothing after a variable", () => {
    const instructions = stageOf("FROM node\nWORKDIR $HOME\n");
    expect(workdirBefore(instructions, Infinity, "/")).toBeUndefined();
  });

  it("stops at the given instruction", () => {
    const instructions = stageOf("FROM node\nWORKDIR /a\nWORKDIR /b\n");
    expect(workdirBefore(instructions, 2, "/")).toBe("/a");
  });
});
