import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll } from "vitest";
import { buildTar, type TarEntrySpec } from "./image-tar.js";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** A history entry as written to an image config. */
export interface HistoryEntry {
  created_by?: string;
  empty_layer?: boolean;
  comment?: string;
}

/** Layer contents for a test image: the uncompressed tar and its blob. */
export interface TestLayer {
  tar: Buffer;
  /** Bytes as stored; the tar itself unless compressed. */
  blob: Buffer;
}

const createdFolders: string[] = [];

// Each test file imports this module anew, so this removes its own folders.
afterAll(() => {
  for (const folder of createdFolders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Creates a temporary folder that is removed after the test file. */
export function makeTempDir(prefix = "layerfix-image-"): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  createdFolders.push(folder);
  return folder;
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function layer(
  entries: readonly TarEntrySpec[],
  compress: (tar: Buffer) => Buffer = (tar) => tar,
): TestLayer {
  const tar = buildTar(entries);
  return { tar, blob: compress(tar) };
}

/** Builds an image config whose history has one RUN step per layer. */
export function imageConfig(
  layers: readonly TestLayer[],
  options: {
    history?: HistoryEntry[];
    platform?: { os: string; architecture: string; variant?: string };
    config?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const platform = options.platform ?? { os: "linux", architecture: "amd64" };
  return {
    ...platform,
    config: options.config ?? { Env: ["PATH=/usr/bin"], Cmd: ["sh"] },
    rootfs: {
      type: "layers",
      diff_ids: layers.map((l) => `sha256:${sha256(l.tar)}`),
    },
    history:
      options.history ??
      layers.map((_, i) => ({
        created_by: `RUN /bin/sh -c step${i} # buildkit`,
      })),
  };
}

/** Writes a Docker 24-style layout: manifest.json, `<id>/layer.tar`. */
export function writeLegacyImage(
  root: string,
  layers: readonly TestLayer[],
  config: Record<string, unknown>,
  repoTags: string[] = ["example/app:latest"],
): void {
  const configText = JSON.stringify(config);
  const configName = `${sha256(configText)}.json`;
  writeFileSync(join(root, configName), configText);
  const layerNames = layers.map((l) => {
    const name = `${sha256(l.blob)}/layer.tar`;
    mkdirSync(join(root, dirname(name)), { recursive: true });
    writeFileSync(join(root, name), l.blob);
    return name;
  });
  const manifest = [
    { Config: configName, RepoTags: repoTags, Layers: layerNames },
  ];
  writeFileSync(join(root, "manifest.json"), JSON.stringify(manifest));
}

/** Writes a blob under blobs/sha256 and returns its descriptor. */
export function writeBlob(
  root: string,
  data: Buffer | object,
  mediaType: string,
): Descriptor {
  const bytes = Buffer.isBuffer(data)
    ? data
    : Buffer.from(JSON.stringify(data));
  const hex = sha256(bytes);
  mkdirSync(join(root, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(root, "blobs", "sha256", hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** Writes the config, layers and manifest of one platform image. */
export function writeOciManifest(
  root: string,
  layers: readonly TestLayer[],
  config: Record<string, unknown>,
  layerMediaType = OCI_LAYER,
): Descriptor {
  const configDescriptor = writeBlob(root, config, OCI_CONFIG);
  const layerDescriptors = layers.map((l) =>
    writeBlob(root, l.blob, layerMediaType),
  );
  return writeBlob(
    root,
    {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: configDescriptor,
      layers: layerDescriptors,
    },
    OCI_MANIFEST,
  );
}

/** Writes `oci-layout` and `index.json` listing the given descriptors. */
export function writeOciIndex(
  root: string,
  manifests: readonly Descriptor[],
): void {
  writeFileSync(
    join(root, "oci-layout"),
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );
  writeFileSync(
    join(root, "index.json"),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
  );
}

/** Writes a single-platform OCI layout as Docker 25 saves it. */
export function writeOciImage(
  root: string,
  layers: readonly TestLayer[],
  config: Record<string, unknown>,
  layerMediaType = OCI_LAYER,
): Descriptor {
  const manifest = writeOciManifest(root, layers, config, layerMediaType);
  writeOciIndex(root, [
    {
      ...manifest,
      annotations: {
        "io.containerd.image.name": "docker.io/example/app:latest",
        "org.opencontainers.image.ref.name": "latest",
      },
    },
  ]);
  return manifest;
}

/** Packs a folder into a tar file, as `docker save` would write it. */
export function packDirectory(root: string, tarPath: string): string {
  const entries: TarEntrySpec[] = [];
  const visit = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const member = relative(root, path);
      if (statSync(path).isDirectory()) {
        entries.push({ name: `${member}/`, type: "directory" });
        visit(path);
      } else {
        entries.push({ name: member, content: readFileSync(path) });
      }
    }
  };
  visit(root);
  writeFileSync(tarPath, buildTar(entries));
  return tarPath;
}
