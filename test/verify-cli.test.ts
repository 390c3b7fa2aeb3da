import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { main } from "../src/cli/main.js";
import {
  VERIFY_USAGE,
  parseVerifyOptions,
  runVerifyCommand,
} from "../src/cli/verify.js";
import { UsageError } from "../src/cli/options.js";
import type { DockerClient } from "../src/docker/client.js";
import { ImageReadError } from "../src/image/index.js";
import {
  EngineUnavailableError,
  connectDocker,
  verifyRewrite,
} from "../src/verify/index.js";
import { transforms } from "../transforms/index.js";
import {
  imageConfig,
  layer,
  packDirectory,
  writeLegacyImage,
} from "./helpers/image-archive.js";
import type { TarEntrySpec } from "./helpers/image-tar.js";

/**
 * A fake Docker client: a shell script that handles the commands verify
 * runs. A build of the file in FAKE_ORIGINAL "makes" original.tar (or
 * original-again.tar on its second build, when that file exists), any
 * other file makes rewritten.tar. Each tag is a file under tags/, so the
 * test sees which images were left behind. Every call is logged.
 */
const FAKE_DOCKER = `#!/bin/sh
state="$FAKE_STATE"
echo "$*" >> "$state/calls.log"
case "$1" in
  --version) echo "Docker version 20.10.24+dfsg1, build 297e128"; exit 0 ;;
  buildx) echo "docker: 'buildx' is not a docker command." >&2; exit 1 ;;
  version)
    if [ -n "$FAKE_ENGINE_DOWN" ]; then
      echo "Cannot connect to the Docker daemon at $DOCKER_HOST." >&2
      exit 1
    fi
    echo '{"Version":"20.10.24+dfsg1"}'
    exit 0 ;;
  build)
    file=""; tag=""; iid=""; previous=""
    for arg in "$@"; do
      case "$previous" in
        --file) file="$arg" ;;
        --tag) tag="$arg" ;;
        --iidfile) iid="$arg" ;;
      esac
      previous="$arg"
    done
    if [ "$file" = "$FAKE_ORIGINAL" ]; then
      kind=original
      if [ -e "$state/original-built" ] && [ -e "$state/original-again.tar" ]; then
        kind=original-again
      fi
      touch "$state/original-built"
    else
      kind=rewritten
      cp "$file" "$state/rewritten.Dockerfile"
      if [ -e "$file.dockerignore" ]; then
        cp "$file.dockerignore" "$state/rewritten.dockerignore"
      fi
    fi
    echo "#1 [internal] load build definition from $(basename "$file")" >&2
    echo "#5 [2/2] RUN step for $kind" >&2
    if [ "$FAKE_FAIL" = "$kind" ]; then
      echo "#5 0.2 E: Unable to locate package hello" >&2
      echo "#5 ERROR: executor failed running: exit code: 100" >&2
      exit 1
    fi
    echo "$kind" > "$state/tags/$tag"
    echo "sha256:$kind" > "$iid"
    exit 0 ;;
  image)
    case "$2" in
      save)
        if [ ! -e "$state/tags/$5" ]; then
          echo "Error: No such image: $5" >&2
          exit 1
        fi
        cp "$state/$(cat "$state/tags/$5").tar" "$4"
        exit 0 ;;
      rm)
        shift 2
        for ref in "$@"; do rm -f "$state/tags/$ref"; done
        exit 0 ;;
    esac ;;
esac
echo "fake docker: unexpected arguments: $*" >&2
exit 1
`;

const SPLIT_APT =
  "FROM debian:bookworm\n" +
  "RUN apt-get update\n" +
  "RUN apt-get install -y --no-install-recommends hello\n" +
  "RUN apt-get clean && rm -rf /var/lib/apt/lists/*\n";

const base: TarEntrySpec[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/hostname", content: "box\n" },
  { name: "var/", type: "directory" },
  { name: "var/lib/", type: "directory" },
  { name: "var/lib/apt/", type: "directory" },
  { name: "var/lib/apt/lists/", type: "directory" },
  { name: "var/log/", type: "directory" },
];
const hello: TarEntrySpec = {
  name: "usr/bin/hello",
  content: "binary",
  mode: 0o755,
};
const dpkgLog = (text: string): TarEntrySpec => ({
  name: "var/log/dpkg.log",
  content: text,
});
const lists: TarEntrySpec = {
  name: "var/lib/apt/lists/packages",
  content: Buffer.alloc(1000, 1),
};

