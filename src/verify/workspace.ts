import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** A temporary folder for the rewritten Dockerfile and the saved images. */
export interface Workspace {
  folder: string;
  /** The rewritten Dockerfile, under the original's file name. */
  dockerfile: string;
  /** Returns the path for the saved image of one build. */
  archivePath(name: string): string;
  /** Deletes the folder and everything in it. */
  remove(): Promise<void>;
}

/**
 * Creates a workspace and writes the rewritten Dockerfile into it, apart
 * from the user's files. BuildKit reads `<Dockerfile>.dockerignore` beside
 * the Dockerfile in place of the context's `.dockerignore`, so that file
 * is copied next to the rewritten one when the original has it.
 */
export async function createWorkspace(
  original: string,
  rewrittenText: string,
): Promise<Workspace> {
  const folder = await mkdtemp(join(tmpdir(), "layerfix-verify-"));
  try {
    const name = basename(original);
    const dockerfile = join(folder, "dockerfile", name);
    await mkdir(join(folder, "dockerfile"));
    await writeFile(dockerfile, rewrittenText);
    await copyIfPresent(
      `${original}.dockerignore`,
      `${dockerfile}.dockerignore`,
    );
    return {
      folder,
      dockerfile,
      archivePath: (label) => join(folder, `${label}.tar`),
      remove: () => rm(folder, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

async function copyIfPresent(source: string, target: string): Promise<void> {
  try {
    await copyFile(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
}
