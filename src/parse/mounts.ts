import type { Instruction } from "./types.js";

/** One `--mount=` option of a RUN, with its keys in lower case. */
export interface Mount {
  /** `bind` when the option names no type, as in BuildKit. */
  type: string;
  /** The mount point from `target=`, `dst=` or `destination=`, if given. */
  target: string | undefined;
  /** Every `key=value` pair. A key written without `=` maps to "". */
  options: Map<string, string>;
  raw: string;
}

const TARGET_KEYS = ["target", "dst", "destination"];

/** Reads the `--mount=` options of a RUN (or of an `ONBUILD RUN` trigger). */
export function readMounts(instruction: Instruction): Mount[] {
  const run = instruction.trigger ?? instruction;
  return run.flags
    .filter((flag) => flag.name === "mount" && flag.value !== undefined)
    .map((flag) => readMount(flag.value!, flag.raw));
}

function readMount(value: string, raw: string): Mount {
  const options = new Map<string, string>();
  // NOTE: BuildKit reads the value as CSV, so a quoted field may contain a
  // comma. This split breaks such a field, as in a path with a comma.
  for (const field of value.split(",")) {
    const text = field.trim().replace(/^"(.*)"$/s, "$1");
    if (text === "") continue;
    const equals = text.indexOf("=");
    const key = (equals < 0 ? text : text.slice(0, equals)).toLowerCase();
    options.set(key, equals < 0 ? "" : text.slice(equals + 1));
  }
  const targetKey = TARGET_KEYS.find((key) => options.has(key));
  return {
    type: options.get("type") ?? "bind",
    target: targetKey ? options.get(targetKey) : undefined,
    options,
    raw,
  };
}
