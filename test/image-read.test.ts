import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ImageFormatError,
  ImageReadError,
  ImageSelectionError,
  LayerFormatError,
  MissingBlobError,
} from "../src/image/errors.js";
import { readImage } from "../src/image/image.js";
import { takeSnapshot } from "../src/image/snapshot.js";
import {
  OCI_INDEX,
  OCI_MANIFEST,
  imageConfig,
  layer,
  makeTempDir,
  packDirectory,
  sha256,
  writeBlob,
  writeLegacyImage,
  writeOciImage,
  writeOciIndex,
  writeOciManifest,
  type Descriptor,
  type TestLayer,
} from "./helpers/image-archive.js";
import {
  buildTar,
  bytes,
  file,
  gzip,
  zstdRawFrame,
} from "./helpers/image-tar.js";

const baseLayers = (): TestLayer[] => [
  layer([file("etc/os-release", "ID=test\n")]),
  layer([file("app/main.js", bytes(300))]),
];

/** Returns the folder and a tar file packed from it. */
function bothForms(root: string): string[] {
  return [root, packDirectory(root, join(makeTempDir(), "image.tar"))];
}

async function fileNames(path: string, options = {}): Promise<string[]> {
  const image = await readImage(path, options);
  return takeSnapshot(image.filesystem)
    .entries.filter((e) => e.type === "file")
    .map((e) => e.path);
}

describe("readImage with the legacy layout", () => {
  const root = makeTempDir();
  const layers = baseLayers();
  writeLegacyImage(root, layers, imageConfig(layers), ["example/app:1.0"]);

  it.each(bothForms(root))(
    "reads layers and metadata from %s",
    async (path) => {
      const image = await readImage(path);
      expect(image.layout).toBe("legacy");
      expect(image.references).toEqual(["example/app:1.0"]);
      expect(image.platform).toEqual({ os: "linux", architecture: "amd64" });
      expect(image.layers).toHaveLength(2);
      expect(image.layers[1]?.size).toBe(layers[1]?.tar.length);
      expect(image.layers[1]?.diffId).toBe(
        `sha256:${sha256(layers[1]?.tar ?? "")}`,
      );
      expect(await fileNames(path)).toEqual([
        "/app/main.js",
        "/etc/os-release",
      ]);
    },
  );

  it("follows a layer.tar symlink to the first copy", async () => {
    const tarLayer = buildTar([file("same", "content")]);
    const config = JSON.stringify(imageConfig([layer([]), layer([])]));
    const manifest = [
      {
        Config: "c.json",
        RepoTags: [],
        Layers: ["a/layer.tar", "b/layer.tar"],
      },
    ];
    const archive = buildTar([
      file("a/layer.tar", tarLayer),
      { name: "b/layer.tar", type: "symlink", linkName: "../a/layer.tar" },
      file("c.json", config),
      file("manifest.json", JSON.stringify(manifest)),
    ]);
    const path = join(makeTempDir(), "linked.tar");
    writeFileSync(path, archive);
    const image = await readImage(path);
    expect(image.layers.map((l) => l.size)).toEqual([
      tarLayer.length,
      tarLayer.length,
    ]);
    expect(image.filesystem.storedFiles.map((f) => f.hiddenBy?.layer)).toEqual([
      1,
      undefined,
    ]);
  });

  it("reports a missing layer.tar by name", async () => {
    const broken = makeTempDir();
    writeLegacyImage(broken, layers, imageConfig(layers));
    const missing = `${sha256(layers[1]?.blob ?? "")}/layer.tar`;
    rmSync(join(broken, missing));
    const error = await readImage(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBlobError);
    expect((error as MissingBlobError).entry).toBe(missing);
    expect(String(error)).toContain(`layer \`${missing}\` is missing`);
  });

  it("selects one of several images by tag", async () => {
    const several = makeTempDir();
    writeLegacyImage(several, layers, imageConfig(layers), ["example/a:1"]);
    const first = JSON.parse(
      readFileSync(join(several, "manifest.json"), "utf8"),
    );
    const other = [layer([file("b-only", "b")])];
    writeLegacyImage(several, other, imageConfig(other), ["example/b:latest"]);
    const second = JSON.parse(
      readFileSync(join(several, "manifest.json"), "utf8"),
    );
    writeFileSync(
      join(several, "manifest.json"),
      JSON.stringify([...first, ...second]),
    );
    await expect(readImage(several)).rejects.toThrow(ImageSelectionError);
    await expect(readImage(several)).rejects.toThrow(
      /example\/a:1, example\/b:latest/,
    );
    expect(await fileNames(several, { reference: "example/b" })).toEqual([
      "/b-only",
    ]);
    await expect(
      readImage(several, { reference: "example/c" }),
    ).rejects.toThrow(/no image named example\/c/);
  });

  it("rejects a platform the config lacks", async () => {
    await expect(readImage(root, { platform: "linux/arm64" })).rejects.toThrow(
      /the image is for linux\/amd64, not linux\/arm64/,
    );
    expect(
      (await readImage(root, { platform: "linux/amd64" })).layers,
    ).toHaveLength(2);
  });
});

