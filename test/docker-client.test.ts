import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  buildArguments,
  hasBuiltInBuildKit,
  parseBuildxDriver,
  parseClientVersion,
  type BuildRequest,
} from "../src/docker/arguments.js";
import {
  BuildOptionError,
  DockerClientError,
  DockerCommandError,
  ImageNotFoundError,
  build,
  checkEngine,
  engineAvailable,
  findDockerClient,
  inspectImage,
  removeImages,
  saveImage,
  type DockerClient,
} from "../src/docker/client.js";
import { LineSplitter, TailBuffer } from "../src/docker/process.js";

const request: BuildRequest = {
  dockerfile: "Dockerfile",
  context: ".",
  tag: "layerfix-test:latest",
  noCache: false,
};

describe("buildArguments", () => {
  const builtIn = { builder: "built-in", needsLoad: false } as const;
  const buildx = { builder: "buildx", needsLoad: false } as const;

  it("uses docker build for the built-in builder", () => {
    const args = buildArguments(builtIn, request, "/tmp/id");
    expect(args).toEqual([
      "build",
      "--progress=plain",
      "--file",
      resolve("Dockerfile"),
      "--tag",
      "layerfix-test:latest",
      "--iidfile",
      "/tmp/id",
      resolve("."),
    ]);
  });

  it("uses buildx build for buildx", () => {
    const args = buildArguments(buildx, request, "/tmp/id");
    expect(args.slice(0, 3)).toEqual(["buildx", "build", "--progress=plain"]);
    expect(args).not.toContain("--load");
  });

  it("adds --load when the builder needs it", () => {
    const facts = { builder: "buildx", needsLoad: true } as const;
    const args = buildArguments(facts, request, "/tmp/id");
    expect(args).toContain("--load");
    expect(args.at(-1)).toBe(resolve("."));
  });

  it("adds target, platform and no-cache", () => {
    const args = buildArguments(
      builtIn,
      { ...request, target: "test", platform: "linux/amd64", noCache: true },
      "/tmp/id",
    );
    expect(args).toContain("--no-cache");
    expect(args.join(" ")).toContain("--target test");
    expect(args.join(" ")).toContain("--platform linux/amd64");
  });

  it("repeats list flags per value", () => {
    const args = buildArguments(
      buildx,
      {
        ...request,
        buildArgs: ["A=1", "B"],
        secrets: ["id=token,src=token.txt"],
        ssh: ["default"],
        buildContexts: ["base=docker-image://alpine"],
      },
      "/tmp/id",
    );
    const line = args.join(" ");
    expect(line).toContain("--build-arg A=1 --build-arg B");
    expect(line).toContain("--secret id=token,src=token.txt");
    expect(line).toContain("--ssh default");
    expect(line).toContain("--build-context base=docker-image://alpine");
  });

  it("makes paths absolute", () => {
    const args = buildArguments(
      builtIn,
      { ...request, dockerfile: "-odd/Dockerfile", context: "-odd" },
      "/tmp/id",
    );
    expect(args).toContain(resolve("-odd/Dockerfile"));
    expect(args.at(-1)).toBe(resolve("-odd"));
  });

  it("rejects build contexts without buildx", () => {
    const withContexts = { ...request, buildContexts: ["a=b"] };
    expect(() => buildArguments(builtIn, withContexts, "/tmp/id")).toThrow(
      BuildOptionError,
    );
  });
});

describe("parseClientVersion", () => {
  it.each([
    ["Docker version 20.10.24+dfsg1, build 297e128", "20.10.24+dfsg1"],
    ["Docker version 28.2.2, build e6534b4\n", "28.2.2"],
    ["podman version 4.3.1", undefined],
    ["", undefined],
  ])("reads %j", (output, expected) => {
    expect(parseClientVersion(output)).toBe(expected);
  });
});

describe("hasBuiltInBuildKit", () => {
  it.each([
    ["19.03.15", true],
    ["20.10.24+dfsg1", true],
    ["23.0.0", false],
    ["28.2.2", false],
    ["dev", false],
  ])("returns the result for %s", (version, expected) => {
    expect(hasBuiltInBuildKit(version)).toBe(expected);
  });
});

