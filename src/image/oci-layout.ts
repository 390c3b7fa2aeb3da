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
  objectField,
  parseJsonObject,
  stringField,
  type JsonObject,
  type JsonValue,
} from "./json.js";
import { selectPlatform, type Platform } from "./platform.js";
import { isSameReference } from "./reference.js";

/** Nested indexes followed before the layout counts as broken. */
const MAX_INDEX_DEPTH = 4;

const INDEX_MEDIA_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/** Annotations that carry an image's name in index.json. */
const REFERENCE_ANNOTATIONS = [
  "io.containerd.image.name",
  "org.opencontainers.image.ref.name",
];

/** An OCI content descriptor. */
interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: Platform;
  annotations: Record<string, string>;
}

/** A platform manifest that the user may choose. */
interface ManifestCandidate {
  descriptor: Descriptor;
  platform?: Platform;
  present: boolean;
}

/**
 * Resolves the image in an OCI image layout: index.json, then nested
 * indexes, then the manifest for the chosen platform, then its config.
 */
export async function resolveOciImage(
  archive: ImageArchive,
  selection: ImageSelection,
): Promise<ImageSource> {
  const index = parseJsonObject(
    archive.path,
    "index.json",
    await archive.readDocument("index.json"),
  );
  const top = readDescriptors(archive.path, index, "index.json");
  const named = selectByReference(archive.path, top, selection.reference);
  const candidates = await collectManifests(archive, named, 0);
  const chosen = selectPlatform(archive.path, candidates, selection.platform);
  const manifest = await readBlobJson(archive, chosen.descriptor, "manifest");
  const config = await readConfig(archive, manifest);
  checkConfigPlatform(archive.path, config.document, selection.platform);
  return {
    layout: "oci",
    references: referencesOf(chosen.descriptor, named),
    platform: chosen.platform ?? readPlatform(config.document),
    manifestDigest: chosen.descriptor.digest,
    configDigest: config.digest,
    config: config.document,
    layers: await readLayerBlobs(archive, manifest),
  };
}

/** Returns the archive member of a blob, `blobs/<algorithm>/<encoded>`. */
export function blobMember(archivePath: string, digest: string): string {
  const match = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(
    digest,
  );
  if (match === null) {
    throw new ImageFormatError(
      archivePath,
      `invalid digest \`${digest}\`. Save the image again with \`docker save\`.`,
    );
  }
  return `blobs/${match[1]}/${match[2]}`;
}

function readDescriptors(
  archivePath: string,
  document: JsonObject,
  where: string,
): Descriptor[] {
  return arrayField(document, "manifests").map((value) =>
    readDescriptor(archivePath, value, where),
  );
}

function readDescriptor(
  archivePath: string,
  value: JsonValue,
  where: string,
): Descriptor {
  const object = isJsonObject(value) ? value : undefined;
  const digest = stringField(object, "digest");
  if (digest === undefined) {
    throw new ImageFormatError(
      archivePath,
      `a descriptor in ${where} has no digest. ` +
        "Save the image again with `docker save`.",
    );
  }
  const annotations: Record<string, string> = {};
  const annotationObject = objectField(object, "annotations") ?? {};
  for (const [key, text] of Object.entries(annotationObject)) {
    if (typeof text === "string") annotations[key] = text;
  }
  return {
    digest,
    annotations,
    mediaType: stringField(object, "mediaType"),
    platform: readPlatform(objectField(object, "platform")),
  };
}

function namesOf(descriptor: Descriptor): string[] {
  return REFERENCE_ANNOTATIONS.map((key) => descriptor.annotations[key]).filter(
    (name): name is string => name !== undefined,
  );
}

function referencesOf(chosen: Descriptor, named: Descriptor[]): string[] {
  const all = [chosen, ...named].flatMap(namesOf);
  return [...new Set(all)];
}

/**
 * Keeps the index entries of the requested image. Without a request, the
 * entries must belong to one image: one digest, or entries without names.
 */
function selectByReference(
  archivePath: string,
  descriptors: Descriptor[],
  reference: string | undefined,
): Descriptor[] {
  const names = [...new Set(descriptors.flatMap(namesOf))];
  if (reference !== undefined) {
    const matches = descriptors.filter((d) =>
      namesOf(d).some((name) => isSameReference(name, reference)),
    );
    if (matches.length > 0) return uniqueByDigest(matches);
    throw new ImageSelectionError(
      archivePath,
      names,
      `the archive has no image named ${reference}` +
        (names.length === 0 ? "" : `; it has ${names.join(", ")}`) +
        ". Pass one of those names.",
    );
  }
  const unique = uniqueByDigest(descriptors);
  if (unique.length > 1 && names.length > 0) {
    throw new ImageSelectionError(
      archivePath,
      names,
      `the archive contains several images (${names.join(", ")}). ` +
        "Choose one by passing its name.",
    );
  }
  return unique;
}

