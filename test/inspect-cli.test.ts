import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  INSPECT_JSON_FORMAT,
  INSPECT_USAGE,
  parseInspectOptions,
  runInspectCommand,
} from "../src/cli/inspect.js";
import { main } from "../src/cli/main.js";
import { UsageError } from "../src/cli/options.js";
import {
  imageConfig,
  layer,
  packDirectory,
  writeLegacyImage,
} from "./helpers/image-archive.js";

/**
 * A fake Docker client whose engine has one image, `example:split`, saved
 * from FAKE_ARCHIVE. Every call is logged to FAKE_LOG.
 */
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1" in
  --version) echo "Docker version 20.10.24+dfsg1, build 297e128"; exit 0 ;;
  buildx) exit 1 ;;
  version)
    if [ -n "$FAKE_ENGINE_DOWN" ]; then
      echo "Cannot connect to the Docker daemon at $DOCKER_HOST." >&2
      exit 1
    fi
    echo '{"Version":"20.10.24+dfsg1"}'
    exit 0 ;;
  image)
    if [ "$2" = "save" ] && [ "$5" = "example:split" ]; then
      cp "$FAKE_ARCHIVE" "$4"
      exit 0
    fi
    echo "Error: No such image: $5" >&2
    exit 1 ;;
esac
exit 1
`;

const DOCKERFILE =
  "FROM debian:bookworm\n" +
  "RUN apt-get update\n" +
  "RUN apt-get install -y hello\n" +
  "RUN rm -rf /var/lib/apt/lists/*\n";

let folder: string;
let archive: string;
let dockerfile: string;
let docker: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "layerfix-inspect-cli-"));
  const layers = [
    layer([{ name: "etc/hostname", content: "box\n" }]),
    layer([
      { name: "var/lib/apt/lists/", type: "directory" },
      { name: "var/lib/apt/lists/packages", content: Buffer.alloc(8000, 1) },
    ]),
    layer([{ name: "usr/bin/hello", content: Buffer.alloc(2000, 2) }]),
    layer([{ name: "var/lib/apt/lists/.wh.packages" }]),
  ];
  const config = imageConfig(layers, {
    history: [
      { created_by: "", comment: "Imported from -" },
      { created_by: "RUN /bin/sh -c apt-get update # buildkit" },
      { created_by: "RUN /bin/sh -c apt-get install -y hello # buildkit" },
      { created_by: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit" },
      { created_by: 'CMD ["hello"]', empty_layer: true },
    ],
  });
  const layout = join(folder, "layout");
  mkdirSync(layout);
  writeLegacyImage(layout, layers, config, ["example:split"]);
  archive = packDirectory(layout, join(folder, "split.tar"));
  dockerfile = join(folder, "Dockerfile");
  writeFileSync(dockerfile, DOCKERFILE);
  docker = join(folder, "docker");
  writeFileSync(docker, FAKE_DOCKER);
  chmodSync(docker, 0o755);
  env = {
    PATH: process.env.PATH,
    FAKE_ARCHIVE: archive,
    FAKE_LOG: join(folder, "calls.log"),
    DOCKER_HOST: "unix:///fake.sock",
  };
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

async function run(
  args: string[],
  environment: NodeJS.ProcessEnv = env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runInspectCommand(
    args,
    {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
    },
    environment,
  );
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("parseInspectOptions", () => {
  it("reads thresholds in their units", () => {
    const options = parseInspectOptions([
      "image.tar",
      "--ci",
      "--lowest-efficiency",
      "90%",
      "--highest-wasted-bytes",
      "20MB",
      "--highest-wasted-share",
      "0.1",
      "--platform",
      "linux/arm64/v8",
      "--dockerfile",
      "Dockerfile",
      "--json",
      "--docker",
      "/usr/bin/docker",
    ]);

    expect(options).toEqual({
      target: "image.tar",
      dockerfile: "Dockerfile",
      platform: "linux/arm64/v8",
      json: true,
      ci: true,
      thresholds: {
        lowestEfficiency: 0.9,
        highestWastedBytes: 20_000_000,
        highestWastedShare: 0.1,
      },
      docker: "/usr/bin/docker",
      help: false,
    });
  });

  it.each([
    [[], "no image given"],
    [["a", "b"], "inspect takes one image, and 2 were given"],
    [["a", "--lowest-efficiency", "0.9"], "apply only with --ci"],
    [["a", "--ci"], "--ci needs at least one limit"],
    [
      ["a", "--ci", "--highest-wasted-share", "120%"],
      "--highest-wasted-share: invalid share `120%`",
    ],
    [
      ["a", "--ci", "--highest-wasted-bytes", "lots"],
      "--highest-wasted-bytes: invalid size `lots`",
    ],
    [["a", "--platform", "amd64"], "invalid platform `amd64`"],
    [["a", "--frobnicate"], "--frobnicate"],
  ])("rejects %j", (args, message) => {
    expect(() => parseInspectOptions(args)).toThrow(UsageError);
    expect(() => parseInspectOptions(args)).toThrow(message);
  });
});

describe("runInspectCommand", () => {
  it("prints the usage for --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(INSPECT_USAGE);
  });

  it("reads an archive without the engine", async () => {
    const result = await run([archive], { PATH: process.env.PATH });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Image       ${archive} (legacy layout)`);
    expect(result.stdout).toMatch(
      /^\s+1\s+\S+ kB\s+8\.0 kB\s+RUN apt-get update$/m,
    );
    expect(result.stdout).toContain("Wasted      8.0 kB");
    expect(result.stderr).toBe("");
  });

  it("maps waste to the Dockerfile", async () => {
    const result = await run([archive, "--dockerfile", dockerfile]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Waste by instruction of ${dockerfile}`);
    expect(result.stdout).toContain(
      `8.0 kB  ${dockerfile}:2 RUN apt-get update`,
    );
    expect(result.stdout).toContain("apt-lists-cleanup: 8.0 kB");
    expect(result.stdout).toContain(
      "merge-runs: 8.0 kB, the `RUN` at line 4 deletes a file",
    );
  });

  it("prints JSON with the mapping and checks", async () => {
    const result = await run([
      archive,
      "--json",
      "--dockerfile",
      dockerfile,
      "--ci",
      "--highest-wasted-bytes",
      "1MB",
    ]);
    const document = JSON.parse(result.stdout);

    expect(result.code).toBe(0);
    expect(document.format).toBe(INSPECT_JSON_FORMAT);
    expect(document.tool.name).toBe("layerfix");
    expect(document.image.wastedBytes).toBe(8000);
    expect(document.dockerfile.path).toBe(dockerfile);
    expect(document.dockerfile.layers[1].instruction.line).toBe(2);
    expect(document.checks.passed).toBe(true);
  });

  it("writes null for absent sections", async () => {
    const result = await run([archive, "--json"]);
    const document = JSON.parse(result.stdout);

    expect(document.dockerfile).toBeNull();
    expect(document.checks).toBeNull();
  });

  it("exits 0 within the limits", async () => {
    const result = await run([
      archive,
      "--ci",
      "--highest-wasted-bytes",
      "10kB",
      "--lowest-efficiency",
      "0.2",
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  pass  wasted 8.0 kB");
    expect(result.stderr).toBe("layerfix inspect: all 2 checks passed\n");
  });

  it("exits 1 over a limit", async () => {
    const result = await run([
      archive,
      "--ci",
      "--highest-wasted-share",
      "10%",
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("  FAIL  wasted share");
    expect(result.stderr).toBe("layerfix inspect: 1 of 1 check failed\n");
  });

  it("exits 2 for an unreadable archive", async () => {
    const broken = join(folder, "broken.tar");
    writeFileSync(broken, "not a tar archive");
    const result = await run([broken, "--ci", "--lowest-efficiency", "0.5"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`layerfix inspect: ${broken}:`);
  });

  it("exits 2 for a Dockerfile that does not parse", async () => {
    const bad = join(folder, "Bad.Dockerfile");
    writeFileSync(bad, "FROM debian\nENV A\n");
    const result = await run([archive, "--dockerfile", bad]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:2:1:`);
  });

  it("saves a named image through the engine", async () => {
    const result = await run(["example:split", "--docker", docker]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Image       example:split (legacy layout)",
    );
    expect(result.stdout).toContain("Wasted      8.0 kB");
    const leftovers = readdirSync(tmpdir()).filter(
      (name) => name.startsWith("layerfix-inspect-") && !folder.endsWith(name),
    );
    expect(leftovers).toEqual([]);
  });

  it("exits 2 for an unknown name", async () => {
    const result = await run(["example:missing", "--docker", docker]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "example:missing: not found as a file or as an image",
    );
  });

  it("exits 2 when the engine does not respond", async () => {
    const result = await run(["example:split", "--docker", docker], {
      ...env,
      FAKE_ENGINE_DOWN: "1",
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("DOCKER_HOST=unix:///fake.sock");
  });
});

describe("main", () => {
  it("dispatches inspect", async () => {
    const output: string[] = [];
    const code = await main(["inspect", "--help"], {
      stdout: (text) => output.push(text),
      stderr: (text) => output.push(text),
    });
    expect(code).toBe(0);
    expect(output.join("")).toBe(INSPECT_USAGE);
  });
});
