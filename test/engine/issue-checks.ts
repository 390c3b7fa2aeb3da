// Checks of `layerfix inspect` and `layerfix verify` on real images: the
// waste that inspect reports against a count of the layer tars, the verify
// report of a real rewrite, and verify's verdict on rewrites that change
// the image.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { optimize } from "../../src/api.js";
import { main } from "../../src/cli/main.js";
import type { DockerClient } from "../../src/docker/client.js";
import type {
  InspectReport,
  LayerWasteMapping,
} from "../../src/image/index.js";
import type { Transform } from "../../src/transform.js";
import { verifyRewrite } from "../../src/verify/index.js";
import type { VerifyReport } from "../../src/verify/types.js";
import { buildImage, dockerOk, removeTags } from "./docker.js";
import type { Expect, Suite } from "./harness.js";
import {
  countLayerBytes,
  readSavedLayers,
  type LayerCount,
  type SavedLayer,
} from "./layer-count.js";

const LISTS = "var/lib/apt/lists/";
const SPLIT_CASE = "split-update-install-clean";

/** Output of one `main` call. */
interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The original and rewritten images of the split case, saved as tars. */
interface SavedPair {
  original: string;
  rewritten: string;
  /** The original and the rewritten Dockerfile. */
  dockerfiles: [string, string];
}

