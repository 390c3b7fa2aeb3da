import type { SimpleCommand, Word } from "./model.js";

/** Commands that run the rest of their words as another command. */
const WRAPPERS = new Set([
  "sudo",
  "env",
  "nice",
  "nohup",
  "time",
  "command",
  "stdbuf",
  "ionice",
  "chroot",
  "xargs",
  "timeout",
  "flock",
  "eatmydata",
  "fakeroot",
  "setsid",
  "unbuffer",
  "runuser",
  "taskset",
  "chrt",
  "catchsegv",
]);

/** Options of wrappers that take a value in the next word. */
const WRAPPER_VALUE_OPTIONS: Record<string, Set<string>> = {
  sudo: new Set(["-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t"]),
  env: new Set(["-u", "-C", "-S"]),
  nice: new Set(["-n"]),
  ionice: new Set(["-c", "-n"]),
  xargs: new Set(["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"]),
  timeout: new Set(["-k", "--kill-after", "-s", "--signal"]),
  flock: new Set(["-w", "--timeout", "-E", "--conflict-exit-code"]),
  runuser: new Set(["-u", "--user", "-g", "--group", "-G", "--supp-group"]),
};

/** Wrappers whose first operand is not the command: a duration, a lock file, a CPU mask, a priority. */
const WRAPPER_OPERANDS: Record<string, number> = {
  timeout: 1,
  flock: 1,
  taskset: 1,
  chrt: 1,
  chroot: 1,
};

/**
 * Returns the words of the command that actually runs, after `sudo`, `env`
 * and similar wrappers with their options and `NAME=value` words.
 */
export function effectiveWords(command: SimpleCommand): Word[] {
  let words = command.words;
  for (let depth = 0; depth < 4; depth++) {
    const name = basename(words[0]?.value);
    if (!name || !WRAPPERS.has(name)) return words;
    words = skipWrapperOptions(name, words.slice(1));
  }
  return words;
}

function skipWrapperOptions(wrapper: string, words: Word[]): Word[] {
  const valueOptions = WRAPPER_VALUE_OPTIONS[wrapper] ?? new Set();
  let index = 0;
  while (index < words.length) {
    const value = words[index]!.value;
    if (value === undefined) break;
    if (value === "--") return words.slice(index + 1);
    const isOption = value.startsWith("-") && value.length > 1;
    // `env` and `sudo` both take NAME=value words before the command.
    const isEnvAssignment =
      (wrapper === "env" || wrapper === "sudo") &&
      /^[A-Za-z_][A-Za-z0-9_]*=/.test(value);
    if (!isOption && !isEnvAssignment) break;
    index += valueOptions.has(value) ? 2 : 1;
  }
  return words.slice(index + (WRAPPER_OPERANDS[wrapper] ?? 0));
}

/** Returns the last path component of a command name: `/usr/bin/apt-get` is `apt-get`. */
export function basename(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return name.slice(name.lastIndexOf("/") + 1);
}

/** Returns the command name after wrappers, or `undefined` when it expands at run time. */
export function effectiveName(command: SimpleCommand): string | undefined {
  if (command.kind !== "command") return command.name;
  return basename(effectiveWords(command)[0]?.value);
}

/** Returns the paths `rm` removes, or `undefined` when the command is not `rm`. */
export function removedPaths(command: SimpleCommand): string[] | undefined {
  const words = effectiveWords(command);
  if (basename(words[0]?.value) !== "rm") return undefined;
  const paths: string[] = [];
  let optionsEnded = false;
  for (const word of words.slice(1)) {
    const text = word.value ?? word.text;
    if (!optionsEnded && text === "--") optionsEnded = true;
    else if (!optionsEnded && text.startsWith("-")) continue;
    else paths.push(text);
  }
  return paths;
}

/** Reports whether `path` (a glob as written) removes or contains `target`. */
export function coversPath(path: string, target: string): boolean {
  const clean = path.replace(/\/+$/, "").replace(/\/\*$/, "");
  if (clean === "" || clean === "/*") return true;
  return target === clean || target.startsWith(clean + "/");
}

const INSTALLERS: Record<string, Set<string>> = {
  "apt-get": new Set([
    "install",
    "reinstall",
    "build-dep",
    "dist-upgrade",
    "upgrade",
    "full-upgrade",
  ]),
  apt: new Set([
    "install",
    "reinstall",
    "build-dep",
    "upgrade",
    "full-upgrade",
    "dist-upgrade",
  ]),
  aptitude: new Set([
    "install",
    "reinstall",
    "build-dep",
    "upgrade",
    "safe-upgrade",
    "full-upgrade",
  ]),
  apk: new Set(["add", "upgrade"]),
  pip: new Set(["install"]),
  pip3: new Set(["install"]),
  npm: new Set(["install", "ci", "i"]),
  yarn: new Set(["install", "add"]),
  yum: new Set(["install", "update", "upgrade", "groupinstall"]),
  dnf: new Set(["install", "update", "upgrade"]),
  microdnf: new Set(["install", "update", "upgrade"]),
  zypper: new Set(["install", "in", "update", "up"]),
  gem: new Set(["install"]),
};

/** Reports whether a command installs packages with a known package manager. */
export function isPackageInstall(command: SimpleCommand): boolean {
  const words = effectiveWords(command);
  const name = basename(words[0]?.value);
  const actions = name ? INSTALLERS[name] : undefined;
  if (!actions) return false;
  const action = words.slice(1).find((word) => !word.value?.startsWith("-"));
  return action?.value !== undefined && actions.has(action.value);
}

/** Paths whose removal only drops caches that no later step depends on. */
const CACHE_PATHS = [
  "/var/lib/apt/lists",
  "/var/cache/apt",
  "/var/cache/apk",
  "/var/cache/yum",
  "/var/cache/dnf",
  "/var/cache/debconf/templates.dat-old",
  "/var/cache/debconf/config.dat-old",
  "/root/.cache",
  "/root/.npm",
  "~/.cache",
  "/tmp",
  "/var/tmp",
];

const CLEANUP_ACTIONS: Record<string, Set<string>> = {
  "apt-get": new Set(["clean", "autoclean", "distclean", "dist-clean"]),
  apt: new Set(["clean", "autoclean", "distclean"]),
  aptitude: new Set(["clean", "autoclean"]),
  yum: new Set(["clean"]),
  dnf: new Set(["clean"]),
  microdnf: new Set(["clean"]),
};

/** Reports whether a command only removes package caches or temporary files. */
export function isCacheCleanup(command: SimpleCommand): boolean {
  if (command.kind !== "command") return false;
  const paths = removedPaths(command);
  if (paths) return paths.length > 0 && paths.every(isCachePath);
  const words = effectiveWords(command);
  const name = basename(words[0]?.value);
  const actions = name ? CLEANUP_ACTIONS[name] : undefined;
  const action = words.slice(1).find((word) => !word.value?.startsWith("-"));
  if (actions) return action?.value !== undefined && actions.has(action.value);
  const values = words.map((word) => word.value).join(" ");
  return /^(pip3?|python3? -m pip) cache purge$|^npm cache clean( --force)?$|^yarn cache clean$/.test(
    values,
  );
}

function isCachePath(path: string): boolean {
  if (path.includes("$") || path.includes("..")) return false;
  const clean = path.replace(/\/+$/, "");
  return CACHE_PATHS.some(
    (cache) => clean === cache || clean.startsWith(cache + "/"),
  );
}
