import { isDeepStrictEqual } from "node:util";

/** The outcome of one named check. */
export interface CheckResult {
  name: string;
  passed: boolean;
  seconds: number;
  failures: string[];
}

/**
 * Collects failed conditions of one check. A failed condition does not stop
 * the check, so one run lists every cause.
 */
export class Expect {
  readonly failures: string[] = [];

  ok(condition: boolean, message: string): boolean {
    if (!condition) this.failures.push(message);
    return condition;
  }

  equal<T>(actual: T, expected: T, subject: string): boolean {
    return this.ok(
      isDeepStrictEqual(actual, expected),
      `${subject}: expected ${show(expected)}, got ${show(actual)}`,
    );
  }

  atLeast(actual: number, minimum: number, subject: string): boolean {
    return this.ok(
      actual >= minimum,
      `${subject}: expected at least ${minimum}, got ${actual}`,
    );
  }
}

/** Runs checks one after another and prints each outcome on stdout. */
export class Suite {
  readonly results: CheckResult[] = [];

  /**
   * Runs `body` as the check `name`. A thrown error fails the check and is
   * printed with its stack, and later checks still run.
   */
  async check(
    name: string,
    body: (expect: Expect) => Promise<void>,
  ): Promise<CheckResult> {
    const expect = new Expect();
    const started = performance.now();
    try {
      await body(expect);
    } catch (error) {
      const text =
        error instanceof Error ? (error.stack ?? error.message) : String(error);
      expect.failures.push(`threw: ${text}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const result = {
      name,
      passed: expect.failures.length === 0,
      seconds,
      failures: expect.failures,
    };
    this.results.push(result);
    printResult(result);
    return result;
  }

  get failedCount(): number {
    return this.results.filter((result) => !result.passed).length;
  }

  get passedCount(): number {
    return this.results.length - this.failedCount;
  }
}

function printResult(result: CheckResult): void {
  const status = result.passed ? "PASS" : "FAIL";
  console.log(`${status} ${result.name} (${result.seconds.toFixed(1)} s)`);
  for (const failure of result.failures) {
    console.log(indent(failure, "  - "));
  }
}

function indent(text: string, first: string): string {
  const rest = " ".repeat(first.length);
  return text
    .split("\n")
    .map((line, index) => (index === 0 ? first : rest) + line)
    .join("\n");
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text;
}

/** Formats bytes as megabytes of 1000 * 1000 bytes, like `137.7 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Formats a difference in bytes: in MB from 0.1 MB on, else in kB, so a
 * rewrite that only adds whiteout entries does not print as `-0.0 MB`.
 */
export function formatSaving(bytes: number): string {
  if (Math.abs(bytes) >= 1e5) return megabytes(bytes);
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Formats a share from 0 to 1 as a percentage, like `14.4%`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
