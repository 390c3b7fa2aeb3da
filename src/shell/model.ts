import type { Node } from "web-tree-sitter";
import type { Range } from "../parse/types.js";
import type { ShellSource } from "./source.js";

/** A shell word; `value` is its text after quote removal, when it is static. */
export interface Word {
  text: string;
  value: string | undefined;
  range: Range;
}

export type CommandKind =
  "command" | "declaration" | "unset" | "assignment" | "function" | "test";

/** A simple command, an assignment, a declaration or a function definition. */
export interface SimpleCommand {
  kind: CommandKind;
  /** The first word as written (`export` for a declaration), static value. */
  name: string | undefined;
  words: Word[];
  /** Names of variables assigned before the command, or by a bare assignment. */
  assignments: string[];
  range: Range;
  /** Runs in a subshell, a pipeline or a substitution, so state stays there. */
  isolated: boolean;
  /** Has a redirection on the command itself; `exec` with one changes the shell. */
  redirected: boolean;
}

/** A top-level item of the script: an AND-OR list and the operator after it. */
export interface Statement {
  range: Range;
  /** `&&` and `||` operators joining its pipelines, in order. */
  operators: string[];
  /** `;` or `&` written after it, if any. */
  terminator: ";" | "&" | undefined;
  /** The statement contains a heredoc. */
  hasHeredoc: boolean;
}

/** A parsed RUN body with ranges in Dockerfile offsets. */
export interface ShellScript {
  source: ShellSource;
  hasErrors: boolean;
  statements: Statement[];
  commands: SimpleCommand[];
  /** `#` comments, including one at the end of the last line. */
  comments: Range[];
  /** Offsets of every `&` that starts a background job, nested ones included. */
  backgroundOperators: number[];
}

const ISOLATING = new Set([
  "subshell",
  "command_substitution",
  "process_substitution",
  "pipeline",
]);

/** Builds the command model from a tree-sitter tree of `source.text`. */
export function buildScript(root: Node, source: ShellSource): ShellScript {
  const script: ShellScript = {
    source,
    hasErrors: root.hasError || /^\s*-/.test(source.text),
    statements: [],
    commands: [],
    comments: [],
    backgroundOperators: [],
  };
  const toRange = (node: Node): Range => ({
    start: source.base + node.startIndex,
    end: source.base + node.endIndex,
  });
  readStatements(root, script, toRange);
  if (collectCommands(root, script, toRange)) script.hasErrors = true;
  if (hidesContinuedText(script)) {
    script.source = {
      ...source,
      exact: false,
      inexactReason: "a `#` comment hides the continuation lines after it",
    };
  }
  return script;
}

/**
 * Reports whether a `#` comment is followed by more commands on continued
 * lines. BuildKit joins the lines first, so the comment runs to the end of
 * the RUN and hides them, while the shell text here would run them.
 */
function hidesContinuedText(script: ShellScript): boolean {
  const { source } = script;
  if (source.heredocBody) return false;
  return script.comments.some((comment) => {
    const after = source.text.slice(comment.end - source.base);
    return /[^\s\\]/.test(after);
  });
}

function readStatements(
  root: Node,
  script: ShellScript,
  toRange: (node: Node) => Range,
): void {
  for (const child of root.children) {
    if (!child) continue;
    if (child.type === ";" || child.type === "&") {
      const last = script.statements[script.statements.length - 1];
      if (last && !last.terminator) last.terminator = child.type;
      continue;
    }
    if (!child.isNamed || child.type === "comment") continue;
    script.statements.push({
      range: toRange(child),
      operators: listOperators(child),
      terminator: undefined,
      hasHeredoc:
        child.text.includes("<<") &&
        child.descendantsOfType("heredoc_redirect").length > 0,
    });
  }
}

/**
 * Returns the `&&`/`||` operators of a top-level AND-OR list. tree-sitter-bash
 * hangs a redirection after the last command on the whole list
 * (`a && b > f`), so the list may sit inside a `redirected_statement`.
 */
function listOperators(node: Node): string[] {
  if (node.type === "redirected_statement") {
    const body = node.childForFieldName("body");
    return body ? listOperators(body) : [];
  }
  if (node.type !== "list") return [];
  const operators: string[] = [];
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === "list" || child.type === "redirected_statement") {
      operators.push(...listOperators(child));
    } else if (child.type === "&&" || child.type === "||") {
      operators.push(child.type);
    }
  }
  return operators;
}

const COMMAND_TYPES = new Set([
  "command",
  "declaration_command",
  "unset_command",
  "function_definition",
  "test_command",
  "variable_assignment",
  "variable_assignments",
]);
const CHECKED_TYPES = new Set([
  "command_name",
  "compound_statement",
  "redirected_statement",
]);

/**
 * Walks the tree once with a cursor, which is much cheaper than reading
 * `children` (each read builds new node objects): collects commands and
 * comments, and reports whether a shape that sh rejects appears.
 */