describe("parseBuildxDriver", () => {
  it("reads the first Driver line", () => {
    const output =
      "Name:          builder\nDriver:        docker-container\n" +
      "\nNodes:\nName:      builder0\n";
    expect(parseBuildxDriver(output)).toBe("docker-container");
  });

  it("returns undefined without a Driver line", () => {
    expect(parseBuildxDriver("ERROR: no builder")).toBeUndefined();
  });
});

describe("TailBuffer", () => {
  it("keeps text under the limit", () => {
    const buffer = new TailBuffer(10);
    buffer.append("abc");
    buffer.append("def");
    expect(buffer.toString()).toBe("abcdef");
    expect(buffer.dropped).toBe(0);
  });

  it("keeps the last characters over the limit", () => {
    const buffer = new TailBuffer(4);
    for (const chunk of ["abc", "def", "ghi", "jkl"]) buffer.append(chunk);
    expect(buffer.toString()).toBe("ijkl");
    expect(buffer.dropped).toBe(8);
  });
});

describe("LineSplitter", () => {
  it("splits chunks at line ends", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push("one\r\ntw");
    splitter.push("o\nthree");
    expect(lines).toEqual(["one", "two"]);
    splitter.end();
    expect(lines).toEqual(["one", "two", "three"]);
  });
});

/**
 * Fake Docker clients: shell scripts that print what a real client prints
 * for the commands that the module runs.
 */
