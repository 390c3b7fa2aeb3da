import { formatBytes, formatShare, normalizeShare } from "./format.js";
import type { InspectReport } from "./report.js";

/**
 * CI limits for `layerfix inspect`. Shares are fractions from 0 to 1, or
 * percentages when above 1 (90 means 90%).
 */
export interface Thresholds {
  /** Fails when efficiency is below this share. */
  lowestEfficiency?: number;
  /** Fails when the wasted bytes exceed this count. */
  highestWastedBytes?: number;
  /** Fails when wasted bytes divided by the image size exceed this share. */
  highestWastedShare?: number;
}

export interface ThresholdCheck {
  name: keyof Thresholds;
  /** The limit as a fraction or a byte count. */
  limit: number;
  actual: number;
  passed: boolean;
  /** One sentence that states the value and the limit. */
  message: string;
}

export interface ThresholdResult {
  passed: boolean;
  checks: ThresholdCheck[];
  /** The messages of the failed checks. */
  failures: string[];
}

/** Checks the report against each limit that is set. */
export function evaluateThresholds(
  report: InspectReport,
  thresholds: Thresholds,
): ThresholdResult {
  const checks: ThresholdCheck[] = [];
  const { lowestEfficiency, highestWastedBytes, highestWastedShare } =
    thresholds;
  if (lowestEfficiency !== undefined) {
    checks.push(checkEfficiency(report, normalizeShare(lowestEfficiency)));
  }
  if (highestWastedBytes !== undefined) {
    checks.push(checkWastedBytes(report, highestWastedBytes));
  }
  if (highestWastedShare !== undefined) {
    checks.push(checkWastedShare(report, normalizeShare(highestWastedShare)));
  }
  const failures = checks.filter((c) => !c.passed).map((c) => c.message);
  return { passed: failures.length === 0, checks, failures };
}

function checkEfficiency(report: InspectReport, limit: number): ThresholdCheck {
  const actual = report.efficiency;
  const passed = actual >= limit;
  const relation = passed ? "meets" : "is below";
  return {
    name: "lowestEfficiency",
    limit,
    actual,
    passed,
    message:
      `efficiency ${formatShare(actual)} ${relation} ` +
      `the lowest allowed ${formatShare(limit)}`,
  };
}

function checkWastedBytes(
  report: InspectReport,
  limit: number,
): ThresholdCheck {
  const actual = report.wastedBytes;
  const passed = actual <= limit;
  const relation = passed ? "is within" : "exceeds";
  return {
    name: "highestWastedBytes",
    limit,
    actual,
    passed,
    message:
      `wasted ${formatBytes(actual)} (${actual} bytes) ${relation} ` +
      `the highest allowed ${formatBytes(limit)} (${limit} bytes)`,
  };
}

function checkWastedShare(
  report: InspectReport,
  limit: number,
): ThresholdCheck {
  const actual = report.wastedShare;
  const passed = actual <= limit;
  const relation = passed ? "is within" : "exceeds";
  return {
    name: "highestWastedShare",
    limit,
    actual,
    passed,
    message:
      `wasted share ${formatShare(actual)} of the image size ${relation} ` +
      `the highest allowed ${formatShare(limit)}`,
  };
}
