/**
 * Runs every `*.Dockerfile` under the given folders through the layerfix
 * command, in process, and checks what a user relies on: no crash, a clear
 * message and exit code 2 for input BuildKit rejects, output that parses
 * with the same instructions apart from intended merges, rewritten RUNs
 * that still parse as shell, a second run that changes nothing, and
 * untouched instructions kept byte for byte. Prints the counts; exits 1 on
 * any violation.
 *
 * Usage: npm run test:corpus -- DIR [DIR...]
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { checkRewrite, type Violation } from "./invariants.js";

interface FileJson {
  path: string;
  changed: boolean;
  findings: {
    transform: string;
    applied: boolean;
    safety: string;
    line: number;
    endLine: number;
  }[];
  skips: { transform: string; reason: string }[];
  error: { kind: string; message: string } | null;
}

function listDockerfiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".Dockerfile"))
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

async function runCommand(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

const counts = {
  files: 0,
  rejected: 0,
  changedSafe: 0,
  changedUnsafe: 0,
  findings: new Map<string, number>(),
  skips: new Map<string, number>(),
};
const violations: Violation[] = [];

function findingKey(finding: FileJson["findings"][number]): string {
  if (finding.applied) return `${finding.transform} (applied)`;
  return `${finding.transform} (${finding.safety === "proposal" ? "proposal" : "unsafe, withheld"})`;
}

/** Replaces code and line numbers in a reason, so reasons group by kind. */
function generalize(reason: string): string {
  return reason.replace(/`[^`]*`/g, "`…`").replace(/\b\d+\b/g, "N");
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function checkFile(path: string): Promise<void> {
  counts.files++;
  for (const unsafe of [false, true]) {
    const args = unsafe ? ["--json", "--unsafe", path] : ["--json", path];
    const { code, stdout, stderr } = await runCommand(args);
    const report = JSON.parse(stdout).files[0] as FileJson;
    if (report.error) {
      if (report.error.kind !== "parse" && report.error.kind !== "input") {
        violations.push({
          path,
          problem: `crash or internal error: ${report.error.message}`,
        });
      } else if (code !== 2 || !stderr.includes(path)) {
        violations.push({
          path,
          problem: `rejected input without exit 2 and a message naming the file`,
        });
      } else if (!unsafe) counts.rejected++;
      return;
    }
    if (unsafe) {
      if (report.changed) counts.changedUnsafe++;
    } else {
      if (report.changed) counts.changedSafe++;
      for (const finding of report.findings) {
        increment(counts.findings, findingKey(finding));
      }
      for (const skip of report.skips) {
        increment(
          counts.skips,
          `${skip.transform}: ${generalize(skip.reason)}`,
        );
      }
    }
    violations.push(...(await checkRewrite(path, unsafe)));
  }
}

async function checkAll(folders: string[]): Promise<number> {
  if (folders.length === 0) {
    process.stderr.write("usage: npm run test:corpus -- DIR [DIR...]\n");
    return 2;
  }
  const started = performance.now();
  for (const folder of folders) {
    for (const path of listDockerfiles(folder)) await checkFile(path);
  }
  printCounts((performance.now() - started) / 1000);
  for (const violation of violations)
    process.stdout.write(`FAIL ${violation.path}: ${violation.problem}\n`);
  process.stdout.write(
    `${counts.files - new Set(violations.map((v) => v.path)).size} passed, ${new Set(violations.map((v) => v.path)).size} failed\n`,
  );
  return violations.length === 0 ? 0 : 1;
}

function printCounts(seconds: number): void {
  const lines = [
    `files: ${counts.files} (${seconds.toFixed(1)} s)`,
    `rejected as invalid (exit 2 with a message): ${counts.rejected}`,
    `changed by the default run: ${counts.changedSafe}`,
    `changed with --unsafe: ${counts.changedUnsafe}`,
    "findings per transform (default run):",
    ...[...counts.findings].sort().map(([key, value]) => `  ${key}: ${value}`),
    "skips per reason (default run):",
    ...[...counts.skips]
      .sort((a, b) => b[1] - a[1])
      .map(([key, value]) => `  ${value}  ${key}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

process.exitCode = await checkAll(process.argv.slice(2));