describe("with fake clients", () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "layerfix-docker-test-"));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** Writes an executable script that runs `body` after parsing `--iidfile`. */
  async function writeClient(name: string, body: string): Promise<string> {
    const dir = join(folder, name);
    await mkdir(dir, { recursive: true });
    const path = join(dir, "docker");
    const script =
      "#!/bin/sh\n" +
      'iidfile=""; previous=""\n' +
      'for arg in "$@"; do\n' +
      '  [ "$previous" = "--iidfile" ] && iidfile="$arg"\n' +
      '  previous="$arg"\n' +
      "done\n" +
      body;
    await writeFile(path, script);
    await chmod(path, 0o755);
    return path;
  }

  const oldClient = `
case "$1" in
  --version) echo "Docker version 20.10.24+dfsg1, build 297e128" ;;
  buildx) echo "docker: 'buildx' is not a docker command." >&2; exit 1 ;;
  *) exit 1 ;;
esac
`;
  const newClient = `
case "$1" in
  --version) echo "Docker version 28.2.2, build e6534b4" ;;
  *) echo "unknown command: docker $1" >&2; exit 1 ;;
esac
`;
  function buildxClient(driver: string): string {
    return `
case "$1 $2" in
  "--version ") echo "Docker version 28.2.2, build e6534b4" ;;
  "buildx version") echo "github.com/docker/buildx v0.24.0 abc" ;;
  "buildx inspect") printf 'Name: b\\nDriver: ${driver}\\n' ;;
  *) exit 1 ;;
esac
`;
  }

  describe("findDockerClient", () => {
    it("uses the client given by --docker", async () => {
      const path = await writeClient("old-given", oldClient);
      const client = await findDockerClient({ docker: path, env: {} });
      expect(client?.path).toBe(path);
      expect(client?.version).toBe("20.10.24+dfsg1");
      expect(client?.builder).toBe("built-in");
      expect(client?.needsLoad).toBe(false);
    });

    it("prefers --docker to LAYERFIX_DOCKER", async () => {
      const fromFlag = await writeClient("old-flag", oldClient);
      const fromEnv = await writeClient("old-env", oldClient);
      const env = { LAYERFIX_DOCKER: fromEnv };
      const client = await findDockerClient({ docker: fromFlag, env });
      expect(client?.path).toBe(fromFlag);
    });

    it("uses LAYERFIX_DOCKER", async () => {
      const fromEnv = await writeClient("old-env-only", oldClient);
      const env = { LAYERFIX_DOCKER: fromEnv, PATH: "" };
      const client = await findDockerClient({ env });
      expect(client?.path).toBe(fromEnv);
    });

    it("looks up a requested name on PATH", async () => {
      const path = await writeClient("old-by-name", oldClient);
      const env = { PATH: join(folder, "old-by-name") };
      const client = await findDockerClient({ docker: "docker", env });
      expect(client?.path).toBe(path);
    });

    it("throws for a missing requested client", async () => {
      const missing = join(folder, "missing", "docker");
      const search = findDockerClient({ docker: missing, env: {} });
      await expect(search).rejects.toThrow(DockerClientError);
      await expect(search).rejects.toThrow(/not found or not executable/);
    });

    it("throws for a requested client without BuildKit", async () => {
      const path = await writeClient("new-given", newClient);
      const search = findDockerClient({ docker: path, env: {} });
      await expect(search).rejects.toThrow(DockerClientError);
      await expect(search).rejects.toThrow(/no buildx plugin/);
    });

    it("skips a PATH client without BuildKit", async () => {
      await writeClient("new-on-path", newClient);
      const packaged = await writeClient("old-packaged", oldClient);
      const client = await findDockerClient({
        env: { PATH: join(folder, "new-on-path") },
        packagedClients: [packaged],
      });
      expect(client?.path).toBe(packaged);
    });

    it("returns undefined when no client fits", async () => {
      await writeClient("new-only", newClient);
      const client = await findDockerClient({
        env: { PATH: join(folder, "new-only") },
        packagedClients: [join(folder, "missing", "docker")],
      });
      expect(client).toBeUndefined();
    });

    it("records a driver that needs --load", async () => {
      const path = await writeClient(
        "buildx-container",
        buildxClient("docker-container"),
      );
      const client = await findDockerClient({ docker: path, env: {} });
      expect(client?.builder).toBe("buildx");
      expect(client?.buildxDriver).toBe("docker-container");
      expect(client?.needsLoad).toBe(true);
    });

    it("records the docker driver", async () => {
      const path = await writeClient("buildx-docker", buildxClient("docker"));
      const client = await findDockerClient({ docker: path, env: {} });
      expect(client?.buildxDriver).toBe("docker");
      expect(client?.needsLoad).toBe(false);
    });

    it("keeps DOCKER_HOST and sets DOCKER_BUILDKIT", async () => {
      const path = await writeClient("old-env-pass", oldClient);
      const env = {
        DOCKER_HOST: "unix:///tmp/test.sock",
        DOCKER_BUILDKIT: "0",
      };
      const client = await findDockerClient({ docker: path, env });
      expect(client?.env.DOCKER_HOST).toBe("unix:///tmp/test.sock");
      expect(client?.env.DOCKER_BUILDKIT).toBe("1");
    });
  });

  /** Returns a client record for a fake script, without probing it. */
  function fakeClient(path: string, env: NodeJS.ProcessEnv = {}): DockerClient {
    return {
      path,
      version: "20.10.24",
      builder: "built-in",
      needsLoad: false,
      env: { ...env, DOCKER_BUILDKIT: "1" },
    };
  }

  describe("build", () => {
    it("streams progress and reads the image ID", async () => {
      const path = await writeClient(
        "build-ok",
        `
echo "#1 [internal] load build definition" >&2
echo "#1 DONE 0.0s" >&2
echo "host=$DOCKER_HOST buildkit=$DOCKER_BUILDKIT" >&2
printf 'sha256:1234\\n' > "$iidfile"
`,
      );
      const lines: string[] = [];
      const client = fakeClient(path, { DOCKER_HOST: "unix:///x.sock" });
      const result = await build(client, {
        ...request,
        onProgress: (line) => lines.push(line),
      });

      expect(result.ok).toBe(true);
      expect(result.imageId).toBe("sha256:1234");
      expect(lines).toEqual([
        "#1 [internal] load build definition",
        "#1 DONE 0.0s",
        "host=unix:///x.sock buildkit=1",
      ]);
      expect(result.log).toBe(lines.join("\n") + "\n");
    });

    it("returns the log of a failed build", async () => {
      const path = await writeClient(
        "build-failed",
        `
echo "#5 [2/2] RUN false" >&2
echo "executor failed running [/bin/sh -c false]: exit code: 1" >&2
exit 1
`,
      );
      const result = await build(fakeClient(path), request);
      expect(result.ok).toBe(false);
      expect(result.imageId).toBeUndefined();
      expect(result.log).toContain("exit code: 1");
    });

    it("throws when the client cannot run", async () => {
      const client = fakeClient(join(folder, "missing", "docker"));
      await expect(build(client, request)).rejects.toThrow(DockerCommandError);
    });
  });

  describe("inspectImage", () => {
    it("parses the first image", async () => {
      const path = await writeClient(
        "inspect-ok",
        `echo '[{"Id": "sha256:ab", "RepoTags": ["a:b"], "Size": 5}]'`,
      );
      const image = await inspectImage(fakeClient(path), "a:b");
      expect(image.Id).toBe("sha256:ab");
      expect(image.RepoTags).toEqual(["a:b"]);
      expect(image.Size).toBe(5);
    });

    it("throws ImageNotFoundError for a missing image", async () => {
      const path = await writeClient(
        "inspect-missing",
        `echo '[]'; echo "Error: No such image: a:b" >&2; exit 1`,
      );
      const inspection = inspectImage(fakeClient(path), "a:b");
      await expect(inspection).rejects.toThrow(ImageNotFoundError);
    });

    it("throws DockerCommandError when the engine is down", async () => {
      const path = await writeClient(
        "inspect-down",
        `echo "Cannot connect to the Docker daemon" >&2; exit 1`,
      );
      const inspection = inspectImage(fakeClient(path), "a:b");
      await expect(inspection).rejects.toThrow(DockerCommandError);
      await expect(inspection).rejects.toThrow(/Cannot connect/);
    });
  });

  describe("saveImage", () => {
    it("throws ImageNotFoundError for a missing image", async () => {
      const path = await writeClient(
        "save-missing",
        `echo "Error response from daemon: reference does not exist" >&2
exit 1`,
      );
      const saving = saveImage(fakeClient(path), "a:b", "/tmp/none.tar");
      await expect(saving).rejects.toThrow(ImageNotFoundError);
    });
  });

  describe("removeImages", () => {
    it("skips references with no image", async () => {
      const path = await writeClient(
        "rm-missing",
        `echo "Untagged: a:b"; echo "Error: No such image: c:d" >&2; exit 1`,
      );
      await expect(
        removeImages(fakeClient(path), ["a:b", "c:d"]),
      ).resolves.toBeUndefined();
    });

    it("throws for other errors", async () => {
      const path = await writeClient(
        "rm-in-use",
        `echo "Error: No such image: c:d" >&2
echo "Error response from daemon: conflict: unable to remove repository reference" >&2
exit 1`,
      );
      const removal = removeImages(fakeClient(path), ["a:b", "c:d"]);
      await expect(removal).rejects.toThrow(DockerCommandError);
      await expect(removal).rejects.toThrow(/conflict/);
    });
  });

  describe("checkEngine", () => {
    it("reports the server version", async () => {
      const path = await writeClient(
        "engine-up",
        `echo '{"Version":"20.10.24+dfsg1","ApiVersion":"1.41"}'`,
      );
      const status = await checkEngine(fakeClient(path));
      expect(status).toEqual({ available: true, version: "20.10.24+dfsg1" });
    });

    it("reports why the engine is unavailable", async () => {
      const path = await writeClient(
        "engine-down",
        `echo null
echo "Cannot connect to the Docker daemon at unix:///x.sock." >&2
exit 1`,
      );
      const client = fakeClient(path);
      const status = await checkEngine(client);
      expect(status.available).toBe(false);
      expect(status).toHaveProperty("reason", expect.stringMatching(/x\.sock/));
      expect(await engineAvailable(client)).toBe(false);
    });
  });
});

