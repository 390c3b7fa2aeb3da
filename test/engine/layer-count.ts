// Counts file bytes in the layers of a `docker save` archive without
// layerfix's image module, so the suite can check `layerfix inspect`
// against numbers it did not compute.
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

/** One member of a layer tar, after PAX and GNU long names are applied. */
export interface LayerMember {
  /** Path without a leading `./` or `/`, and without a trailing `/`. */
  path: string;
  /** The tar typeflag: `0` regular file, `1` hard link, `5` directory... */
  type: string;
  size: number;
}

/** One layer of a saved image and the history step that made it. */
export interface SavedLayer {
  /** `created_by` of the matching history entry. */
  createdBy: string;
  members: LayerMember[];
}

/** Regular-file bytes of one layer, and how many of them later layers hide. */
export interface LayerCount {
  storedBytes: number;
  hiddenBytes: number;
  /** Each hidden regular file and its size. */
  hidden: Map<string, number>;
}

const BLOCK = 512;
const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";

/**
 * Reads the layers of a `docker save` archive in the legacy layout, which
 * Docker Engine 20.10 writes: `manifest.json` names the config and the
 * layer tars. Layers may be gzip-compressed.
 */
export async function readSavedLayers(archive: string): Promise<SavedLayer[]> {
  const outer = readTar(await readFile(archive));
  const member = (name: string): Buffer => {
    const data = outer.get(name);
    if (data === undefined) throw new Error(`${archive} has no ${name}`);
    return data;
  };

  const manifest = JSON.parse(member("manifest.json").toString("utf8")) as {
    Config: string;
    Layers: string[];
  }[];
  const [image] = manifest;
  if (manifest.length !== 1 || image === undefined) {
    throw new Error(`${archive} must contain exactly one image`);
  }
  const config = JSON.parse(member(image.Config).toString("utf8")) as {
    history?: { created_by?: string; empty_layer?: boolean }[];
  };
  const steps = (config.history ?? []).filter((step) => !step.empty_layer);
  return image.Layers.map((name, index) => ({
    createdBy: steps[index]?.created_by ?? "",
    members: listMembers(member(name)),
  }));
}

/**
 * Returns the image size as layerfix counts it: the bytes of the
 * uncompressed layer tar streams, summed.
 */
export async function sumLayerSizes(archive: string): Promise<number> {
  const outer = readTar(await readFile(archive));
  const manifest = JSON.parse(outer.get("manifest.json")!.toString("utf8")) as {
    Layers: string[];
  }[];
  return manifest[0]!.Layers.map((name) => outer.get(name)!).reduce(
    (total, layer) => total + uncompress(layer).length,
    0,
  );
}

/**
 * Counts stored and hidden regular-file bytes per layer. A file is hidden
 * when a later layer writes the same path, whites it out or one of its
 * folders, marks a folder above it opaque, or puts a non-folder at one of
 * its folders. Hard links store no bytes of their own.
 */
export function countLayerBytes(layers: readonly SavedLayer[]): LayerCount[] {
  // Paths that the layers above the current one cover: exactly, or with
  // everything below them.
  const coveredPaths = new Set<string>();
  const coveredTrees = new Set<string>();
  const counts: LayerCount[] = [];

  for (let index = layers.length - 1; index >= 0; index -= 1) {
    const members = layers[index]!.members;
    counts[index] = countLayer(members, coveredPaths, coveredTrees);
    for (const member of members)
      coverMember(member, coveredPaths, coveredTrees);
  }
  return counts;
}

function countLayer(
  members: readonly LayerMember[],
  coveredPaths: ReadonlySet<string>,
  coveredTrees: ReadonlySet<string>,
): LayerCount {
  const count: LayerCount = {
    storedBytes: 0,
    hiddenBytes: 0,
    hidden: new Map(),
  };
  for (const member of members) {
    if (!isRegularFile(member) || isWhiteout(member.path)) continue;
    count.storedBytes += member.size;
    const hidden =
      coveredPaths.has(member.path) ||
      parentsOf(member.path).some((parent) => coveredTrees.has(parent));
    if (!hidden) continue;
    count.hiddenBytes += member.size;
    count.hidden.set(member.path, member.size);
  }
  return count;
}

