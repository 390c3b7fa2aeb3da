import {
  accessSync,
  chmodSync,
  constants,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Replaces a file's content atomically: writes a temporary file beside the
 * symlink's target, gives it the original owner and mode, then renames it
 * over the target. A failure leaves the original untouched.
 */
export function writeFileAtomically(path: string, text: string): void {
  const target = realpathSync(path);
  const stat = statSync(target);
  // Renaming over the file would ignore its mode, so honour a read-only file.
  accessSync(target, constants.W_OK);
  const temporary = join(
    dirname(target),
    `.${basename(target)}.layerfix-${process.pid}.tmp`,
  );
  try {
    const descriptor = openSync(temporary, "wx", stat.mode & 0o7777);
    try {
      writeSync(descriptor, text);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    chmodSync(temporary, stat.mode & 0o7777);
    keepOwner(temporary, stat.uid, stat.gid);
    renameSync(temporary, target);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

function keepOwner(path: string, uid: number, gid: number): void {
  try {
    chownSync(path, uid, gid);
  } catch (error) {
    // Only root may give a file away; an unprivileged user keeps their own files.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // The temporary file may not exist yet; nothing else to clean up.
  }
}