// Runs against a real engine when LAYERFIX_DOCKER is set, as after
// `eval "$(bash .ci/engine.sh start)"`. A set LAYERFIX_DOCKER with no
// responding engine fails these tests instead of skipping them.
describe.runIf(process.env.LAYERFIX_DOCKER)("with a Docker engine", () => {
  let client: DockerClient;
  let folder: string;
  const tagPrefix = `layerfix-test/docker-client:${process.pid}`;
  const tags: string[] = [];

  function nextTag(): string {
    const tag = `${tagPrefix}-${tags.length}`;
    tags.push(tag);
    return tag;
  }

  async function writeContext(
    name: string,
    dockerfile: string,
  ): Promise<BuildRequest> {
    const context = join(folder, name);
    await mkdir(context, { recursive: true });
    await writeFile(join(context, "Dockerfile"), dockerfile);
    await writeFile(join(context, "hello.txt"), "hello\n");
    return {
      dockerfile: join(context, "Dockerfile"),
      context,
      tag: nextTag(),
      noCache: false,
    };
  }

  beforeAll(async () => {
    const found = await findDockerClient();
    if (found === undefined) throw new Error("LAYERFIX_DOCKER is not usable");
    client = found;
    expect(await checkEngine(client)).toMatchObject({ available: true });
    folder = await mkdtemp(join(tmpdir(), "layerfix-engine-test-"));
  });

  afterAll(async () => {
    if (client !== undefined) await removeImages(client, tags);
    if (folder !== undefined)
      await rm(folder, { recursive: true, force: true });
  });

  it("builds a target with build arguments", async () => {
    const request = await writeContext(
      "target",
      "FROM scratch AS first\nARG NAME\nLABEL name=$NAME stage=first\n" +
        "COPY hello.txt /\n\nFROM first AS second\nLABEL stage=second\n",
    );
    const lines: string[] = [];
    const result = await build(client, {
      ...request,
      target: "first",
      buildArgs: ["NAME=layerfix"],
      onProgress: (line) => lines.push(line),
    });

    expect(result.ok, result.log).toBe(true);
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.some((line) => line.startsWith("#"))).toBe(true);
    const image = await inspectImage(client, request.tag);
    expect(image.Id).toBe(result.imageId);
    expect(image.Config?.Labels?.name).toBe("layerfix");
    expect(image.Config?.Labels?.stage).toBe("first");
  });

  it("returns the log of a failed build", async () => {
    // A scratch image has no /bin/sh, so the RUN step cannot start.
    const request = await writeContext("failing", "FROM scratch\nRUN true\n");
    const result = await build(client, { ...request, noCache: true });
    expect(result.ok).toBe(false);
    expect(result.imageId).toBeUndefined();
    expect(result.log).toContain("/bin/sh");
  });

  it("passes secrets to RUN mounts", async (context) => {
    const hasBase = await inspectImage(client, "debian:bookworm").then(
      () => true,
      (error: unknown) => {
        if (error instanceof ImageNotFoundError) return false;
        throw error;
      },
    );
    if (!hasBase) context.skip("debian:bookworm is missing");

    const request = await writeContext(
      "secret",
      "FROM debian:bookworm\n" +
        "RUN --mount=type=secret,id=token " +
        'test "$(cat /run/secrets/token)" = hello\n',
    );
    const secret = join(folder, "secret", "hello.txt");
    const result = await build(client, {
      ...request,
      noCache: true,
      secrets: [`id=token,src=${secret}`],
    });
    expect(result.ok, result.log).toBe(true);
  });

  it("saves, inspects and removes an image", async () => {
    const request = await writeContext(
      "save",
      "FROM scratch\nCOPY hello.txt /\n",
    );
    const result = await build(client, request);
    expect(result.ok, result.log).toBe(true);

    const archive = join(folder, "image.tar");
    await saveImage(client, request.tag, archive);
    const bytes = await readFile(archive);
    expect(bytes.includes("manifest.json")).toBe(true);

    await removeImages(client, [request.tag, `${tagPrefix}-missing`]);
    await expect(inspectImage(client, request.tag)).rejects.toThrow(
      ImageNotFoundError,
    );
  });

  it("throws ImageNotFoundError when saving a missing image", async () => {
    const archive = join(folder, "missing.tar");
    const saving = saveImage(client, `${tagPrefix}-missing`, archive);
    await expect(saving).rejects.toThrow(ImageNotFoundError);
  });
});
