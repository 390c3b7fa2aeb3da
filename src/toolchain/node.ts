import { basename, effectiveWords } from "../shell/commands.js";
import type { SimpleCommand } from "../shell/model.js";

/** An npm command that installs the dependencies in package.json. */
export interface NpmInstall {
  kind: "install";
  action: "ci" | "install";
}

/** An npm command that a Node.js build runs. */
export type NpmStep = NpmInstall | { kind: "build" };

/** Options that make npm work on another package than the current one. */
const ELSEWHERE = /^(--prefix|--workspaces?|-w|-C)(=|$)/;

/**
 * Recognizes `npm ci`, `npm install` without package names and
 * `npm run build`; returns `undefined` for any other command.
 */
export function readNpmStep(command: SimpleCommand): NpmStep | undefined {
  const words = effectiveWords(command);
  if (basename(words[0]?.value) !== "npm") return undefined;
  const values = words.slice(1).map((word) => word.value);
  if (values.some((value) => value === undefined || ELSEWHERE.test(value))) {
    return undefined;
  }
  const [action, ...rest] = values.filter((value) => !value?.startsWith("-"));
  if (action === "ci") return { kind: "install", action: "ci" };
  if ((action === "install" || action === "i") && rest.length === 0) {
    return { kind: "install", action: "install" };
  }
  const runs = action === "run" || action === "run-script";
  return runs && rest[0] === "build" ? { kind: "build" } : undefined;
}

/** Node.js options that take their value from the next argument. */
const VALUE_OPTIONS = new Set([
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
  "--conditions",
  "-C",
  "--title",
]);

/** Options after which Node.js runs no script file. */
const NO_SCRIPT = new Set(["-e", "--eval", "-p", "--print", "-", "-i"]);

/** Returns the script file that a `node` command line runs. */
export function nodeScript(argv: string[]): string | undefined {
  if (basename(argv[0]) !== "node") return undefined;
  for (let index = 1; index < argv.length; index++) {
    const argument = argv[index]!;
    if (NO_SCRIPT.has(argument)) return undefined;
    if (argument === "--") return argv[index + 1];
    if (!argument.startsWith("-")) return argument;
    if (VALUE_OPTIONS.has(argument)) index++;
  }
  return undefined;
}

/** Folders that `npm run build` commonly writes its output to. */
export const BUILD_OUTPUT_FOLDERS = ["dist", "build"];
