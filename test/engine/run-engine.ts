// Runs the Docker engine suite: each case folder, then the checks of
// `layerfix inspect` and `layerfix verify`. Pass case names to run only
// those cases. The inspect and verify checks then run only with
// `--issue-checks`.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { checkEngine, findDockerClient } from "../../src/docker/client.js";
import { checkCase, type CaseRow } from "./cases.js";
import { readCases } from "./fixtures.js";
import { formatSaving, megabytes, percent, Suite } from "./harness.js";
import { runIssueChecks } from "./issue-checks.js";

const root = dirname(fileURLToPath(import.meta.url));

async function main(args: string[]): Promise<number> {
  const started = performance.now();
  const names = args.filter((arg) => !arg.startsWith("--"));
  const client = await findDockerClient();
  if (client === undefined) {
    console.error(
      "engine suite: no Docker client that builds with BuildKit is found. Set LAYERFIX_DOCKER.",
    );
    return 1;
  }
  const engine = await checkEngine(client);
  if (!engine.available) {
    console.error(
      `engine suite: the Docker engine does not respond: ${engine.reason}`,
    );
    return 1;
  }
  console.log(
    `engine suite: Docker client ${client.version}, engine ${engine.version}`,
  );

  const cases = (await readCases(root)).filter(
    (engineCase) => names.length === 0 || names.includes(engineCase.name),
  );
  const unknown = names.filter((name) => !cases.some((c) => c.name === name));
  if (unknown.length > 0) {
    console.error(`engine suite: no case folder named ${unknown.join(", ")}`);
    return 1;
  }

  const suite = new Suite();
  const rows: CaseRow[] = [];
  for (const engineCase of cases) {
    await suite.check(engineCase.name, async (expect) => {
      rows.push(await checkCase(engineCase, client, expect));
    });
  }
  if (names.length === 0 || args.includes("--issue-checks")) {
    await runIssueChecks(suite, client, root);
  }

  printTable(rows);
  const minutes = (performance.now() - started) / 60_000;
  console.log(`total time: ${minutes.toFixed(1)} min`);
  console.log(`${suite.passedCount} passed, ${suite.failedCount} failed`);
  return suite.failedCount === 0 ? 0 : 1;
}

/** Prints one Markdown table row per case, for the README's results. */
function printTable(rows: readonly CaseRow[]): void {
  const size = (bytes: number | undefined) =>
    bytes === undefined ? "-" : megabytes(bytes);
  console.log("");
  console.log("| case | outcome | original | rewritten | saving | seconds |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    const saving = row.saving
      ? `${formatSaving(row.saving.bytes)} (${percent(row.saving.share)})`
      : "-";
    console.log(
      `| ${row.name} | ${row.outcome} | ${size(row.originalSize)} | ` +
        `${size(row.rewrittenSize)} | ${saving} | ${row.seconds.toFixed(1)} |`,
    );
  }
  console.log("");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    console.log("0 passed, 1 failed");
    process.exitCode = 1;
  },
);
