import { OptionValueError } from "./errors.js";

/** SI units, each 1000 times the one before. */
const SI_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Line that states the unit convention wherever sizes are printed. */
export const SIZE_UNITS_NOTE =
  "Sizes use SI units: 1 kB = 1000 bytes, 1 MB = 1000 kB.";

const UNIT_FACTORS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Formats a byte count in SI units with one decimal, like `42.7 MB`.
 * Counts below 1000 print whole, like `512 B`.
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  // Compare the rounded value, so 999,960 bytes prints as 1.0 MB.
  while (Math.round(value * 10) / 10 >= 1000 && unit < SI_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${value.toFixed(digits)} ${SI_UNITS[unit]}`;
}

/** Formats a share from 0 to 1 as a percentage with one decimal: `85.1%`. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * Parses a byte count with an optional unit: `500MB`, `1.5 GB`, `200MiB`,
 * `1000000`. kB, MB, GB and TB are SI units, while KiB, MiB, GiB and TiB
 * are powers of 1024. Throws OptionValueError for anything else.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = UNIT_FACTORS[(match?.[2] ?? "").toLowerCase()];
  if (match === null || factor === undefined) {
    throw new OptionValueError(
      text,
      `invalid size \`${text}\`. Write a number of bytes with an optional ` +
        "unit, for example 500MB, 1.5GB or 200MiB.",
    );
  }
  return Math.round(Number(match[1]) * factor);
}

/**
 * Parses a share as a fraction (`0.9`) or a percentage (`90%`, `90`).
 * A number above 1 counts as a percentage, so `1` means 100%. Write 1% as
 * `1%` or `0.01`. Throws OptionValueError outside 0 to 100%.
 */
export function parseShare(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = Number(match?.[1]);
  // A plain number above 1 is rejected: 1.5 could mean 1.5% or 150%.
  const share = match?.[2] === "%" ? value / 100 : value;
  if (match === null || !(share >= 0 && share <= 1)) {
    throw new OptionValueError(
      text,
      `invalid share \`${text}\`. Write a fraction from 0 to 1 or a ` +
        "percentage, for example 0.9 or 90%.",
    );
  }
  return share;
}

/** Normalizes a share given as a number: above 1 counts as a percentage. */
export function normalizeShare(value: number): number {
  return value > 1 ? value / 100 : value;
}
