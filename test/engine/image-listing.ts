// Lists the files of an image from inside a container, without layerfix's
// image module, so the suite can check what `verifyRewrite` compares.
import { dockerOk } from "./docker.js";

/**
 * Files that the engine mounts into every container or creates in it, so
 * they show the container and not the image.
 */
const CONTAINER_FILES = [
  "/etc/hosts",
  "/etc/hostname",
  "/etc/resolv.conf",
  "/.dockerenv",
];

/** The image config fields that the suite compares, as in `docker inspect`. */
export const CONFIG_FIELDS = [
  "Env",
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "ExposedPorts",
  "Labels",
  "Healthcheck",
  "OnBuild",
] as const;

// `find -xdev` stays out of /proc, /sys and /dev, which the engine mounts.
// Each path prints as PATH<TAB>TYPE<TAB>MODE<TAB>UID:GID<TAB>TARGET<NUL>.
const LIST_SCRIPT = `
prune='${CONTAINER_FILES.map((path) => `-path ${path}`).join(" -o ")}'
find / -xdev \\( $prune \\) -prune -o -printf '%p\\t%y\\t%m\\t%U:%G\\t%l\\0'
printf '\\n--- sha256 ---\\n'
find / -xdev \\( $prune \\) -prune -o -type f -print0 |
  xargs -0 -r sha256sum --zero
`;

/**
 * Returns each path of the image (without the leading `/`) with its type,
 * permission bits, owner, symlink target and, for regular files, the
 * SHA-256 of the content. Runs `find` as root in a container with no
 * network, which it removes afterwards.
 */
export async function listImagePaths(
  image: string,
): Promise<Map<string, string>> {
  const output = await dockerOk([
    "run",
    "--rm",
    "--network",
    "none",
    "--user",
    "0:0",
    "--entrypoint",
    "/bin/sh",
    image,
    "-c",
    LIST_SCRIPT,
  ]);
  const [listing = "", hashes = ""] = output.split("\n--- sha256 ---\n");

  const hashByPath = new Map<string, string>();
  for (const line of hashes.split("\0")) {
    // sha256sum prints `HASH  PATH`, two spaces apart.
    const match = /^([0-9a-f]{64}) {2}(.*)$/s.exec(line);
    if (match) hashByPath.set(match[2]!, match[1]!);
  }

  const paths = new Map<string, string>();
  for (const record of listing.split("\0")) {
    if (record === "") continue;
    const [path = "", type, mode, owner, target] = record.split("\t");
    const hash = type === "f" ? (hashByPath.get(path) ?? "unread") : "";
    const description = [type, mode, owner, target, hash].join(" ");
    paths.set(path.replace(/^\/+/, ""), description.trim());
  }
  return paths;
}

/** Returns the paths that are missing from one listing or described differently. */
export function differingPaths(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((path) => before.get(path) !== after.get(path))
    .sort();
}

/** Returns the compared config fields of an image, from `docker image inspect`. */
export async function readConfigFields(
  image: string,
): Promise<Record<string, unknown>> {
  const output = await dockerOk([
    "image",
    "inspect",
    "--format",
    "{{json .Config}}",
    image,
  ]);
  const config = JSON.parse(output) as Record<string, unknown>;
  return Object.fromEntries(
    CONFIG_FIELDS.map((field) => [field, config[field] ?? null]),
  );
}
