import { parseFlags } from "./flags.js";
import type { Dockerfile, Flag, Instruction } from "./types.js";

/**
 * An instruction as BuildKit's parser stores it in its syntax tree, with the
 * arguments split by the rules that BuildKit's `line_parsers.go` applies to
 * each keyword.
 */
export interface ArgumentNode {
  /** Upper-case keyword, for example `ENV`. */
  keyword: string;
  /** Flags as BuildKit lists them: `--name=value`, with quotes removed. */
  flags: string[];
  /**
   * Arguments in BuildKit's order. ENV and LABEL give a name, value and
   * separator for each pair. The separator is `=` for `name=value` and
   * empty for the old `ENV name value` form. An unknown keyword gets one
   * empty argument, as BuildKit's node for it has.
   */
  arguments: string[];
  /** The arguments come from a JSON string array (the exec form). */
  json: boolean;
  /** The instruction that an `ONBUILD` adds, else `undefined`. */
  trigger: ArgumentNode | undefined;
}

/**
 * Arguments that BuildKit's parser rejects. The message names the problem
 * and the fix, and `validateInstructions` adds the location.
 */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArgumentError";
  }
}

type Escape = Dockerfile["escape"];

interface ParsedArguments {
  arguments: string[];
  json: boolean;
  trigger?: ArgumentNode;
}

type LineParser = (
  rest: string,
  keyword: string,
  escape: Escape,
) => ParsedArguments;

/** Characters that Go's `unicode.IsSpace` accepts, as regex class syntax. */
const GO_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680" +
  "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const IS_GO_SPACE = new RegExp(`^[${GO_SPACE}]$`);
const LEADING_GO_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");
/** Blanks that end the keyword, and that split FROM, EXPOSE and COPY words. */
const BLANKS = /[\t\v\f\r ]+/;

const LINE_PARSERS: Record<string, LineParser> = {
  ADD: parseMaybeJsonList,
  ARG: (rest, _keyword, escape) => plain(splitWords(rest, escape)),
  CMD: parseMaybeJson,
  COPY: parseMaybeJsonList,
  ENTRYPOINT: parseMaybeJson,
  ENV: parseNameValues,
  EXPOSE: (rest) => plain(splitAtBlanks(rest)),
  FROM: (rest) => plain(splitAtBlanks(rest)),
  HEALTHCHECK: parseHealthcheck,
  LABEL: parseNameValues,
  MAINTAINER: parseString,
  ONBUILD: parseTrigger,
  RUN: parseMaybeJson,
  SHELL: parseMaybeJson,
  STOPSIGNAL: parseString,
  USER: parseString,
  VOLUME: parseMaybeJsonList,
  WORKDIR: parseString,
};

/**
 * Splits an instruction's arguments as BuildKit's parser does. Throws
 * `ArgumentError` for arguments that BuildKit's parser rejects.
 */
export function parseArguments(
  instruction: Instruction,
  escape: Escape = "\\",
): ArgumentNode {
  const flags = instruction.flags.map(flagWord);
  return buildNode(
    instruction.keyword,
    flags,
    trimGoSpace(instruction.value),
    escape,
  );
}

function flagWord(flag: Flag): string {
  return flag.value === undefined
    ? `--${flag.name}`
    : `--${flag.name}=${flag.value}`;
}

function buildNode(
  keyword: string,
  flags: string[],
  rest: string,
  escape: Escape,
): ArgumentNode {
  const parser = LINE_PARSERS[keyword];
  // BuildKit's parser keeps an unknown instruction with one empty argument,
  // and only the later instruction check rejects it.
  const parsed = parser ? parser(rest, keyword, escape) : plain([""]);
  return {
    keyword,
    flags,
    arguments: parsed.arguments,
    json: parsed.json,
    trigger: parsed.trigger,
  };
}

function plain(args: string[]): ParsedArguments {
  return { arguments: args, json: false };
}

function trimGoSpace(text: string): string {
  return text.replace(GO_TRIM, "");
}

