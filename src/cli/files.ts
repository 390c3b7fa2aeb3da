import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

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
  /\.(dockerignore|j2|jinja|jinja2|tmpl|tpl|template|in|erb|mustache)$/i;
const SKIPPED_FOLDERS = new Set([".git", "node_modules"]);

/** Reports whether a file name looks like a Dockerfile that layerfix should read. */
export function isDockerfileName(name: string): boolean {
  return DOCKERFILE_NAME.test(name) && !EXCLUDED_NAME.test(name);
}

/**
 * Expands the command's path arguments: a folder is searched recursively
 * for Dockerfiles, skipping `.git`, `node_modules` and symlinked folders.
 */
export function expandInputs(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (path === "-") {
      files.push(path);
      continue;
    }
    const stat = statOrThrow(path);
    if (!stat.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = searchFolder(path);
    if (found.length === 0) {
      throw new InputError(
        path,
        "no Dockerfile found in this folder (looked for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile). Pass a file path instead",
      );
    }
    files.push(...found);
  }
  return files;
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
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
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

const decoder = new TextDecoder("utf-8", { fatal: true });

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
