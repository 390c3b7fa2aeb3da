import { ImageFormatError } from "./errors.js";

export type JsonValue =
  null | boolean | number | string | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

/** Parses a JSON document from an image archive, or throws ImageFormatError. */
export function parseJsonDocument(
  archivePath: string,
  name: string,
  data: Buffer,
): JsonValue {
  try {
    // JSON.parse returns only JSON values, so the cast widens nothing.
    return JSON.parse(data.toString("utf8")) as JsonValue;
  } catch (error) {
    throw new ImageFormatError(
      archivePath,
      `\`${name}\` is not valid JSON (${String(error)}). ` +
        "Save the image again with `docker save`.",
      { cause: error },
    );
  }
}

/** Parses a JSON document that must have an object at the top. */
export function parseJsonObject(
  archivePath: string,
  name: string,
  data: Buffer,
): JsonObject {
  const value = parseJsonDocument(archivePath, name, data);
  return requireObject(archivePath, `\`${name}\``, value);
}

/** Returns `value` if it is a JSON object, or else throws ImageFormatError. */
export function requireObject(
  archivePath: string,
  label: string,
  value: JsonValue | undefined,
): JsonObject {
  if (isJsonObject(value)) return value;
  throw new ImageFormatError(
    archivePath,
    `${label} must be a JSON object. Save the image again with \`docker save\`.`,
  );
}

/** Returns whether a value is a JSON object, not an array or null. */
export function isJsonObject(
  value: JsonValue | undefined,
): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns a string field, or undefined if it is absent or not a string. */
export function stringField(
  object: JsonObject | undefined,
  key: string,
): string | undefined {
  const value = object?.[key];
  return typeof value === "string" ? value : undefined;
}

/** Returns an object field, or undefined if it is absent or not an object. */
export function objectField(
  object: JsonObject | undefined,
  key: string,
): JsonObject | undefined {
  const value = object?.[key];
  return isJsonObject(value) ? value : undefined;
}

/** Returns an array field, or an empty array if it is absent or not an array. */
export function arrayField(
  object: JsonObject | undefined,
  key: string,
): JsonValue[] {
  const value = object?.[key];
  return Array.isArray(value) ? value : [];
}

/** Returns the string items of an array, skipping other values. */
export function stringItems(values: readonly JsonValue[]): string[] {
  return values.filter((value): value is string => typeof value === "string");
}