function collectCommands(
  root: Node,
  script: ShellScript,
  toRange: (node: Node) => Range,
): boolean {
  const cursor = root.walk();
  const isolatedParents: boolean[] = [false];
  let problem = false;
  try {
    for (;;) {
      const type = cursor.nodeType;
      const isolated =
        isolatedParents[isolatedParents.length - 1]! || ISOLATING.has(type);
      if (COMMAND_TYPES.has(type)) {
        const command = readCommand(cursor.currentNode, isolated, toRange);
        if (command) script.commands.push(command);
      } else if (type === "&") {
        script.backgroundOperators.push(script.source.base + cursor.startIndex);
      } else if (type === "comment") {
        const base = script.source.base;
        script.comments.push({
          start: base + cursor.startIndex,
          end: base + cursor.endIndex,
        });
      }
      if (!problem && CHECKED_TYPES.has(type)) {
        problem = isMisplacedNode(cursor.currentNode, script.source.text);
      }
      if (cursor.gotoFirstChild()) {
        isolatedParents.push(isolated);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return problem;
        isolatedParents.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

function readCommand(
  node: Node,
  isolated: boolean,
  toRange: (node: Node) => Range,
): SimpleCommand | undefined {
  const kind = commandKind(node);
  if (!kind) return undefined;
  const words: Word[] = [];
  const assignments: string[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "variable_assignment") {
      assignments.push(child.childForFieldName("name")?.text ?? child.text);
    } else if (isWordNode(child)) {
      words.push(
        readWord(
          child.type === "command_name"
            ? (child.firstNamedChild ?? child)
            : child,
          toRange,
        ),
      );
    }
  }
  if (kind === "assignment")
    assignments.push(node.childForFieldName("name")?.text ?? "");
  if (kind === "command") {
    words.push(
      ...wordsAfterRedirect(node).map((word) => readWord(word, toRange)),
    );
  }
  const parent = node.parent;
  return {
    kind,
    name:
      kind === "function"
        ? node.firstNamedChild?.text
        : (words[0]?.value ?? keywordOf(node)),
    words,
    assignments,
    range: toRange(node),
    isolated,
    redirected: parent?.type === "redirected_statement",
  };
}

function commandKind(node: Node): CommandKind | undefined {
  switch (node.type) {
    case "command":
      return "command";
    case "declaration_command":
      return "declaration";
    case "unset_command":
      return "unset";
    case "function_definition":
      return "function";
    case "test_command":
      return "test";
    case "variable_assignment":
      return node.parent?.type === "command" ||
        node.parent?.type === "declaration_command"
        ? undefined
        : "assignment";
    case "variable_assignments":
      return "assignment";
    default:
      return undefined;
  }
}

function keywordOf(node: Node): string | undefined {
  const first = node.child(0);
  return first && !first.isNamed ? first.type : undefined;
}

const WORD_TYPES = new Set([
  "command_name",
  "word",
  "string",
  "raw_string",
  "concatenation",
  "number",
  "simple_expansion",
  "expansion",
  "command_substitution",
  "ansi_c_string",
  "translated_string",
  "arithmetic_expansion",
  "process_substitution",
]);

function isWordNode(node: Node): boolean {
  return WORD_TYPES.has(node.type);
}

function readWord(node: Node, toRange: (node: Node) => Range): Word {
  return { text: node.text, value: staticValue(node), range: toRange(node) };
}

/** Returns a word's value after quote removal, or `undefined` if it expands. */
export function staticValue(node: Node): string | undefined {
  switch (node.type) {
    case "word":
    case "number":
      return node.text.replace(/\\(.)/gs, "$1");
    case "raw_string":
      return node.text.slice(1, -1);
    case "string":
      return stringValue(node);
    case "concatenation":
      return concatenationValue(node);
    default:
      return undefined;
  }
}

function stringValue(node: Node): string | undefined {
  let value = "";
  for (const child of node.namedChildren) {
    if (!child || child.type !== "string_content") return undefined;
    value += child.text.replace(/\\([$`"\\\n])/g, "$1");
  }
  return value;
}

function concatenationValue(node: Node): string | undefined {
  let value = "";
  for (const child of node.children) {
    const part = child ? staticValue(child) : undefined;
    if (part === undefined) return undefined;
    value += part;
  }
  return value;
}

/**
 * Returns the words that tree-sitter-bash files under a redirection of a
 * simple command, as in `apt-get install > /dev/null -y curl`: the shell
 * passes every word after the redirection's target to the command.
 */
function wordsAfterRedirect(command: Node): Node[] {
  const parent = command.parent;
  if (parent?.type !== "redirected_statement") return [];
  if (parent.firstNamedChild?.id !== command.id) return [];
  const words: Node[] = [];
  for (const redirect of parent.namedChildren) {
    if (redirect?.type !== "file_redirect") continue;
    const targets = redirect.namedChildren.filter(
      (child): child is Node =>
        child !== null && isWordNode(child) && child.type !== "file_descriptor",
    );
    words.push(...targets.slice(1));
  }
  return words;
}

const RESERVED_WORDS = new Set([
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "esac",
  "}",
  "in",
]);

/**
 * Reports shapes that tree-sitter-bash accepts but a POSIX shell rejects:
 * a reserved word in command position, `{` not followed by a blank, and
 * words after the redirection of a compound command. A script that starts
 * with `-`, which `sh -c` reads as an option, is caught in `buildScript`.
 */
function isMisplacedNode(node: Node, text: string): boolean {
  switch (node.type) {
    case "command_name":
      return RESERVED_WORDS.has(node.text);
    case "compound_statement":
      return (
        node.text.startsWith("{") &&
        !/\s/.test(text[node.startIndex + 1] ?? " ")
      );
    case "redirected_statement": {
      const body = node.firstNamedChild;
      if (!body || body.type === "command") return false;
      return node.namedChildren.some(
        (child) =>
          child?.type === "file_redirect" &&
          child.namedChildren.filter(
            (word) => word !== null && isWordNode(word),
          ).length > 1,
      );
    }
    default:
      return false;
  }
}
