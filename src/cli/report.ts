import type { ReportedFinding, ReportedSkip } from "../run.js";

/** The result of one input file, as the CLI reports it. */
export interface FileReport {
  path: string;
  changed: boolean;
  written: boolean;
  diff: string;
  /** The rewritten text; `undefined` when the file could not be processed. */
  output: string | undefined;
  findings: ReportedFinding[];
  skips: ReportedSkip[];
  proposals: {
    transform: string;
    line: number;
    column: number;
    message: string;
    diff: string;
  }[];
  passes: number;
  error: { kind: "input" | "parse" | "internal"; message: string } | undefined;
}

/** Version of the `--json` shape; it changes only when a field changes meaning or goes away. */
export const JSON_FORMAT_VERSION = 1;

/** Formats a finding as `path:line:column id [marker] message (title)`. */
export function formatFinding(path: string, finding: ReportedFinding): string {
  const marker = finding.applied
    ? ""
    : finding.safety === "unsafe"
      ? " [unsafe, withheld]"
      : finding.safety === "proposal"
        ? " [proposal]"
        : "";
  const note = finding.safetyNote ? `; ${finding.safetyNote}` : "";
  return `${path}:${finding.line}:${finding.column} ${finding.transform}${marker} ${finding.message}${note} (${finding.title})`;
}

export function formatSkip(path: string, skip: ReportedSkip): string {
  return `${path}:${skip.line}:${skip.column} ${skip.transform} skipped: ${skip.reason}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Builds the one summary line printed on stderr. */
export function summarize(
  reports: FileReport[],
  mode: { write: boolean; unsafe: boolean },
): string {
  const applied = count(reports, (finding) => finding.applied);
  const withheld = count(
    reports,
    (finding) => !finding.applied && finding.safety === "unsafe",
  );
  const proposals = reports.reduce(
    (sum, report) => sum + report.proposals.length,
    0,
  );
  const changed = reports.filter((report) => report.changed).length;
  const failed = reports.filter((report) => report.error).length;
  const parts: string[] = [];
  if (applied === 0)
    parts.push(`no changes in ${plural(reports.length, "file")}`);
  else if (mode.write) {
    const written = reports.filter((report) => report.written);
    const writtenChanges = count(written, (finding) => finding.applied);
    parts.push(
      `${plural(writtenChanges, "change")} written to ${written.length} of ${plural(reports.length, "file")}`,
    );
  } else
    parts.push(
      `${plural(applied, "change")} in ${changed} of ${plural(reports.length, "file")}, not written (use --write)`,
    );
  if (withheld > 0)
    parts.push(`${plural(withheld, "unsafe change")} withheld (use --unsafe)`);
  if (proposals > 0)
    parts.push(`${plural(proposals, "proposal")} (see --json)`);
  if (failed > 0) parts.push(`${plural(failed, "file")} with errors`);
  return `layerfix: ${parts.join("; ")}`;
}

function count(
  reports: FileReport[],
  predicate: (finding: ReportedFinding) => boolean,
): number {
  return reports.reduce(
    (sum, report) => sum + report.findings.filter(predicate).length,
    0,
  );
}

/** Builds the `--json` document. */
export function toJson(reports: FileReport[], version: string): string {
  const document = {
    format: JSON_FORMAT_VERSION,
    tool: { name: "layerfix", version },
    files: reports.map((report) => ({
      path: report.path,
      changed: report.changed,
      diff: report.diff,
      findings: report.findings,
      skips: report.skips,
      proposals: report.proposals,
      passes: report.passes,
      error: report.error ?? null,
    })),
    summary: {
      files: reports.length,
      changedFiles: reports.filter((report) => report.changed).length,
      applied: count(reports, (finding) => finding.applied),
      withheld: count(
        reports,
        (finding) => !finding.applied && finding.safety === "unsafe",
      ),
      proposals: reports.reduce(
        (sum, report) => sum + report.proposals.length,
        0,
      ),
      errors: reports.filter((report) => report.error).length,
    },
  };
  return JSON.stringify(document, null, 2) + "\n";
}
