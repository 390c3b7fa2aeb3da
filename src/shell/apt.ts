import {
  basename,
  coversPath,
  effectiveWords,
  removedPaths,
} from "./commands.js";
import type { SimpleCommand, Word } from "./model.js";

export const APT_LISTS = "/var/lib/apt/lists";

export type AptTool = "apt-get" | "apt" | "aptitude" | "apt-cache" | "nala";

/** An apt command with its action, such as `install` or `update`. */
export interface AptCommand {
  tool: AptTool;
  action: string | undefined;
  command: SimpleCommand;
  /** Values of `-o`/`--option` settings, for example `Dir::State::Lists=/x`. */
  settings: string[];
  /** Package arguments after the action; `undefined` values expand at run time. */
  operands: Word[];
}

const TOOLS = new Set<string>([
  "apt-get",
  "apt",
  "aptitude",
  "apt-cache",
  "nala",
]);
const VALUE_OPTIONS = new Set([
  "-o",
  "--option",
  "-c",
  "--config-file",
  "-t",
  "--target-release",
  "--default-release",
  "-a",
  "--host-architecture",
]);

/** Actions that read the package lists, by tool; `update` writes them. */
const READS_LISTS: Record<AptTool, Set<string>> = {
  "apt-get": new Set([
    "dselect-upgrade",
    "changelog",
    "install",
    "reinstall",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "build-dep",
    "source",
    "download",
    "satisfy",
    "check",
  ]),
  apt: new Set([
    "changelog",
    "install",
    "reinstall",
    "upgrade",
    "full-upgrade",
    "dist-upgrade",
    "build-dep",
    "source",
    "download",
    "satisfy",
    "show",
    "policy",
    "search",
    "list",
    "depends",
    "rdepends",
    "showsrc",
  ]),
  aptitude: new Set([
    "install",
    "reinstall",
    "upgrade",
    "safe-upgrade",
    "full-upgrade",
    "build-dep",
    "source",
    "download",
    "show",
    "search",
  ]),
  nala: new Set([
    "install",
    "reinstall",
    "upgrade",
    "full-upgrade",
    "show",
    "search",
    "list",
    "fetch",
  ]),
  "apt-cache": new Set([
    "policy",
    "show",
    "madison",
    "search",
    "depends",
    "rdepends",
    "showpkg",
    "showsrc",
    "pkgnames",
    "dump",
    "dumpavail",
    "unmet",
  ]),
};

/** Reads an apt command, or returns `undefined` for any other command. */
export function readAptCommand(command: SimpleCommand): AptCommand | undefined {
  if (command.kind !== "command") return undefined;
  const words = effectiveWords(command);
  const tool = basename(words[0]?.value);
  if (!tool || !TOOLS.has(tool)) return undefined;
  const settings: string[] = [];
  const operands: Word[] = [];
  let action: string | undefined;
  for (let index = 1; index < words.length; index++) {
    const value = words[index]!.value;
    if (value !== undefined && VALUE_OPTIONS.has(value)) {
      const setting = words[++index]?.value;
      if (value === "-o" || value === "--option") settings.push(setting ?? "");
    } else if (value?.startsWith("-o") && value.length > 2) {
      settings.push(value.slice(2));
    } else if (value?.startsWith("--option=")) {
      settings.push(value.slice("--option=".length));
    } else if (value?.startsWith("-")) {
      continue;
    } else if (action === undefined && value !== undefined) {
      action = value;
    } else {
      operands.push(words[index]!);
    }
  }
  return { tool: tool as AptTool, action, command, settings, operands };
}

/** Reports whether the command downloads package lists. */
export function updatesLists(apt: AptCommand): boolean {
  return apt.tool !== "apt-cache" && apt.action === "update";
}

/** Reports whether the command needs package lists that are already there. */
export function readsLists(apt: AptCommand): boolean {
  if (apt.action === undefined) return false;
  return READS_LISTS[apt.tool].has(apt.action);
}

/** Reports whether the command moves apt's lists away from `/var/lib/apt/lists`. */
export function movesLists(apt: AptCommand): boolean {
  return apt.settings.some((setting) =>
    /^Dir(::State(::Lists)?)?=/i.test(setting),
  );
}

/** Reports whether a command deletes the package lists (`rm`, `apt-get distclean`). */
export function removesLists(command: SimpleCommand): boolean {
  const paths = removedPaths(command);
  if (paths) return paths.some((path) => coversPath(path, APT_LISTS + "/x"));
  const apt = readAptCommand(command);
  return (
    apt !== undefined &&
    (apt.action === "distclean" || apt.action === "dist-clean")
  );
}

/** Commands other than apt's that read the package lists. */
const OTHER_LIST_READERS = new Set([
  "unattended-upgrade",
  "unattended-upgrades",
  "do-release-upgrade",
  "apt-rdepends",
  "apt-file",
  "apt-show-versions",
  "aptdcon",
]);

/**
 * Reports whether a command reads the package lists other than through an
 * apt action: a tool built on them, or any command other than `rm` that
 * names a path under `/var/lib/apt`, such as `ls` or `cp -r` of the lists.
 */
export function readsListsOtherwise(command: SimpleCommand): boolean {
  if (command.kind !== "command") return false;
  const name = basename(effectiveWords(command)[0]?.value);
  if (name && OTHER_LIST_READERS.has(name)) return true;
  if (removedPaths(command)) return false;
  return command.words.some((word) =>
    (word.value ?? word.text).includes("/var/lib/apt"),
  );
}