const originalLayers = [
  base,
  [lists, dpkgLog("first")],
  [hello],
  [{ name: "var/lib/apt/lists/.wh.packages" }],
];
const rewrittenLayers = [base, [hello, dpkgLog("second")]];

const root = mkdtempSync(join(tmpdir(), "layerfix-verify-cli-"));
let caseNumber = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** One test's user folder, fake client state and captured output. */
interface Setup {
  folder: string;
  dockerfile: string;
  state: string;
  docker: string;
  env: NodeJS.ProcessEnv;
  stdout: string[];
  stderr: string[];
  run(args: string[]): Promise<number>;
  calls(): string[];
  tags(): string[];
}

function setUp(
  dockerfileText = SPLIT_APT,
  images: Record<string, TarEntrySpec[][]> = {
    original: originalLayers,
    rewritten: rewrittenLayers,
  },
  config: Record<string, unknown> = { Cmd: ["hello"] },
): Setup {
  caseNumber += 1;
  const folder = join(root, `case-${caseNumber}`, "app");
  const state = join(root, `case-${caseNumber}`, "state");
  mkdirSync(folder, { recursive: true });
  mkdirSync(join(state, "tags"), { recursive: true });
  const dockerfile = join(folder, "Dockerfile");
  writeFileSync(dockerfile, dockerfileText);
  const docker = join(state, "docker");
  writeFileSync(docker, FAKE_DOCKER);
  chmodSync(docker, 0o755);
  for (const [name, layers] of Object.entries(images)) {
    writeArchive(join(state, `${name}.tar`), layers, config);
  }

  const setup: Setup = {
    folder,
    dockerfile,
    state,
    docker,
    env: {
      PATH: process.env.PATH,
      FAKE_STATE: state,
      FAKE_ORIGINAL: dockerfile,
      DOCKER_HOST: "unix:///fake.sock",
    },
    stdout: [],
    stderr: [],
    run: (args) =>
      runVerifyCommand(
        args,
        {
          stdout: (text) => setup.stdout.push(text),
          stderr: (text) => setup.stderr.push(text),
        },
        setup.env,
      ),
    calls: () =>
      existsSync(join(state, "calls.log"))
        ? readFileSync(join(state, "calls.log"), "utf8").trim().split("\n")
        : [],
    tags: () => readdirSync(join(state, "tags")),
  };
  return setup;
}

function writeArchive(
  path: string,
  layers: TarEntrySpec[][],
  config: Record<string, unknown>,
): void {
  const folder = mkdtempSync(join(root, "archive-"));
  const testLayers = layers.map((entries) => layer(entries));
  writeLegacyImage(folder, testLayers, imageConfig(testLayers, { config }), [
    "example:latest",
  ]);
  packDirectory(folder, path);
}

const buildCalls = (setup: Setup) =>
  setup.calls().filter((call) => call.startsWith("build "));

describe("parseVerifyOptions", () => {
  it("reads every option", () => {
    const options = parseVerifyOptions([
      "app/Dockerfile",
      "--context",
      "/src",
      "--target",
      "runtime",
      "--build-arg",
      "A=1",
      "--build-arg",
      "B",
      "--platform",
      "linux/amd64",
      "--secret",
      "id=token,src=token.txt",
      "--ssh",
      "default",
      "--build-context",
      "base=docker-image://debian:bookworm",
      "--unsafe",
      "--only",
      "merge-runs,apt-lists-cleanup",
      "--skip",
      "add-to-copy",
      "--noise",
      "--docker",
      "/usr/bin/docker",
      "--json",
      "--keep-images",
    ]);

    expect(options).toEqual({
      dockerfile: "app/Dockerfile",
      context: "/src",
      target: "runtime",
      buildArgs: ["A=1", "B"],
      platform: "linux/amd64",
      secrets: ["id=token,src=token.txt"],
      ssh: ["default"],
      buildContexts: ["base=docker-image://debian:bookworm"],
      unsafe: true,
      only: ["merge-runs", "apt-lists-cleanup"],
      skip: ["add-to-copy"],
      noise: true,
      docker: "/usr/bin/docker",
      json: true,
      keepImages: true,
      help: false,
    });
  });

  it("defaults the context to the Dockerfile's folder", () => {
    const options = parseVerifyOptions(["/src/app/Dockerfile"]);
    expect(options.context).toBe("/src/app");
    expect(options.noise).toBe(false);
    expect(options.only).toBeUndefined();
  });

  it.each([
    [[], "no Dockerfile given"],
    [["a", "b"], "verify takes one Dockerfile, and 2 were given"],
    [["Dockerfile", "--frobnicate"], "--frobnicate"],
    [["Dockerfile", "--build-arg", "=1"], "invalid --build-arg `=1`"],
    [["Dockerfile", "--target"], "--target"],
  ])("rejects %j", (args, message) => {
    expect(() => parseVerifyOptions(args)).toThrow(UsageError);
    expect(() => parseVerifyOptions(args)).toThrow(message);
  });

  it("accepts --help alone", () => {
    expect(parseVerifyOptions(["--help"]).help).toBe(true);
  });
});

