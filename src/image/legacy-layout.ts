import type { ImageArchive } from "./archive.js";
import { ImageFormatError, ImageSelectionError } from "./errors.js";
import {
  checkConfigPlatform,
  readPlatform,
  requireMember,
  type ImageSelection,
  type ImageSource,
  type LayerBlob,
} from "./image-source.js";
import {
  arrayField,
  isJsonObject,
  parseJsonDocument,
  parseJsonObject,
  stringField,
  stringItems,
  type JsonObject,
} from "./json.js";
import { isSameReference } from "./reference.js";

/** One image entry of a legacy manifest.json. */
interface LegacyEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

/**
 * Resolves the image in a legacy `docker save` layout (Docker 24 and
 * older): manifest.json lists the config file and `<id>/layer.tar` files.
 */
export async function resolveLegacyImage(
  archive: ImageArchive,
  selection: ImageSelection,
): Promise<ImageSource> {
  const entries = await readLegacyManifest(archive);
  const entry = selectEntry(archive.path, entries, selection.reference);
  await requireMember(archive, entry.config, "image config");
  const config = parseJsonObject(
    archive.path,
    entry.config,
    await archive.readDocument(entry.config),
  );
  checkConfigPlatform(archive.path, config, selection.platform);
  return {
    layout: "legacy",
    references: entry.repoTags,
    platform: readPlatform(config),
    config,
    layers: await readLayerBlobs(archive, entry.layers),
  };
}

async function readLegacyManifest(
  archive: ImageArchive,
): Promise<LegacyEntry[]> {
  const name = "manifest.json";
  const document = parseJsonDocument(
    archive.path,
    name,
    await archive.readDocument(name),
  );
  if (!Array.isArray(document) || document.length === 0) {
    throw invalidManifest(archive.path, "is not a non-empty JSON array");
  }
  return document.map((value) => {
    if (!isJsonObject(value)) {
      throw invalidManifest(
        archive.path,
        "has an entry that is not a JSON object",
      );
    }
    return readEntry(archive.path, value);
  });
}

function readEntry(archivePath: string, value: JsonObject): LegacyEntry {
  const config = stringField(value, "Config");
  if (config === undefined) {
    throw invalidManifest(archivePath, "has an entry without `Config`");
  }
  return {
    config,
    repoTags: stringItems(arrayField(value, "RepoTags")),
    layers: stringItems(arrayField(value, "Layers")),
  };
}

function invalidManifest(archivePath: string, problem: string) {
  return new ImageFormatError(
    archivePath,
    `manifest.json ${problem}. Save the image again with \`docker save\`.`,
  );
}

function selectEntry(
  archivePath: string,
  entries: LegacyEntry[],
  reference: string | undefined,
): LegacyEntry {
  const names = entries.flatMap((e) => e.repoTags);
  const matches =
    reference === undefined
      ? entries
      : entries.filter((e) =>
          e.repoTags.some((tag) => isSameReference(tag, reference)),
        );
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return only;
  const problem =
    matches.length === 0
      ? `the archive has no image named ${reference ?? ""}`
      : `the archive contains several images (${describeEntries(entries)})`;
  throw new ImageSelectionError(
    archivePath,
    names,
    `${problem}. Choose one by passing one of its tags` +
      (names.length === 0 ? "" : `: ${names.join(", ")}`) +
      ".",
  );
}

function describeEntries(entries: LegacyEntry[]): string {
  return entries
    .map((e) => (e.repoTags.length > 0 ? e.repoTags.join(" ") : e.config))
    .join(", ");
}

async function readLayerBlobs(
  archive: ImageArchive,
  members: string[],
): Promise<LayerBlob[]> {
  const blobs: LayerBlob[] = [];
  for (const member of members) {
    const storedSize = await requireMember(archive, member, "layer");
    blobs.push({ member, storedSize });
  }
  return blobs;
}