describe("readImage with the OCI layout", () => {
  it.each(["folder", "tar"])(
    "reads plain, gzip and zstd layers from a %s",
    async (form) => {
      const layers = [
        layer([file("plain", bytes(100))]),
        layer([file("gzipped", bytes(200))], gzip),
        layer([file("zstd", bytes(300))], zstdRawFrame),
      ];
      const root = makeTempDir();
      // Every blob claims to be an uncompressed tar, so only the magic bytes tell.
      writeOciImage(root, layers, imageConfig(layers));
      const path =
        form === "tar"
          ? packDirectory(root, join(makeTempDir(), "oci.tar"))
          : root;
      const image = await readImage(path);
      expect(image.layout).toBe("oci");
      expect(image.references).toEqual([
        "docker.io/example/app:latest",
        "latest",
      ]);
      expect(image.layers.map((l) => l.compression)).toEqual([
        "none",
        "gzip",
        "zstd",
      ]);
      expect(image.layers.map((l) => l.size)).toEqual(
        layers.map((l) => l.tar.length),
      );
      expect(image.layers.map((l) => l.storedSize)).toEqual(
        layers.map((l) => l.blob.length),
      );
      expect(image.layers[1]?.digest).toBe(
        `sha256:${sha256(layers[1]?.blob ?? "")}`,
      );
      expect(await fileNames(path)).toEqual(["/gzipped", "/plain", "/zstd"]);
    },
  );

  it("prefers the OCI layout when manifest.json is also present", async () => {
    const root = makeTempDir();
    const layers = baseLayers();
    writeOciImage(root, layers, imageConfig(layers));
    const legacyLayers = [layer([file("legacy-only", "x")])];
    writeLegacyImage(root, legacyLayers, imageConfig(legacyLayers), [
      "legacy/tag:1",
    ]);
    for (const path of bothForms(root)) {
      const image = await readImage(path);
      expect(image.layout).toBe("oci");
      expect(image.references).not.toContain("legacy/tag:1");
      expect(await fileNames(path)).toEqual([
        "/app/main.js",
        "/etc/os-release",
      ]);
    }
  });

  it("names the digest of a missing layer blob", async () => {
    const root = makeTempDir();
    const layers = baseLayers();
    writeOciImage(root, layers, imageConfig(layers));
    const hex = sha256(layers[1]?.blob ?? "");
    rmSync(join(root, "blobs", "sha256", hex));
    const error = await readImage(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBlobError);
    expect((error as MissingBlobError).digest).toBe(`sha256:${hex}`);
    expect(String(error)).toContain(`layer blob sha256:${hex} is missing`);
  });

  it("rejects a layer that is not a tar stream", async () => {
    const root = makeTempDir();
    const broken = { tar: Buffer.alloc(0), blob: Buffer.from("x".repeat(600)) };
    writeOciImage(root, [broken], imageConfig([broken]));
    const error = await readImage(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayerFormatError);
    expect((error as LayerFormatError).layer).toBe(0);
    expect(String(error)).toMatch(/layer 0: .* is damaged: invalid octal/);
  });
});