describe("runVerifyCommand", () => {
  let setup: Setup;

  beforeEach(() => {
    setup = setUp();
  });

  it("prints the usage for --help", async () => {
    expect(await setup.run(["--help"])).toBe(0);
    expect(setup.stdout.join("")).toBe(VERIFY_USAGE);
  });

  it("passes a matching rewrite with exit 0", async () => {
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const stdout = setup.stdout.join("");

    expect(code).toBe(0);
    expect(stdout).toContain("Result          identical:");
    expect(stdout).toContain("Differences     none");
    expect(stdout).toMatch(/^\s+\/var\/log\/dpkg\.log$/m);
    expect(stdout).toContain("Removed caches  merge-runs: 1.0 kB");
    expect(setup.stderr.join("")).toContain(
      "the rewritten image matches the original",
    );
  });

  it("prints progress on stderr", async () => {
    await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const lines = setup.stderr.join("").split("\n");

    expect(lines).toContain("building original");
    expect(lines).toContain("building original: [2/2] RUN step for original");
    expect(lines).toContain("saving original image");
    expect(lines).toContain("reading original image");
    expect(lines).toContain("building rewritten: [2/2] RUN step for rewritten");
    expect(lines.some((line) => line.includes("[internal]"))).toBe(false);
  });

  it("builds without cache and removes its images", async () => {
    await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const builds = buildCalls(setup);

    expect(builds).toHaveLength(2);
    for (const call of builds) expect(call).toContain("--no-cache");
    expect(setup.tags()).toEqual([]);
    expect(setup.calls().some((call) => call.startsWith("image rm "))).toBe(
      true,
    );
  });

  it("builds the rewritten file outside the user's folder", async () => {
    writeFileSync(`${setup.dockerfile}.dockerignore`, "secrets/\n");
    await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const rewrittenCall = buildCalls(setup)[1] ?? "";
    const file = /--file (\S+)/.exec(rewrittenCall)?.[1] ?? "";

    expect(file.startsWith(setup.folder)).toBe(false);
    expect(file.endsWith("/Dockerfile")).toBe(true);
    expect(rewrittenCall.endsWith(` ${setup.folder}`)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(setup.folder).sort()).toEqual([
      "Dockerfile",
      "Dockerfile.dockerignore",
    ]);
    expect(readFileSync(setup.dockerfile, "utf8")).toBe(SPLIT_APT);
    expect(
      readFileSync(join(setup.state, "rewritten.Dockerfile"), "utf8"),
    ).toContain("RUN apt-get update && \\\n");
    expect(
      readFileSync(join(setup.state, "rewritten.dockerignore"), "utf8"),
    ).toBe("secrets/\n");
  });

  it("passes build options to every build", async () => {
    await setup.run([
      setup.dockerfile,
      "--docker",
      setup.docker,
      "--build-arg",
      "VERSION=1",
      "--target",
      "final",
      "--secret",
      "id=token",
      "--ssh",
      "default",
      "--platform",
      "linux/amd64",
    ]);
    for (const call of buildCalls(setup)) {
      expect(call).toContain("--build-arg VERSION=1");
      expect(call).toContain("--target final");
      expect(call).toContain("--secret id=token");
      expect(call).toContain("--ssh default");
      expect(call).toContain("--platform linux/amd64");
    }
  });

  it("keeps the images with --keep-images", async () => {
    const code = await setup.run([
      setup.dockerfile,
      "--docker",
      setup.docker,
      "--keep-images",
    ]);

    expect(code).toBe(0);
    expect(setup.tags()).toHaveLength(2);
    expect(setup.stderr.join("")).toContain("kept images layerfix-verify:");
  });

  it("lists only built images as kept", async () => {
    setup.env.FAKE_FAIL = "rewritten";
    await setup.run([
      setup.dockerfile,
      "--docker",
      setup.docker,
      "--keep-images",
    ]);
    const stderr = setup.stderr.join("");

    expect(setup.tags()).toHaveLength(1);
    expect(stderr).toMatch(/kept images layerfix-verify:\w+-original\n/);
    expect(stderr).not.toContain("-rewritten\n");
  });

  it("prints JSON with --json", async () => {
    const code = await setup.run([
      setup.dockerfile,
      "--docker",
      setup.docker,
      "--json",
    ]);
    const document = JSON.parse(setup.stdout.join(""));

    expect(code).toBe(0);
    expect(document.format).toBe(1);
    expect(document.outcome).toBe("identical");
    expect(document.builds).toHaveLength(2);
    expect(document.noise.paths).toEqual(["/var/log/dpkg.log"]);
    expect(document.saving.bytes).toBeGreaterThan(0);
  });

  it("measures noise with --noise", async () => {
    const again = [
      base,
      [lists, dpkgLog("third")],
      [hello],
      originalLayers[3]!,
    ];
    setup = setUp(SPLIT_APT, {
      original: originalLayers,
      "original-again": again,
      rewritten: rewrittenLayers,
    });
    const code = await setup.run([
      setup.dockerfile,
      "--docker",
      setup.docker,
      "--noise",
      "--json",
    ]);
    const document = JSON.parse(setup.stdout.join(""));

    expect(code).toBe(0);
    expect(buildCalls(setup)).toHaveLength(3);
    expect(document.noise.source).toBe("measured");
    expect(document.noise.patterns).toEqual(["/var/log/dpkg.log"]);
    expect(document.builds.map((b: { label: string }) => b.label)).toEqual([
      "original",
      "original again",
      "rewritten",
    ]);
    expect(setup.tags()).toEqual([]);
  });

  it("exits 1 and names a differing path", async () => {
    const changed = [base, [{ ...hello, mode: 0o644 }, dpkgLog("second")]];
    setup = setUp(SPLIT_APT, { original: originalLayers, rewritten: changed });
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);

    expect(code).toBe(1);
    expect(setup.stdout.join("")).toContain(
      "changed  /usr/bin/hello: mode 0755 -> 0644",
    );
    expect(setup.stderr.join("")).toContain(
      "differs from the original in 1 path, listed in the report",
    );
  });

  it("exits 2 with the log when the original fails", async () => {
    setup.env.FAKE_FAIL = "original";
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const stderr = setup.stderr.join("");

    expect(code).toBe(2);
    expect(stderr).toContain("the original Dockerfile does not build");
    expect(stderr).toContain("E: Unable to locate package hello");
    expect(buildCalls(setup)).toHaveLength(1);
    expect(setup.stdout.join("")).toContain("Result          original-failed");
  });

  it("exits 1 when the rewritten file fails", async () => {
    setup.env.FAKE_FAIL = "rewritten";
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const stderr = setup.stderr.join("");

    expect(code).toBe(1);
    expect(stderr).toContain("the rewritten Dockerfile does not build");
    expect(stderr).toContain("E: Unable to locate package hello");
    expect(setup.tags()).toEqual([]);
    expect(stderr).toContain("Pass `--skip merge-runs` to keep this build");
    expect(stderr).toContain("please report the Dockerfile");
  });

  it("builds nothing when nothing changes", async () => {
    setup = setUp('FROM debian:bookworm\nCMD ["hello"]\n');
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);

    expect(code).toBe(0);
    expect(buildCalls(setup)).toEqual([]);
    expect(setup.stderr.join("")).toContain("nothing to rewrite in");
    expect(setup.stdout.join("")).toContain("Result          unchanged");
  });

  it("exits 2 when the engine does not respond", async () => {
    setup.env.FAKE_ENGINE_DOWN = "1";
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);
    const stderr = setup.stderr.join("");

    expect(code).toBe(2);
    expect(stderr).toContain(`does not respond to \`${setup.docker}\``);
    expect(stderr).toContain("DOCKER_HOST=unix:///fake.sock");
    expect(stderr).toContain("--docker");
    expect(buildCalls(setup)).toEqual([]);
  });

  it("exits 2 for a missing client", async () => {
    const missing = join(setup.state, "missing", "docker");
    const code = await setup.run([setup.dockerfile, "--docker", missing]);

    expect(code).toBe(2);
    expect(setup.stderr.join("")).toContain(`\`${missing}\` from --docker`);
  });

  it("exits 2 for a missing Dockerfile", async () => {
    const missing = join(setup.folder, "Missing.Dockerfile");
    const code = await setup.run([missing, "--docker", setup.docker]);

    expect(code).toBe(2);
    expect(setup.stderr.join("")).toContain(`${missing}: not found`);
  });

  it("exits 2 for an unknown transform", async () => {
    const code = await setup.run([setup.dockerfile, "--only", "squash"]);

    expect(code).toBe(2);
    expect(setup.stderr.join("")).toContain("unknown transform `squash`");
    expect(setup.stderr.join("")).toContain("layerfix verify --help");
  });

  it("exits 2 for a Dockerfile that does not parse", async () => {
    setup = setUp("FROM debian:bookworm\nENV A\n");
    const code = await setup.run([setup.dockerfile, "--docker", setup.docker]);

    expect(code).toBe(2);
    expect(setup.stderr.join("")).toContain(`${setup.dockerfile}:2:1:`);
    expect(buildCalls(setup)).toEqual([]);
  });
});