function splitAtBlanks(rest: string): string[] {
  return rest === "" ? [] : rest.split(BLANKS);
}

function parseString(rest: string): ParsedArguments {
  return plain(rest === "" ? [] : [rest]);
}

/** Parses an `ONBUILD` trigger as its own instruction line. */
function parseTrigger(
  rest: string,
  _keyword: string,
  escape: Escape,
): ParsedArguments {
  if (rest === "") return plain([]);
  const blank = BLANKS.exec(rest);
  const keywordEnd = blank ? blank.index : rest.length;
  const { flags, offset } = parseFlags(rest, keywordEnd);
  const trigger = buildNode(
    rest.slice(0, keywordEnd).toUpperCase(),
    flags.map(flagWord),
    trimGoSpace(rest.slice(offset)),
    escape,
  );
  return { arguments: [], json: false, trigger };
}

/** Splits HEALTHCHECK into its type (`CMD`, `NONE`) and the command. */
function parseHealthcheck(rest: string, keyword: string): ParsedArguments {
  let typeEnd = 0;
  while (typeEnd < rest.length && !IS_GO_SPACE.test(rest[typeEnd]!)) typeEnd++;
  if (typeEnd === 0) return plain([]);
  let commandStart = typeEnd;
  while (commandStart < rest.length && IS_GO_SPACE.test(rest[commandStart]!)) {
    commandStart++;
  }
  const command = parseMaybeJson(rest.slice(commandStart), keyword);
  return {
    arguments: [rest.slice(0, typeEnd), ...command.arguments],
    json: command.json,
  };
}

/** Reads RUN, CMD, ENTRYPOINT and SHELL: exec form, or one shell string. */
function parseMaybeJson(rest: string, keyword: string): ParsedArguments {
  if (rest === "") return plain([]);
  const array = parseJsonArray(rest, keyword);
  return array ? { arguments: array, json: true } : plain([rest]);
}

/** Reads COPY, ADD and VOLUME: exec form, or the words between blanks. */
function parseMaybeJsonList(rest: string, keyword: string): ParsedArguments {
  const array = parseJsonArray(rest, keyword);
  return array ? { arguments: array, json: true } : plain(splitAtBlanks(rest));
}

/**
 * Returns the strings of a JSON array, or `undefined` when `rest` is not
 * valid JSON, which BuildKit then reads as shell form. Throws
 * `ArgumentError` for a valid array with an element that is not a string.
 */
function parseJsonArray(rest: string, keyword: string): string[] | undefined {
  const text = rest.replace(LEADING_GO_SPACE, "");
  if (!text.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (!Array.isArray(parsed)) return undefined;
  const other = parsed.find((item) => typeof item !== "string");
  if (other !== undefined) {
    throw new ArgumentError(
      `the JSON array of ${keyword} contains \`${JSON.stringify(other)}\`, ` +
        "which is not a string. Write every element as a quoted string, " +
        "or drop the brackets to use the shell form",
    );
  }
  // Go's JSON decoder turns an unpaired surrogate escape into U+FFFD.
  return (parsed as string[]).map((item) =>
    item.replace(LONE_SURROGATE, "\ufffd"),
  );
}

const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Splits ENV and LABEL into name, value and separator triples. The old form
 * `ENV name value` applies when the first word has no `=`, and its value is
 * the rest of the line as written.
 */
function parseNameValues(
  rest: string,
  keyword: string,
  escape: Escape,
): ParsedArguments {
  const words = splitWords(rest, escape);
  const first = words[0];
  if (first === undefined) return plain([]);
  if (!first.includes("=")) return plain(parseOldNameValue(rest, keyword));
  const args: string[] = [];
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals < 0) {
      throw new ArgumentError(
        `${keyword} \`${word}\` has no \`=\`. ` +
          "When the first pair uses `=`, write every pair as `name=value`, " +
          `as in \`${keyword} ${word}=value\``,
      );
    }
    args.push(word.slice(0, equals), word.slice(equals + 1), "=");
  }
  return plain(args);
}

