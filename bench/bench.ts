/**
 * Measures layerfix on folders of Dockerfiles and prints a Markdown table.
 * It reports the throughput of the whole pipeline in one process (read,
 * decode, optimize with the diff, as the command does it), with and
 * without a build context, and the peak RSS of that process. It also times
 * the built command's start-up on one file, in its folder and alone in a
 * new one. The in-process passes run the TypeScript sources through tsx.
 *
 * Usage: npm run bench -- DIR [DIR...]
 * (the `bench` script builds dist/ first, which the start-up runs need)
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  createFolderContext,
  optimize,
  ParseError,
  transforms,
} from "../src/api.js";

const TIMED_PASSES = 3;
const STARTUP_RUNS = 15;
const THROUGHPUT_GOAL = 1000;
const STARTUP_GOAL_MS = 300;

const root = join(import.meta.dirname, "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const decoder = new TextDecoder("utf-8", { fatal: true });

type Outcome = "rewritten" | "unchanged" | "rejected" | "failed";

/** Outcome counts of one pass over the files. */
interface PassResult {
  counts: Record<Outcome, number>;
  /** The first file that parsed and rewrote without an error. */
  firstAccepted: string | undefined;
}

function listDockerfiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".Dockerfile"))
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

/**
 * Rewrites one file as `layerfix FILE` does, with the file's folder as the
 * build context unless `withContext` is false. Returns "rejected" for
 * input that is not UTF-8 or that BuildKit would not parse.
 */
async function processFile(
  path: string,
  withContext: boolean,
): Promise<Outcome> {
  let text: string;
  try {
    text = decoder.decode(readFileSync(path));
  } catch {
    return "rejected";
  }
  const context = withContext
    ? createFolderContext(resolve(dirname(path)), {
        dockerfile: resolve(path),
      })
    : undefined;
  try {
    const result = await optimize(text, { path, context });
    return result.output === text ? "unchanged" : "rewritten";
  } catch (error) {
    if (error instanceof ParseError) return "rejected";
    return "failed";
  }
}

async function runPass(
  files: string[],
  withContext: boolean,
): Promise<PassResult> {
  const counts = { rewritten: 0, unchanged: 0, rejected: 0, failed: 0 };
  let firstAccepted: string | undefined;
  for (const path of files) {
    const outcome = await processFile(path, withContext);
    counts[outcome]++;
    if (outcome === "rewritten" || outcome === "unchanged") {
      firstAccepted ??= path;
    }
  }
  return { counts, firstAccepted };
}

/** Throughput of the timed passes that follow one warm-up pass. */
interface Throughput {
  warmup: PassResult;
  passSeconds: number[];
  filesPerSecond: number;
  msPerFile: number;
}

