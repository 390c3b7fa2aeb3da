import { posix } from "node:path";
import { basename, effectiveWords } from "../shell/commands.js";
import type { SimpleCommand, Word } from "../shell/model.js";

/** The file a `go build` command writes. */
export type GoOutput =
  /** `path` as written: absolute, or relative to the working directory. */
  | { kind: "file"; path: string }
  /** A build of several packages, whose results Go discards. */
  | { kind: "none" }
  | { kind: "unknown"; reason: string };

/** `go build` flags that take their value from the next word. */
const VALUE_FLAGS = new Set([
  "C",
  "o",
  "p",
  "asmflags",
  "buildmode",
  "compiler",
  "covermode",
  "coverpkg",
  "gccgoflags",
  "gcflags",
  "installsuffix",
  "ldflags",
  "mod",
  "modfile",
  "overlay",
  "pgo",
  "pkgdir",
  "tags",
  "toolexec",
]);

interface GoArguments {
  /** Flag names without dashes; `undefined` values expand a variable. */
  flags: Map<string, string | undefined>;
  packages: (string | undefined)[];
}

/** Reads flags up to the first package, as Go's flag package does. */
function readGoArguments(words: Word[]): GoArguments {
  const flags = new Map<string, string | undefined>();
  let index = 0;
  for (; index < words.length; index++) {
    const word = words[index]!;
    const text = word.value ?? word.text;
    if (text === "--") {
      index++;
      break;
    }
    if (!text.startsWith("-") || text === "-") break;
    const [name = "", inline] = text.replace(/^--?/, "").split(/=(.*)/s);
    if (inline !== undefined) {
      flags.set(name, word.value === undefined ? undefined : inline);
    } else if (VALUE_FLAGS.has(name)) {
      flags.set(name, words[++index]?.value);
    } else {
      flags.set(name, "true");
    }
  }
  const packages = words.slice(index).map((word) => word.value);
  return { flags, packages };
}

/** Returns what `go build` writes, or `undefined` for any other command. */
export function goBuildOutput(command: SimpleCommand): GoOutput | undefined {
  const words = effectiveWords(command);
  if (basename(words[0]?.value) !== "go" || words[1]?.value !== "build") {
    return undefined;
  }
  const { flags, packages } = readGoArguments(words.slice(2));
  if (flags.has("C")) {
    return unknown("`go build -C` changes the directory first");
  }
  if (flags.has("o")) return explicitOutput(flags.get("o"));
  return derivedOutput(packages);
}

function unknown(reason: string): GoOutput {
  return { kind: "unknown", reason };
}

function explicitOutput(path: string | undefined): GoOutput {
  if (path === undefined) return unknown("the `-o` path expands a variable");
  if (path === "/dev/null") return { kind: "none" };
  if (path.endsWith("/")) {
    return unknown("`-o` names a directory, so the package names the file");
  }
  return { kind: "file", path };
}

/**
 * Derives the file name Go picks without `-o`: the first file's name for
 * `.go` files, else the last path element that is not a major version.
 */
function derivedOutput(packages: (string | undefined)[]): GoOutput {
  const names = packages.filter((item) => item !== undefined);
  if (names.length < packages.length) {
    return unknown("a package argument expands a variable");
  }
  const [first] = names;
  if (first === undefined || first === ".") {
    return unknown("without `-o`, the module path in go.mod names the file");
  }
  // NOTE: `./cmd/...` that matches a single main package does write a file,
  // but the file system decides that.
  if (names.length > 1 && !first.endsWith(".go")) return { kind: "none" };
  if (names.some((item) => item.includes("..."))) return { kind: "none" };
  if (first.endsWith(".go")) {
    return { kind: "file", path: posix.basename(first, ".go") };
  }
  const elements = first.split("/").filter((item) => item && item !== ".");
  if (/^v[2-9]\d*$/.test(elements.at(-1) ?? "")) elements.pop();
  const name = elements.at(-1);
  if (!name || name === "..") return unknown("the package path has no name");
  return { kind: "file", path: name };
}

/** Reports whether a `CGO_ENABLED=0` assignment appears in the shell text. */
export function assignsCgoOff(text: string): boolean {
  return /(^|[\s;&|(])(export\s+)?CGO_ENABLED=(["']?)0\3(?=[\s;&|)]|$)/.test(
    text,
  );
}