function parseOldNameValue(rest: string, keyword: string): string[] {
  const blank = BLANKS.exec(rest);
  if (!blank) {
    throw new ArgumentError(
      `${keyword} \`${rest}\` has a name but no value. ` +
        `Write \`${keyword} ${rest}=value\`, ` +
        `or \`${keyword} ${rest}=\` for an empty value`,
    );
  }
  return [
    rest.slice(0, blank.index),
    rest.slice(blank.index + blank[0].length),
    "",
  ];
}

/**
 * Splits at blanks outside quotes, keeping quotes and escape characters in
 * the words, as BuildKit's `parseWords` does for ENV, LABEL and ARG. An
 * escape character at the very end is dropped.
 */
function splitWords(rest: string, escape: Escape): string[] {
  const words: string[] = [];
  let position = 0;
  while (position < rest.length) {
    if (IS_GO_SPACE.test(rest[position]!)) {
      position++;
      continue;
    }
    const word = readWord(rest, position, escape);
    if (word.keep) words.push(word.text);
    position = word.end;
  }
  return words;
}

/** Reads one word from `start`. `keep` is false for an empty unquoted word. */
function readWord(
  rest: string,
  start: number,
  escape: Escape,
): { text: string; end: number; keep: boolean } {
  let text = "";
  let quote = "";
  let quoted = false;
  let position = start;
  for (; position < rest.length; position++) {
    const char = rest[position]!;
    if (!quote && IS_GO_SPACE.test(char)) break;
    const atEnd = position + 1 === rest.length;
    if (char === escape && quote !== "'") {
      // A trailing escape character is dropped and ends any open quote.
      if (atEnd) {
        position = rest.length;
        break;
      }
      text += char + rest[++position];
      continue;
    }
    if (quote && char === quote) quote = "";
    else if (!quote && (char === "'" || char === '"')) {
      quote = char;
      quoted = true;
    }
    text += char;
  }
  return { text, end: position, keep: quoted || text !== "" };
}

/**
 * Formats the instructions as BuildKit's `Node.Dump` prints a parsed file:
 * one line per instruction, for example `(copy ["--from=a"] "x" "/y")`.
 * Throws `ArgumentError` as `parseArguments` does.
 */
export function dumpDockerfile(dockerfile: Dockerfile): string {
  return dockerfile.instructions
    .map((instruction) =>
      dumpNode(parseArguments(instruction, dockerfile.escape)),
    )
    .join("\n");
}

/** Formats one node as BuildKit's `Node.Dump` does, in parentheses. */
export function dumpNode(node: ArgumentNode): string {
  let text = node.keyword.toLowerCase();
  if (node.flags.length > 0) text += ` [${node.flags.map(quoteGo).join(" ")}]`;
  if (node.trigger) text += ` ${dumpNode(node.trigger)}`;
  for (const argument of node.arguments) text += ` ${quoteGo(argument)}`;
  return `(${text})`;
}

/** Go's `IsPrint`: letters, marks, numbers, punctuation, symbols, space. */
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/**
 * Quotes a string as Go's `strconv.Quote` does: printable characters stay,
 * including non-ASCII ones, and the rest become `\n`, `\x00`, `\u00a0` or
 * `\U000e0001` escapes.
 */
export function quoteGo(text: string): string {
  let quoted = '"';
  for (const char of text) quoted += escapeCharacter(char);
  return `${quoted}"`;
}

function escapeCharacter(char: string): string {
  if (char === '"' || char === "\\") return `\\${char}`;
  if (GO_PRINTABLE.test(char)) return char;
  const named = NAMED_ESCAPES[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `\\x${hexDigits(code, 2)}`;
  // Go prints a code point that UTF-8 cannot encode as U+FFFD.
  if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd";
  if (code < 0x10000) return `\\u${hexDigits(code, 4)}`;
  return `\\U${hexDigits(code, 8)}`;
}

function hexDigits(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
