/**
 * Normalizes an image reference the way Docker does for comparison:
 * `alpine` becomes `docker.io/library/alpine:latest`. A reference with a
 * digest keeps its digest and gets no tag.
 */
export function normalizeReference(reference: string): string {
  const [name = "", digest] = reference.trim().split("@");
  const lastSlash = name.lastIndexOf("/");
  const hasTag = name.lastIndexOf(":") > lastSlash;
  const tagged = hasTag || digest !== undefined ? name : `${name}:latest`;
  const withDomain = hasDomain(tagged) ? tagged : `docker.io/${tagged}`;
  const [domain = "", ...path] = withDomain.split("/");
  const officialImage = domain === "docker.io" && path.length === 1;
  const full = officialImage
    ? `${domain}/library/${path.join("/")}`
    : withDomain;
  return digest === undefined ? full : `${full}@${digest}`;
}

function hasDomain(name: string): boolean {
  const slash = name.indexOf("/");
  if (slash === -1) return false;
  const first = name.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost";
}

/** Returns whether two references name the same image. */
export function isSameReference(a: string, b: string): boolean {
  return a === b || normalizeReference(a) === normalizeReference(b);
}