describe("readImage with a multi-platform index", () => {
  const platformLayer = (name: string) => [layer([file(name, name)])];

  /** Writes manifests for the platforms into a nested index, with an attestation. */
  function writeMultiPlatform(
    architectures: string[],
    options: { missing?: string[] } = {},
  ): string {
    const root = makeTempDir();
    const manifests: Descriptor[] = architectures.map((architecture) => {
      const layers = platformLayer(architecture);
      const platform = { os: "linux", architecture };
      const descriptor = writeOciManifest(
        root,
        layers,
        imageConfig(layers, { platform }),
      );
      if (options.missing?.includes(architecture)) {
        rmSync(join(root, "blobs", ...descriptor.digest.split(":")));
      }
      return { ...descriptor, platform };
    });
    const attestation = writeBlob(
      root,
      { schemaVersion: 2, layers: [] },
      OCI_MANIFEST,
    );
    manifests.push({
      ...attestation,
      platform: { os: "unknown", architecture: "unknown" },
      annotations: {
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": manifests[0]?.digest ?? "",
      },
    });
    const index = writeBlob(
      root,
      { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
      OCI_INDEX,
    );
    writeOciIndex(root, [
      {
        ...index,
        annotations: {
          "io.containerd.image.name": "docker.io/example/multi:1",
        },
      },
    ]);
    return root;
  }

  it("skips the attestation when one platform remains", async () => {
    const root = writeMultiPlatform(["arm64"]);
    const image = await readImage(root);
    expect(image.platform).toEqual({ os: "linux", architecture: "arm64" });
    expect(image.references).toEqual(["docker.io/example/multi:1"]);
    expect(await fileNames(root)).toEqual(["/arm64"]);
  });

  it("defaults to linux/amd64 among several platforms", async () => {
    const root = writeMultiPlatform(["arm64", "amd64"]);
    expect(await fileNames(root)).toEqual(["/amd64"]);
  });

  it("picks the requested platform", async () => {
    const root = writeMultiPlatform(["arm64", "amd64"]);
    expect(await fileNames(root, { platform: "linux/arm64" })).toEqual([
      "/arm64",
    ]);
    expect(await fileNames(root, { platform: "linux/arm64/v8" })).toEqual([
      "/arm64",
    ]);
  });

  it("lists the platforms when the requested one is absent", async () => {
    const root = writeMultiPlatform(["arm64", "amd64"]);
    const error = await readImage(root, { platform: "linux/s390x" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageSelectionError);
    expect((error as ImageSelectionError).available).toEqual([
      "linux/arm64",
      "linux/amd64",
    ]);
    expect(String(error)).toContain("no manifest for linux/s390x");
  });

  it("asks for a platform when no default applies", async () => {
    const root = writeMultiPlatform(["s390x", "ppc64le"]);
    await expect(readImage(root)).rejects.toThrow(
      /several platforms \(linux\/s390x, linux\/ppc64le\)/,
    );
    expect(await fileNames(root, { platform: "linux/ppc64le" })).toEqual([
      "/ppc64le",
    ]);
  });

  it("defaults to the only platform whose manifest is present", async () => {
    const root = writeMultiPlatform(["amd64", "arm64"], { missing: ["amd64"] });
    expect(await fileNames(root)).toEqual(["/arm64"]);
  });

  it("names the missing manifest of the requested platform", async () => {
    const root = writeMultiPlatform(["amd64", "arm64"], { missing: ["amd64"] });
    const error = await readImage(root, { platform: "linux/amd64" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingBlobError);
    expect(String(error)).toMatch(
      /manifest blob sha256:[0-9a-f]{64} is missing/,
    );
  });
});

describe("readImage errors", () => {
  it("reports a path that does not exist", async () => {
    const path = join(makeTempDir(), "absent.tar");
    await expect(readImage(path)).rejects.toThrow(ImageReadError);
    await expect(readImage(path)).rejects.toThrow("file or folder not found");
  });

  it("asks to decompress a gzip-compressed archive", async () => {
    const path = join(makeTempDir(), "image.tar.gz");
    writeFileSync(path, gzipSync(buildTar([file("manifest.json", "[]")])));
    await expect(readImage(path)).rejects.toThrow(ImageFormatError);
    await expect(readImage(path)).rejects.toThrow(
      /gzip-compressed.*gunzip --keep/,
    );
  });

  it("rejects a folder that is no image layout", async () => {
    await expect(readImage(makeTempDir())).rejects.toThrow(
      /no `manifest.json` and no `oci-layout`/,
    );
  });

  it("rejects a cut-off tar archive", async () => {
    const root = makeTempDir();
    const layers = baseLayers();
    writeLegacyImage(root, layers, imageConfig(layers));
    const path = packDirectory(root, join(makeTempDir(), "image.tar"));
    const data = readFileSync(path);
    // Drop the two end blocks and most of the last member, manifest.json.
    writeFileSync(path, data.subarray(0, data.length - 1024 - 500));
    await expect(readImage(path)).rejects.toThrow(
      /not a valid tar archive: data of `manifest.json` is cut off/,
    );
    writeFileSync(path, data.subarray(0, 1500));
    await expect(readImage(path)).rejects.toThrow(
      /header at byte 1024 is cut off/,
    );
  });

  it("rejects a member name outside the archive", async () => {
    const root = makeTempDir();
    const manifest = [{ Config: "../../etc/passwd", Layers: [] }];
    writeFileSync(join(root, "manifest.json"), JSON.stringify(manifest));
    await expect(readImage(root)).rejects.toThrow(ImageFormatError);
    await expect(readImage(root)).rejects.toThrow(
      "member name `../../etc/passwd` points outside the archive",
    );
  });

  it("rejects invalid JSON in the manifest", async () => {
    const root = makeTempDir();
    writeFileSync(join(root, "manifest.json"), "{not json");
    await expect(readImage(root)).rejects.toThrow(
      /`manifest.json` is not valid JSON/,
    );
  });
});

const hasGnuTar = spawnSync("tar", ["--version"]).status === 0;

describe.skipIf(!hasGnuTar)("readImage with a tar from GNU tar", () => {
  it("reads members named with a ./ prefix", async () => {
    const root = makeTempDir();
    const layers = baseLayers();
    writeOciImage(root, layers, imageConfig(layers));
    const path = join(makeTempDir(), "gnu.tar");
    expect(spawnSync("tar", ["-cf", path, "-C", root, "."]).status).toBe(0);
    expect(await fileNames(path)).toEqual(["/app/main.js", "/etc/os-release"]);
  });
});
