import type { Comment, Dockerfile, Instruction } from "./parse/types.js";

const PRAGMA = /^(hadolint|layerfix)\s+(global\s+)?ignore\s*=\s*([\w\-, ]+)/i;

/** An `ignore=` comment of hadolint or layerfix. */
export interface Pragma {
  tool: "hadolint" | "layerfix";
  global: boolean;
  /** Rule codes (`DL3009`) or transform ids (`merge-runs`), as written. */
  names: string[];
  comment: Comment;
}

/** Reads an `ignore=` pragma from a comment, if it is one. */
export function readPragma(comment: Comment): Pragma | undefined {
  const match = PRAGMA.exec(comment.text);
  if (!match) return undefined;
  const names = match[3]!.split(/[\s,]+/).filter(Boolean);
  const tool = match[1]!.toLowerCase() as Pragma["tool"];
  return { tool, global: Boolean(match[2]), names, comment };
}

/** Returns the comment lines directly above an instruction, with no blank line between. */
export function commentsAbove(
  dockerfile: Dockerfile,
  instruction: Instruction,
): Comment[] {
  const firstLine = instruction.startLine;
  const byLine = new Map(
    dockerfile.comments.map((comment) => [comment.line, comment]),
  );
  const found: Comment[] = [];
  for (let line = firstLine - 1; byLine.has(line); line--)
    found.unshift(byLine.get(line)!);
  return found;
}

/** Returns the pragmas that apply to an instruction: its own and the file's global ones. */
export function pragmasFor(
  dockerfile: Dockerfile,
  instruction: Instruction,
): Pragma[] {
  const local = commentsAbove(dockerfile, instruction)
    .map(readPragma)
    .filter(
      (pragma): pragma is Pragma => pragma !== undefined && !pragma.global,
    );
  return [...local, ...globalPragmas(dockerfile)];
}

export function globalPragmas(dockerfile: Dockerfile): Pragma[] {
  return dockerfile.comments
    .map(readPragma)
    .filter(
      (pragma): pragma is Pragma => pragma !== undefined && pragma.global,
    );
}

/** Reports whether pragmas silence a transform by id or by one of its hadolint rules. */
export function isIgnored(
  pragmas: Pragma[],
  id: string,
  hadolintRules: string[] = [],
): boolean {
  return pragmas.some((pragma) =>
    pragma.names.some((name) =>
      pragma.tool === "layerfix"
        ? name.toLowerCase() === id
        : hadolintRules.includes(name.toUpperCase()),
    ),
  );
}
