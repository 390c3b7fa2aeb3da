import { ImageSelectionError, PlatformSyntaxError } from "./errors.js";

/** An OCI platform as written in image indexes and configs. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Node's `process.arch` names that differ from the OCI names. */
const NODE_ARCHITECTURES: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  // Node reports little-endian POWER as "ppc64", and images name it ppc64le.
  ppc64: "ppc64le",
};

/** Other spellings that users type in `--platform`. */
const ARCHITECTURE_ALIASES: Record<string, string> = {
  x86_64: "amd64",
  "x86-64": "amd64",
  aarch64: "arm64",
};

/**
 * Parses `os/architecture[/variant]`, as in `docker build --platform`.
 * Throws PlatformSyntaxError for any other shape.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw new PlatformSyntaxError(text);
  }
  const [os = "", architecture = "", variant] = parts;
  return {
    os,
    architecture: ARCHITECTURE_ALIASES[architecture] ?? architecture,
    ...(variant === undefined ? {} : { variant }),
  };
}

/** Formats a platform as `os/architecture[/variant]`. */
export function formatPlatform(platform: Platform): string {
  const { os, architecture, variant } = platform;
  return variant === undefined || variant === ""
    ? `${os}/${architecture}`
    : `${os}/${architecture}/${variant}`;
}

/**
 * Returns the platform that Docker on this machine runs by default. The OS
 * is always linux, because Docker Desktop also runs Linux containers by
 * default on macOS and Windows.
 */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCHITECTURES[process.arch] ?? process.arch;
  return { os: "linux", architecture };
}

/**
 * Returns whether `candidate` is the `requested` platform. A request
 * without a variant accepts every variant, and arm64 equals arm64/v8.
 */
export function matchesPlatform(
  candidate: Platform,
  requested: Platform,
): boolean {
  if (candidate.os !== requested.os) return false;
  if (candidate.architecture !== requested.architecture) return false;
  if (requested.variant === undefined) return true;
  return variantOf(candidate) === variantOf(requested);
}

function variantOf(platform: Platform): string {
  const variant = platform.variant ?? "";
  return platform.architecture === "arm64" && variant === "v8" ? "" : variant;
}

/** A manifest to choose from, and whether its blob is in the archive. */
export interface PlatformCandidate {
  platform?: Platform;
  present: boolean;
}

/**
 * Chooses the manifest for one platform. With a request, exactly one
 * candidate must match. Without one, the order of preference is: the only
 * candidate, the only one whose manifest is in the archive, linux/amd64,
 * and the host's platform. Throws ImageSelectionError when none or several
 * remain.
 */
export function selectPlatform<T extends PlatformCandidate>(
  archivePath: string,
  candidates: readonly T[],
  requested: Platform | undefined,
): T {
  const [only] = candidates;
  // A lone manifest without a platform is checked against its config later.
  if (candidates.length === 1 && only !== undefined) {
    if (requested === undefined || only.platform === undefined) return only;
  }
  if (requested !== undefined) {
    const matches = candidates.filter((c) => hasPlatform(c, requested));
    return requireOne(
      archivePath,
      matches,
      candidates,
      formatPlatform(requested),
    );
  }
  return selectDefault(archivePath, candidates);
}

function selectDefault<T extends PlatformCandidate>(
  archivePath: string,
  candidates: readonly T[],
): T {
  const present = candidates.filter((c) => c.present);
  const pool = present.length > 0 ? present : candidates;
  if (pool.length === 1 && pool[0] !== undefined) return pool[0];
  const preferred = [{ os: "linux", architecture: "amd64" }, hostPlatform()];
  for (const platform of preferred) {
    const matches = pool.filter((c) => hasPlatform(c, platform));
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  }
  return requireOne(archivePath, [], candidates, undefined);
}

function hasPlatform(candidate: PlatformCandidate, platform: Platform) {
  return (
    candidate.platform !== undefined &&
    matchesPlatform(candidate.platform, platform)
  );
}

function requireOne<T extends PlatformCandidate>(
  archivePath: string,
  matches: readonly T[],
  candidates: readonly T[],
  requested: string | undefined,
): T {
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  const available = candidates.map(describeCandidate);
  throw new ImageSelectionError(
    archivePath,
    available,
    `${describeProblem(matches, available, requested)}. ` +
      "Choose one with --platform, for example " +
      `--platform ${available[0] ?? "linux/amd64"}.`,
  );
}

function describeProblem(
  matches: readonly PlatformCandidate[],
  available: readonly string[],
  requested: string | undefined,
): string {
  if (requested === undefined) {
    return `the image has several platforms (${available.join(", ")})`;
  }
  if (matches.length === 0) {
    return (
      `the image has no manifest for ${requested}, ` +
      `only for ${available.join(", ")}`
    );
  }
  const matching = matches.map(describeCandidate).join(", ");
  return `${requested} matches several manifests (${matching})`;
}

function describeCandidate(candidate: PlatformCandidate): string {
  const { platform } = candidate;
  return platform === undefined ? "unknown" : formatPlatform(platform);
}
