/** Cleans a slash-separated path lexically, as Go's `path.Clean` does. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith("/");
  const cleanedSegments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") cleanedSegments.push(segment);
    else if (cleanedSegments.length > 0 && cleanedSegments.at(-1) !== "..")
      cleanedSegments.pop();
    else if (!rooted) cleanedSegments.push("..");
  }
  const joined = (rooted ? "/" : "") + cleanedSegments.join("/");
  return joined === "" ? "." : joined;
}

/**
 * Splits an `ADD` or `COPY` source into segments below the context root.
 * BuildKit cleans the source as an absolute path, so a leading `/` or `./`
 * means the root and `..` cannot climb above it.
 */
export function sourceSegments(source: string): string[] {
  const cleaned = cleanPath(`/${source}`);
  return cleaned === "/" ? [] : cleaned.slice(1).split("/");
}

/** Joins segments to a path relative to the root, where `.` is the root. */
export function joinSegments(segments: readonly string[]): string {
  return segments.length === 0 ? "." : segments.join("/");
}
