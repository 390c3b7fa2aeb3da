import {
  arrayField,
  isJsonObject,
  objectField,
  stringItems,
  type JsonObject,
  type JsonValue,
} from "./json.js";
import { canonical } from "./snapshot.js";

/** The runtime settings of an image config that a rewrite must keep. */
export const COMPARED_CONFIG_FIELDS = [
  "Env",
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "ExposedPorts",
  "Labels",
  "Healthcheck",
] as const;

export type ConfigField = (typeof COMPARED_CONFIG_FIELDS)[number];

/** Fields whose value is a map, so a difference can name its keys. */
const KEYED_FIELDS = new Set<ConfigField>(["Env", "ExposedPorts", "Labels"]);

export interface ConfigDifference {
  field: ConfigField;
  /** Normalized value. Env becomes an object of variable names to values. */
  before: JsonValue;
  after: JsonValue;
  /** For Env, ExposedPorts and Labels: the keys added, removed or changed. */
  keys?: string[];
}

/**
 * Compares the runtime settings (`config` object) of two image configs.
 * Values are normalized first, so an absent field, `null` and an empty
 * value are equal, Env order does not count, and a later Env entry for
 * the same variable wins, as in Docker.
 */
export function compareImageConfigs(
  before: JsonObject,
  after: JsonObject,
): ConfigDifference[] {
  const differences: ConfigDifference[] = [];
  for (const field of COMPARED_CONFIG_FIELDS) {
    const a = normalizeField(objectField(before, "config"), field);
    const b = normalizeField(objectField(after, "config"), field);
    if (canonical(a) === canonical(b)) continue;
    const keys = KEYED_FIELDS.has(field) ? changedKeys(a, b) : undefined;
    differences.push(
      keys === undefined
        ? { field, before: a, after: b }
        : { field, before: a, after: b, keys },
    );
  }
  return differences;
}

function normalizeField(
  config: JsonObject | undefined,
  field: ConfigField,
): JsonValue {
  const value = config?.[field];
  switch (field) {
    case "Env":
      return environmentObject(stringItems(arrayField(config, field)));
    case "Cmd":
    case "Entrypoint":
      return Array.isArray(value) ? value : [];
    case "WorkingDir":
    case "User":
      return typeof value === "string" ? value : "";
    case "ExposedPorts":
    case "Labels":
      return objectField(config, field) ?? {};
    case "Healthcheck":
      return value ?? null;
  }
}

function environmentObject(entries: readonly string[]): JsonObject {
  const environment: JsonObject = {};
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    if (equals === -1) environment[entry] = "";
    else environment[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return environment;
}

function changedKeys(a: JsonValue, b: JsonValue): string[] | undefined {
  if (!isJsonObject(a) || !isJsonObject(b)) return undefined;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((key) => canonical(a[key]) !== canonical(b[key]))
    .sort();
}