function uniqueByDigest(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const descriptor of descriptors) {
    if (!seen.has(descriptor.digest)) seen.set(descriptor.digest, descriptor);
  }
  return [...seen.values()];
}

/**
 * Expands nested indexes into platform manifests and drops attestation
 * manifests, which BuildKit stores with platform unknown/unknown.
 */
async function collectManifests(
  archive: ImageArchive,
  descriptors: Descriptor[],
  depth: number,
): Promise<ManifestCandidate[]> {
  if (depth > MAX_INDEX_DEPTH) {
    throw new ImageFormatError(
      archive.path,
      `image indexes nest more than ${MAX_INDEX_DEPTH} levels deep. ` +
        "Save the image again with `docker save`.",
    );
  }
  const candidates: ManifestCandidate[] = [];
  for (const descriptor of descriptors) {
    if (isAttestation(descriptor)) continue;
    const nested = await readNestedIndex(archive, descriptor);
    if (nested === undefined) {
      candidates.push(await toCandidate(archive, descriptor));
    } else {
      const children = readDescriptors(archive.path, nested, descriptor.digest);
      candidates.push(
        ...(await collectManifests(archive, children, depth + 1)),
      );
    }
  }
  return candidates;
}

function isAttestation(descriptor: Descriptor): boolean {
  const type = descriptor.annotations["vnd.docker.reference.type"];
  const platform = descriptor.platform;
  return (
    type === "attestation-manifest" ||
    (platform?.os === "unknown" && platform.architecture === "unknown")
  );
}

/**
 * Returns the document if the descriptor points to an index. A descriptor
 * without a media type is read to find out. If its blob is missing, it
 * counts as a manifest, so the platform choice can pass over it.
 */
async function readNestedIndex(
  archive: ImageArchive,
  descriptor: Descriptor,
): Promise<JsonObject | undefined> {
  const { mediaType } = descriptor;
  if (mediaType !== undefined && !INDEX_MEDIA_TYPES.has(mediaType)) {
    return undefined;
  }
  const member = blobMember(archive.path, descriptor.digest);
  if (mediaType === undefined && (await archive.sizeOf(member)) === undefined) {
    return undefined;
  }
  const document = await readBlobJson(archive, descriptor, "image index");
  return Array.isArray(document["manifests"]) ? document : undefined;
}

async function toCandidate(
  archive: ImageArchive,
  descriptor: Descriptor,
): Promise<ManifestCandidate> {
  const member = blobMember(archive.path, descriptor.digest);
  const present = (await archive.sizeOf(member)) !== undefined;
  return { descriptor, present, platform: descriptor.platform };
}

async function readBlobJson(
  archive: ImageArchive,
  descriptor: Descriptor,
  role: string,
): Promise<JsonObject> {
  const member = blobMember(archive.path, descriptor.digest);
  await requireMember(archive, member, role, descriptor.digest);
  return parseJsonObject(
    archive.path,
    member,
    await archive.readDocument(member),
  );
}

async function readConfig(
  archive: ImageArchive,
  manifest: JsonObject,
): Promise<{ digest: string; document: JsonObject }> {
  const value = manifest["config"];
  const descriptor = readDescriptor(
    archive.path,
    value ?? null,
    "the manifest",
  );
  const document = await readBlobJson(archive, descriptor, "image config");
  return { digest: descriptor.digest, document };
}

async function readLayerBlobs(
  archive: ImageArchive,
  manifest: JsonObject,
): Promise<LayerBlob[]> {
  const blobs: LayerBlob[] = [];
  for (const value of arrayField(manifest, "layers")) {
    const { digest, mediaType } = readDescriptor(
      archive.path,
      value,
      "the manifest",
    );
    const member = blobMember(archive.path, digest);
    const storedSize = await requireMember(archive, member, "layer", digest);
    blobs.push({
      member,
      digest,
      storedSize,
      ...(mediaType === undefined ? {} : { mediaType }),
    });
  }
  return blobs;
}
