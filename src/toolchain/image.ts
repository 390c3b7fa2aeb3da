/** A build toolchain that a runtime stage can leave behind. */
export type Toolchain = "go" | "node";

/** An image reference split at its tag and digest. */
export interface ImageReference {
  /** Everything before the tag, for example `docker.io/library/golang`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits an image reference as written, variables left unexpanded. */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf("@");
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const colon = name.lastIndexOf(":");
  if (colon <= name.lastIndexOf("/")) {
    return { repository: name, tag: undefined, digest };
  }
  return {
    repository: name.slice(0, colon),
    tag: name.slice(colon + 1),
    digest,
  };
}

const OFFICIAL = /^(docker\.io\/)?(library\/)?(golang|node)$/;
const WINDOWS_TAG = /windowsservercore|nanoserver/;

/** Returns the toolchain of an official Linux `golang` or `node` image. */
export function toolchainOf(reference: ImageReference): Toolchain | undefined {
  const name = OFFICIAL.exec(reference.repository)?.[3];
  if (!name || WINDOWS_TAG.test(reference.tag ?? "")) return undefined;
  return name === "golang" ? "go" : "node";
}

/** The working directory each toolchain image sets, before any `WORKDIR`. */
export const IMAGE_WORKDIR: Record<Toolchain, string> = {
  // The official golang image's Dockerfile sets GOPATH to /go and ends
  // with `WORKDIR $GOPATH`.
  go: "/go",
  node: "/",
};

/** Requirements of a Go binary on its runtime image. */
export interface GoRuntimeNeeds {
  /** CGO_ENABLED=0 is set, so the binary links no C library. */
  staticBinary: boolean;
  /** Shell-form commands or a copied `RUN` need `/bin/sh`. */
  needsShell: boolean;
}

const DEBIAN_RELEASE = /(trixie|bookworm|bullseye|buster)/;
const ALPINE_RELEASE = /alpine(\d+\.\d+)?/;

/**
 * Chooses the runtime base for a Go binary built on `build`: distroless for
 * a static binary that needs no shell, else the build image's distribution.
 */
export function goRuntimeBase(
  build: ImageReference,
  needs: GoRuntimeNeeds,
): string {
  if (needs.staticBinary && !needs.needsShell) {
    return "gcr.io/distroless/static-debian12";
  }
  const tag = build.tag ?? "";
  const alpine = ALPINE_RELEASE.exec(tag);
  if (alpine) return `alpine:${alpine[1] ?? "3"}`;
  // NOTE: a tag without a release name gets bookworm, which may be older
  // than the release the golang image uses at build time.
  const release = DEBIAN_RELEASE.exec(tag)?.[1] ?? "bookworm";
  return `debian:${release}-slim`;
}

/** Node tags that have a `-slim` variant: a version or alias, then an optional release. */
const SLIM_CAPABLE =
  /^(\d+(\.\d+){0,2}|lts|current|latest|[a-z]+)(-(trixie|bookworm|bullseye|buster))?$/;

/**
 * Chooses the runtime base for a Node.js build on `build`: the `-slim`
 * variant of the same tag when one exists, else the same image.
 */
export function nodeRuntimeBase(
  build: ImageReference,
  written: string,
): string {
  const { repository, tag, digest } = build;
  if (digest !== undefined) return written;
  if (tag === undefined || tag === "latest") return `${repository}:slim`;
  if (!SLIM_CAPABLE.test(tag) || /alpine|slim/.test(tag)) return written;
  return `${repository}:${tag}-slim`;
}

const ACCOUNTS_BY_BASE: [RegExp, string[]][] = [
  [/^gcr\.io\/distroless\//, ["root", "nonroot", "nobody"]],
  [/^alpine:/, ["root", "nobody"]],
  [/^debian:/, ["root", "daemon", "bin", "nobody", "www-data"]],
  [/^(docker\.io\/)?(library\/)?node$/, ["root", "node", "nobody"]],
];

/** Returns the accounts a runtime base is known to have in /etc/passwd. */
export function knownAccounts(runtimeBase: string): Set<string> {
  const repository = parseImageReference(runtimeBase).repository;
  for (const [pattern, accounts] of ACCOUNTS_BY_BASE) {
    if (pattern.test(runtimeBase) || pattern.test(repository)) {
      return new Set(accounts);
    }
  }
  return new Set(["root"]);
}