/** Runs the inspect and verify checks as checks of `suite`. */
export async function runIssueChecks(
  suite: Suite,
  client: DockerClient,
  root: string,
): Promise<void> {
  const folder = join(root, SPLIT_CASE);
  const work = await mkdtemp(join(tmpdir(), "layerfix-engine-"));
  try {
    let saved: SavedPair | undefined;
    await suite.check("inspect names the apt lists layer", async (expect) => {
      saved = await buildSplitPair(folder, work);
      await checkOriginalWaste(saved.original, saved.dockerfiles[0], expect);
    });
    await suite.check(
      "inspect finds no lists after rewrite",
      async (expect) => {
        if (!expect.ok(saved !== undefined, "the images were not built"))
          return;
        await checkRewrittenWaste(
          saved!.rewritten,
          saved!.dockerfiles[1],
          expect,
        );
      },
    );
    await suite.check("verify CLI reports builds and saving", (expect) =>
      checkVerifyCommand(folder, expect),
    );
    await suite.check("verify reports a broken ENV rewrite", (expect) =>
      checkBrokenRewrite(client, work, appendEnv, expect),
    );
    await suite.check("verify reports a deleted file", (expect) =>
      checkBrokenRewrite(client, work, deleteFile, expect),
    );
    await suite.check("verify CLI exits 1 when unsafe differs", (expect) =>
      checkUnsafeDifference(work, expect),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds the split case and its rewrite, and saves both images. */
async function buildSplitPair(
  folder: string,
  work: string,
): Promise<SavedPair> {
  const dockerfile = join(folder, "Dockerfile");
  const rewrite = await optimize(await readFile(dockerfile, "utf8"), {
    context: folder,
  });
  const rewritten = join(work, "split.rewritten.Dockerfile");
  await writeFile(rewritten, rewrite.output);

  const run = randomBytes(6).toString("hex");
  const tags = [
    `layerfix-engine-test:${run}-original`,
    `layerfix-engine-test:${run}-rewritten`,
  ];
  const saved: SavedPair = {
    original: join(work, "original.tar"),
    rewritten: join(work, "rewritten.tar"),
    dockerfiles: [dockerfile, rewritten],
  };
  try {
    await buildImage(dockerfile, folder, tags[0]!);
    await buildImage(rewritten, folder, tags[1]!);
    await dockerOk(["image", "save", "--output", saved.original, tags[0]!]);
    await dockerOk(["image", "save", "--output", saved.rewritten, tags[1]!]);
  } finally {
    await removeTags(tags);
  }
  return saved;
}

/**
 * Checks that inspect names the `RUN apt-get update` layer as the one with
 * the most waste, all of it package lists, and that its byte counts and
 * efficiency equal a count of the layer tars.
 */
async function checkOriginalWaste(
  archive: string,
  dockerfile: string,
  expect: Expect,
): Promise<void> {
  const layers = await readSavedLayers(archive);
  const counts = countLayerBytes(layers);
  const update = layers.findIndex((layer) =>
    /apt-get update/.test(layer.createdBy),
  );
  if (!expect.ok(update > 0, "no layer made by `apt-get update`")) return;

  const listBytes = sumUnder(counts[update]!, LISTS);
  expect.ok(
    listBytes > 1e6,
    `hand count: only ${listBytes} bytes of lists are hidden`,
  );
  expect.equal(
    counts[update]!.hiddenBytes,
    listBytes,
    "hand count: hidden bytes of the update layer, all of them lists",
  );

  const { report, mapping, text } = await inspectArchive(archive, dockerfile);
  checkTotals(report, counts, expect);
  checkUpdateMapping(mapping[update], text, expect);
  const layer = report.layers[update]!;
  expect.equal(
    layer.instruction,
    "RUN apt-get update",
    "instruction of the update layer",
  );
  expect.equal(
    layer.wastedBytes,
    listBytes,
    "wasted bytes of the update layer",
  );
  const most = [...report.layers].sort(
    (a, b) => b.wastedBytes - a.wastedBytes,
  )[0];
  expect.equal(most?.index, update, "layer with the most wasted bytes");
  for (const file of layer.largestWasted) {
    expect.ok(
      withoutRoot(file.path).startsWith(LISTS),
      `wasted file ${file.path} is not a list`,
    );
  }
  expect.ok(
    layer.largestWasted.length > 0,
    "the update layer lists no wasted files",
  );
}

/** Checks that no layer of the rewritten image stores or wastes lists. */
async function checkRewrittenWaste(
  archive: string,
  dockerfile: string,
  expect: Expect,
): Promise<void> {
  const layers = await readSavedLayers(archive);
  const counts = countLayerBytes(layers);
  expect.equal(
    storedUnder(layers, LISTS),
    0,
    "hand count: list bytes stored in any layer",
  );

  const { report } = await inspectArchive(archive, dockerfile);
  checkTotals(report, counts, expect);
  const wastedLists = report.layers.flatMap((layer) =>
    layer.largestWasted
      .filter((file) => withoutRoot(file.path).startsWith(LISTS))
      .map((file) => file.path),
  );
  expect.equal(wastedLists, [], "wasted lists in the rewritten image");
}

/** Compares the totals of an inspect report with the hand count. */
function checkTotals(
  report: InspectReport,
  counts: readonly LayerCount[],
  expect: Expect,
): void {
  const stored = counts.reduce((total, count) => total + count.storedBytes, 0);
  const hidden = counts.reduce((total, count) => total + count.hiddenBytes, 0);
  expect.equal(report.storedFileBytes, stored, "stored file bytes");
  expect.equal(report.wastedBytes, hidden, "wasted bytes");
  const efficiency = stored === 0 ? 1 : (stored - hidden) / stored;
  expect.ok(
    Math.abs(report.efficiency - efficiency) < 1e-9,
    `efficiency: expected ${efficiency}, got ${report.efficiency}`,
  );
  expect.equal(
    report.layers.map((layer) => layer.wastedBytes),
    counts.map((count) => count.hiddenBytes),
    "wasted bytes per layer",
  );
}

/** The `layerfix inspect --dockerfile` output, as JSON and as text. */
interface InspectRun {
  report: InspectReport;
  mapping: LayerWasteMapping[];
  text: string;
}

/** Runs `layerfix inspect --dockerfile` with `--json` and without. */
async function inspectArchive(
  archive: string,
  dockerfile: string,
): Promise<InspectRun> {
  const args = ["inspect", archive, "--dockerfile", dockerfile];
  const json = await runMain([...args, "--json"]);
  const text = await runMain(args);
  for (const run of [json, text]) {
    if (run.code !== 0) {
      throw new Error(`layerfix inspect exited ${run.code}: ${run.stderr}`);
    }
  }
  const document = JSON.parse(json.stdout) as {
    image: InspectReport;
    dockerfile: { layers: LayerWasteMapping[] };
  };
  return {
    report: document.image,
    mapping: document.dockerfile.layers,
    text: text.stdout,
  };
}

/**
 * Checks that inspect maps the update layer to line 2 of the Dockerfile
 * and names a transform that removes its waste, in JSON and in text.
 */
function checkUpdateMapping(
  layer: LayerWasteMapping | undefined,
  text: string,
  expect: Expect,
): void {
  expect.equal(
    layer?.instruction?.line,
    2,
    "Dockerfile line of the update layer",
  );
  const fixes = (layer?.fixes ?? []).map((fix) => fix.transform).sort();
  expect.equal(
    fixes,
    ["apt-lists-cleanup", "merge-runs"],
    "transforms named for the update layer",
  );
  expect.ok(
    /Dockerfile:2 RUN apt-get update/.test(text),
    `the text report does not name Dockerfile:2:\n${text}`,
  );
}

/**
 * Runs `layerfix verify --json` on the split case, with the default noise
 * patterns, and checks the builds, sizes, differences and saving.
 */
async function checkVerifyCommand(
  folder: string,
  expect: Expect,
): Promise<void> {
  const run = await runMain(["verify", "--json", join(folder, "Dockerfile")]);
  expect.equal(run.code, 0, `exit code (stderr: ${run.stderr.trim()})`);
  const report = JSON.parse(run.stdout) as VerifyReport;
  expect.equal(report.outcome, "identical", "outcome");
  expect.equal(
    report.builds.map((build) => build.label),
    ["original", "rewritten"],
    "builds",
  );
  for (const build of report.builds) {
    expect.ok(build.built, `${build.label} did not build`);
    expect.ok(
      (build.size ?? 0) > 100e6,
      `${build.label} size ${build.size} is not above 100 MB`,
    );
  }
  expect.equal(report.differences, { paths: [], config: [] }, "differences");
  expect.equal(report.noise.source, "default", "noise source");

  const original = report.builds[0]?.size ?? 0;
  const rewritten = report.builds[1]?.size ?? 0;
  expect.equal(report.saving?.bytes, original - rewritten, "saving bytes");
  expect.ok(
    (report.saving?.share ?? 0) > 0.1,
    `saving share ${report.saving?.share} is not above 10%`,
  );
  const merge = report.removedCaches.find(
    (cache) => cache.transform === "merge-runs",
  );
  expect.ok(merge !== undefined, "no removed cache of merge-runs");
  // merge-runs saves the bytes that the cleanup RUN hid in lower layers.
  const hiddenSaving = Math.abs(
    (merge?.bytes ?? 0) - (report.saving?.bytes ?? 0),
  );
  expect.ok(
    hiddenSaving < 0.01 * original,
    `merge-runs bytes ${merge?.bytes} are far from the saving ${report.saving?.bytes}`,
  );
}

/**
 * Verifies a rewrite by a transform that breaks the image, and checks that
 * verify reports `differs` and names the difference.
 */
async function checkBrokenRewrite(
  client: DockerClient,
  work: string,
  broken: BrokenTransform,
  expect: Expect,
): Promise<void> {
  const folder = await mkdtemp(join(work, "broken-"));
  const dockerfile = join(folder, "Dockerfile");
  await writeFile(
    dockerfile,
    "FROM debian:bookworm\nRUN echo built > /built.txt\n",
  );
  const report = await verifyRewrite({
    dockerfile,
    context: folder,
    transforms: [broken.transform],
    unsafe: false,
    noise: false,
    client,
  });
  expect.equal(report.outcome, "differs", "outcome");
  broken.check(report, expect);
}

interface BrokenTransform {
  transform: Transform;
  check(report: VerifyReport, expect: Expect): void;
}

/**
 * Returns a test transform whose one safe finding appends `text`. It finds
 * nothing once the file ends with `text`, because the core runs transforms
 * again until they find nothing.
 */
function appendingTransform(id: string, text: string): Transform {
  return {
    id,
    title: `Append \`${text.trim()}\` (test only)`,
    safety: "safe",
    safetyReason:
      "It is not safe: the engine suite checks that verify sees the change.",
    skipsWhen: [],
    rationale: "It breaks the image on purpose.",
    examples: [],
    find({ dockerfile }) {
      if (dockerfile.text.endsWith(text)) return { findings: [], skips: [] };
      const end = dockerfile.text.length;
      const range = { start: end, end };
      const edits = [{ range, text }];
      return {
        findings: [{ range, message: "appends a line", safety: "safe", edits }],
        skips: [],
      };
    },
  };
}

const appendEnv: BrokenTransform = {
  transform: appendingTransform("test-append-env", "ENV BROKEN=1\n"),
  check(report, expect) {
    const fields = report.differences.config.map(
      (difference) => difference.field,
    );
    expect.equal(fields, ["Env"], "differing config fields");
    expect.equal(report.differences.paths, [], "differing paths");
  },
};

const deleteFile: BrokenTransform = {
  transform: appendingTransform(
    "test-delete-file",
    "RUN rm /etc/debian_version\n",
  ),
  check(report, expect) {
    const paths = report.differences.paths.map(
      (difference) => `${difference.change} ${withoutRoot(difference.path)}`,
    );
    expect.equal(paths, ["removed etc/debian_version"], "differing paths");
    expect.equal(report.differences.config, [], "differing config fields");
  },
};

/**
 * Runs `layerfix verify --unsafe` on a file whose script reads the apt
 * lists after the install, so removing them changes the script's output,
 * and checks exit code 1 and the named path.
 */
async function checkUnsafeDifference(
  work: string,
  expect: Expect,
): Promise<void> {
  const folder = await mkdtemp(join(work, "unsafe-"));
  await writeFile(
    join(folder, "Dockerfile"),
    "FROM debian:bookworm\n" +
      "COPY count-lists.sh /usr/local/bin/count-lists.sh\n" +
      "RUN apt-get update && apt-get install -y --no-install-recommends hello\n" +
      "RUN sh /usr/local/bin/count-lists.sh\n",
  );
  await writeFile(
    join(folder, "count-lists.sh"),
    "#!/bin/sh\nls /var/lib/apt/lists | wc -l > /etc/list-count\n",
  );
  const run = await runMain(["verify", "--unsafe", join(folder, "Dockerfile")]);
  expect.equal(run.code, 1, "exit code");
  expect.ok(
    /Result\s+differs/.test(run.stdout),
    `report has no differs result:\n${run.stdout}`,
  );
  expect.ok(
    /changed\s+\/?etc\/list-count: .*content/.test(run.stdout),
    `report does not name etc/list-count:\n${run.stdout}`,
  );
}

async function runMain(args: string[]): Promise<CommandRun> {
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
  return { code, stdout, stderr };
}

function sumUnder(count: LayerCount, prefix: string): number {
  let bytes = 0;
  for (const [path, size] of count.hidden) {
    if (path.startsWith(prefix)) bytes += size;
  }
  return bytes;
}

function storedUnder(layers: readonly SavedLayer[], prefix: string): number {
  return layers
    .flatMap((layer) => layer.members)
    .filter((member) => member.type === "0" && member.path.startsWith(prefix))
    .reduce((total, member) => total + member.size, 0);
}

/** Drops the leading `/` that inspect and verify reports put on image paths. */
function withoutRoot(path: string): string {
  return path.replace(/^\/+/, "");
}