function coverMember(
  member: LayerMember,
  coveredPaths: Set<string>,
  coveredTrees: Set<string>,
): void {
  const slash = member.path.lastIndexOf("/");
  const folder = slash < 0 ? "" : member.path.slice(0, slash);
  const name = member.path.slice(slash + 1);
  if (name === OPAQUE_MARKER) {
    coveredTrees.add(folder);
    return;
  }
  if (name.startsWith(WHITEOUT_PREFIX)) {
    const target = join(folder, name.slice(WHITEOUT_PREFIX.length));
    coveredPaths.add(target);
    coveredTrees.add(target);
    return;
  }
  coveredPaths.add(member.path);
  if (member.type !== "5") coveredTrees.add(member.path);
}

function isRegularFile(member: LayerMember): boolean {
  return member.type === "0" || member.type === "\0" || member.type === "7";
}

function isWhiteout(path: string): boolean {
  return path.slice(path.lastIndexOf("/") + 1).startsWith(WHITEOUT_PREFIX);
}

/** Returns `a`, `a/b` for `a/b/c`: every folder above the path. */
function parentsOf(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(0, -1).map((_, end) => parts.slice(0, end + 1).join("/"));
}

function join(folder: string, name: string): string {
  return folder === "" ? name : `${folder}/${name}`;
}

/** Returns the members of a layer tar, decompressing gzip first. */
function listMembers(layer: Buffer): LayerMember[] {
  const data =
    layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
  const members: LayerMember[] = [];
  walkTar(data, (path, type, size) => members.push({ path, type, size }));
  return members;
}

function uncompress(layer: Buffer): Buffer {
  return layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
}

/** Returns the regular files of an uncompressed tar by name. */
function readTar(data: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  walkTar(data, (path, type, size, offset) => {
    if (type === "0" || type === "\0") {
      files.set(path, data.subarray(offset, offset + size));
    }
  });
  return files;
}

/**
 * Calls `visit` for each member of an uncompressed tar with its path,
 * typeflag, size and content offset. PAX `path` records and GNU `L` long
 * names replace the name of the member that follows them.
 */
function walkTar(
  data: Buffer,
  visit: (path: string, type: string, size: number, offset: number) => void,
): void {
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const type = String.fromCharCode(header[156]!);
    const size = readNumber(header.subarray(124, 136));
    const content = offset + BLOCK;
    offset = content + Math.ceil(size / BLOCK) * BLOCK;

    const body = data.subarray(content, content + size);
    if (type === "x") {
      longName = readPaxPath(body) ?? longName;
      continue;
    }
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    if (type === "g") continue;
    const name = longName ?? readHeaderName(header);
    longName = undefined;
    visit(cleanPath(name), type, size, content);
  }
}

function readHeaderName(header: Buffer): string {
  const name = readString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = isUstar ? readString(header.subarray(345, 500)) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

/** Reads an octal field, or a base-256 one whose first byte has bit 7 set. */
function readNumber(field: Buffer): number {
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = readString(field).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function readPaxPath(body: Buffer): string | undefined {
  let path: string | undefined;
  let offset = 0;
  // Each record is `LENGTH key=value\n`, LENGTH counting the whole record.
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(body.toString("latin1", offset, space), 10);
    if (!(length > 0)) break;
    const record = body.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (record.slice(0, equals) === "path") path = record.slice(equals + 1);
    offset += length;
  }
  return path;
}

function readString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end < 0 ? field.length : end);
}

function cleanPath(name: string): string {
  return name.replace(/^\.?\/+/, "").replace(/\/+$/, "");
}