describe("verifyRewrite", () => {
  const client = (setup: Setup): DockerClient => ({
    path: setup.docker,
    version: "20.10.24+dfsg1",
    builder: "built-in",
    needsLoad: false,
    env: { ...setup.env, DOCKER_BUILDKIT: "1" },
  });
  const options = (setup: Setup) => ({
    dockerfile: setup.dockerfile,
    context: setup.folder,
    transforms,
    unsafe: false,
    noise: false,
    client: client(setup),
  });

  it("removes images and files when a step throws", async () => {
    const setup = setUp(SPLIT_APT, { original: originalLayers });
    const run = verifyRewrite(options(setup));

    // The fake saves nothing for the rewritten image, so reading it fails.
    await expect(run).rejects.toThrow(ImageReadError);
    const file = /--file (\S+)/.exec(buildCalls(setup)[1] ?? "")?.[1] ?? "";
    expect(file).not.toBe("");
    expect(existsSync(file)).toBe(false);
    expect(setup.tags()).toEqual([]);
  });

  it("stops and cleans up when aborted", async () => {
    const setup = setUp();
    const controller = new AbortController();
    const run = verifyRewrite({
      ...options(setup),
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === "read") controller.abort();
      },
    });

    await expect(run).rejects.toThrow();
    expect(controller.signal.aborted).toBe(true);
    expect(buildCalls(setup)).toHaveLength(1);
    expect(setup.tags()).toEqual([]);
  });

  it("reports a failed cleanup as a warning", async () => {
    const setup = setUp();
    const warnings: string[] = [];
    writeFileSync(
      setup.docker,
      FAKE_DOCKER.replace(
        'for ref in "$@"; do',
        'echo "Error: conflict: image is in use" >&2; exit 1\n' +
          '        for ref in "$@"; do',
      ),
    );
    const report = await verifyRewrite({
      ...options(setup),
      onWarning: (message) => warnings.push(message),
    });

    expect(report.outcome).toBe("identical");
    expect(report.warnings).toHaveLength(1);
    expect(warnings).toEqual(report.warnings);
    expect(warnings[0]).toContain("cannot remove the images layerfix-verify:");
    expect(warnings[0]).toContain("image is in use");
  });
});

describe("connectDocker", () => {
  it("names the clients it tried", async () => {
    const empty = mkdtempSync(join(root, "empty-path-"));
    const missing = join(empty, "docker");
    const connecting = connectDocker({
      env: { PATH: empty },
      packagedClients: [missing],
    });

    await expect(connecting).rejects.toThrow(EngineUnavailableError);
    await expect(connecting).rejects.toThrow(
      `(tried \`docker\` on PATH, ${missing})`,
    );
  });
});

describe("main", () => {
  it("dispatches verify", async () => {
    const output: string[] = [];
    const code = await main(["verify", "--help"], {
      stdout: (text) => output.push(text),
      stderr: (text) => output.push(text),
    });
    expect(code).toBe(0);
    expect(output.join("")).toBe(VERIFY_USAGE);
  });
});