async function measureThroughput(
  files: string[],
  withContext: boolean,
): Promise<Throughput> {
  const warmup = await runPass(files, withContext);
  const passSeconds: number[] = [];
  for (let pass = 0; pass < TIMED_PASSES; pass++) {
    const started = performance.now();
    await runPass(files, withContext);
    passSeconds.push((performance.now() - started) / 1000);
  }
  const seconds = median(passSeconds);
  return {
    warmup,
    passSeconds,
    filesPerSecond: files.length / seconds,
    msPerFile: (seconds * 1000) / files.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Returns the nearest-rank percentile, `fraction` between 0 and 1. */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

/**
 * Runs the built command on one file and returns the wall time of each
 * run in milliseconds, from spawn to exit.
 */
function measureStartup(file: string): number[] {
  const times: number[] = [];
  for (let run = 0; run < STARTUP_RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [bin, file], {
      encoding: "utf8",
    });
    times.push(performance.now() - started);
    if (result.status !== 0 && result.status !== 1) {
      throw new Error(
        `\`node ${bin} ${file}\` exited with ${result.status}: ${result.stderr.trim()}`,
      );
    }
  }
  return times;
}

function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * Times the command on a copy of the file in a new temporary folder, so
 * that the build context holds only the Dockerfile.
 */
function measureStartupAlone(file: string): number[] {
  const folder = mkdtempSync(join(os.tmpdir(), "layerfix-bench-"));
  try {
    const copy = join(folder, "Dockerfile");
    copyFileSync(file, copy);
    return measureStartup(copy);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function describeThroughput(throughput: Throughput): string {
  const rate = formatNumber(throughput.filesPerSecond);
  return `${rate} files/s, ${formatNumber(throughput.msPerFile, 3)} ms per file`;
}

function describeSeconds(throughput: Throughput): string {
  return throughput.passSeconds
    .map((seconds) => `${seconds.toFixed(2)} s`)
    .join(", ");
}

function describeStartup(times: number[]): string {
  const middle = formatNumber(median(times));
  return `median ${middle} ms, p90 ${formatNumber(percentile(times, 0.9))} ms`;
}

function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  return `${model}, ${cpus.length} cores, Node ${process.version}`;
}

function describeCounts(counts: Record<Outcome, number>): string {
  return [
    `${formatNumber(counts.rewritten)} rewritten`,
    `${formatNumber(counts.unchanged)} unchanged`,
    `${formatNumber(counts.rejected)} rejected as invalid`,
    `${formatNumber(counts.failed)} internal errors`,
  ].join(", ");
}

function goalText(met: boolean): string {
  return met ? "met" : "missed";
}

async function main(folders: string[]): Promise<number> {
  if (folders.length === 0) {
    process.stderr.write("usage: npm run bench -- DIR [DIR...]\n");
    return 2;
  }
  if (!existsSync(bin)) {
    process.stderr.write(
      `bench: ${bin} is missing. Run \`npm run build\` first, or use \`npm run bench\`.\n`,
    );
    return 2;
  }
  const files = folders.flatMap(listDockerfiles);
  if (files.length === 0) {
    process.stderr.write(
      `bench: no *.Dockerfile found in ${folders.join(", ")}\n`,
    );
    return 2;
  }
  const loadBefore = os.loadavg()[0]!;

  const withContext = await measureThroughput(files, true);
  const withoutContext = await measureThroughput(files, false);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  const startupFile = withContext.warmup.firstAccepted;
  if (!startupFile) {
    process.stderr.write("bench: every file was rejected or failed\n");
    return 1;
  }
  const inPlace = measureStartup(startupFile);
  const alone = measureStartupAlone(startupFile);

  const lines = [
    "| measure | value |",
    "| --- | --- |",
    `| files | ${formatNumber(files.length)}: ${describeCounts(withContext.warmup.counts)} |`,
    `| transforms | ${transforms.length} |`,
    `| throughput, one process, median of ${TIMED_PASSES} passes | ${describeThroughput(withContext)} |`,
    `| the same without a build context | ${describeThroughput(withoutContext)} |`,
    `| peak RSS of that process | ${formatNumber(peakRssMiB)} MiB |`,
    `| start-up, \`node dist/src/cli/bin.js FILE\`, ${STARTUP_RUNS} runs | ${describeStartup(inPlace)} |`,
    `| the same with FILE alone in a new folder | ${describeStartup(alone)} |`,
    `| machine | ${describeMachine()} |`,
    "",
    `Passes with a build context took ${describeSeconds(withContext)},` +
      ` and without one ${describeSeconds(withoutContext)},` +
      ` over ${folders.join(", ")}.`,
    `Start-up file: ${startupFile} (${formatNumber(statSync(startupFile).size)} bytes).`,
    `Load average (1 min) before the run: ${loadBefore.toFixed(2)}.`,
    `Goal ≥ ${formatNumber(THROUGHPUT_GOAL)} files/s: ${goalText(withContext.filesPerSecond >= THROUGHPUT_GOAL)}.` +
      ` Goal < ${STARTUP_GOAL_MS} ms start-up (median, in place): ${goalText(median(inPlace) < STARTUP_GOAL_MS)}.`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
