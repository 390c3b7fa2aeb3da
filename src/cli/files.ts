import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** An input that cannot be read as a Dockerfile; the CLI prints it and exits with 2. */
export class InputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "InputError";
  }
}

const DOCKERFILE_NAME =
  /^(dockerfile|containerfile)(\..+)?$|\.(dockerfile|containerfile)$/i;
const EXCLUDED_NAME =
  /\.(dockerignore|j2|jinja|jinja2|tmpl|tpl|template|in|erb|mustache|md|txt|bak|orig|rej|swp|sh|ya?ml|json|lock|log)$/i;
const SKIPPED_FOLDERS = new Set([".git", "node_modules"]);

/** Reports whether a file name looks like a Dockerfile that layerfix should read. */
export function isDockerfileName(name: string): boolean {
  return DOCKERFILE_NAME.test(name) && !EXCLUDED_NAME.test(name);
}

/** An input file, or the error that a path argument gave. */
export type ExpandedInput =
  { kind: "file"; path: string } | { kind: "error"; error: InputError };

/**
 * Expands the command's path arguments: a folder is searched recursively
 * for Dockerfiles, skipping `.git`, `node_modules` and symlinked folders.
 * A path that cannot be used becomes an error entry, so the other paths are
 * still processed. A file named twice is read once.
 */
export function expandInputs(paths: string[]): ExpandedInput[] {
  const inputs: ExpandedInput[] = [];
  const seen = new Set<string>();
  const add = (path: string) => {
    const key = path === "-" ? path : resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push({ kind: "file", path });
  };
  for (const path of paths) {
    try {
      expandPath(path).forEach(add);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      inputs.push({ kind: "error", error });
    }
  }
  return inputs;
}

function expandPath(path: string): string[] {
  if (path === "-") return [path];
  const stat = statOrThrow(path);
  if (!stat.isDirectory()) return [path];
  const found = searchFolder(path);
  if (found.length === 0) {
    throw new InputError(
      path,
      "no Dockerfile found in this folder (looked for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile). Pass a file path instead",
    );
  }
  return found;
}

function statOrThrow(path: string) {
  try {
    return statSync(path);
  } catch {
    throw new InputError(path, "not found. Check the path");
  }
}

function searchFolder(folder: string): string[] {
  const found: string[] = [];
  // Sort by code unit, not locale, so the order is the same on every machine.
  const entries = readdirSync(folder, { withFileTypes: true }).sort(
    (a, b) => Number(a.name > b.name) - Number(a.name < b.name),
  );
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name))
      found.push(...searchFolder(path));
    else if (entry.isFile() && isDockerfileName(entry.name)) found.push(path);
    else if (
      entry.isSymbolicLink() &&
      isDockerfileName(entry.name) &&
      isFile(path)
    )
      found.push(path);
  }
  return found;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile() && !lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

// ignoreBOM keeps a byte order mark in the text, so output and diffs keep it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads a Dockerfile as UTF-8 text, rejecting binary and invalid input with a clear message. */
export function decodeDockerfile(path: string, bytes: Buffer): string {
  if (bytes.includes(0)) {
    throw new InputError(
      path,
      "not a text file (it contains NUL bytes). Pass a Dockerfile",
    );
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new InputError(
      path,
      "not valid UTF-8 text. Save the Dockerfile as UTF-8 and try again",
    );
  }
}

/** Reads a Dockerfile from a path, or standard input for `-`. */
export function readDockerfile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path === "-" ? 0 : path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new InputError(path, "not found. Check the path");
    if (code === "EISDIR")
      throw new InputError(
        path,
        "is a folder. Pass a Dockerfile or a folder that contains one",
      );
    if (code === "EACCES")
      throw new InputError(
        path,
        "permission denied. Check the file's permissions",
      );
    throw new InputError(path, `cannot be read (${code ?? String(error)})`);
  }
  return decodeDockerfile(path, bytes);
}
