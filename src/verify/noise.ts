import { compileGlob, type ConfigField } from "../image/index.js";
import type { NoiseReport } from "./types.js";

/**
 * Paths that differ between two `--no-cache` builds of the same Dockerfile,
 * used when the original is not built twice. Each entry was seen to differ
 * between two builds of apt-installing Dockerfiles on `debian:bookworm`
 * (Docker Engine 20.10.24, BuildKit through `docker build`):
 *
 * - `var/log/**`: dpkg.log, apt/history.log and apt/term.log carry the
 *   time of each run. The glob also covers the other logs in the folder.
 * - `var/cache/ldconfig/aux-cache`: ldconfig stores each library's inode
 *   number and change time in it.
 * - `etc/shadow`, `etc/shadow-`: `chpasswd` hashes with a random salt, and
 *   `useradd` stores the day of the change. `shadow-` is the previous copy.
 * - `__pycache__` folders at any depth: a `.pyc` file stores its source
 *   file's mtime.
 *
 * `etc/ld.so.cache`, `var/cache/debconf/*-old`, `var/lib/dpkg/*-old` and
 * `var/cache/apt/*.bin` did not differ there, so they are not listed. Pass
 * `noise: true` to measure the noise of a particular Dockerfile instead.
 */
export const DEFAULT_NOISE_PATTERNS: readonly string[] = [
  "var/log/**",
  "var/cache/ldconfig/aux-cache",
  "etc/shadow",
  "etc/shadow-",
  "**/__pycache__/**",
];

/** The paths and config fields that the comparison sets aside as noise. */
export interface NoiseRule {
  source: NoiseReport["source"];
  patterns: readonly string[];
  fields: readonly ConfigField[];
  /** Returns true for a path (with leading `/`) that counts as noise. */
  matches(path: string): boolean;
}

/** Creates the rule for DEFAULT_NOISE_PATTERNS. */
export function defaultNoise(): NoiseRule {
  const compiled = DEFAULT_NOISE_PATTERNS.map(compileGlob);
  return {
    source: "default",
    patterns: DEFAULT_NOISE_PATTERNS,
    fields: [],
    matches: (path) => compiled.some((glob) => glob.test(path)),
  };
}

/**
 * Creates the rule for paths and fields that differed between two builds
 * of the original. Paths match exactly, so a directory whose mode differed
 * does not hide the files below it.
 */
export function measuredNoise(
  paths: readonly string[],
  fields: readonly ConfigField[],
): NoiseRule {
  const exact = new Set(paths);
  return {
    source: "measured",
    patterns: [...paths],
    fields: [...fields],
    matches: (path) => exact.has(path),
  };
}
