// The package's entry point must load first: its modules require each other
// in a cycle that only that order resolves.
import "dockerfile-ast";
import type { Dockerfile as LibraryDockerfile } from "dockerfile-ast/lib/dockerfile.js";
import { Instruction as LibraryInstruction } from "dockerfile-ast/lib/instruction.js";
import { Parser } from "dockerfile-ast/lib/parser.js";

type TextDocument = ConstructorParameters<typeof LibraryInstruction>[0];

/** The private parts of dockerfile-ast 0.7's `Parser` that the override uses. */
interface ParserInternals {
  document: TextDocument;
  escapeChar: string;
  createInstruction(
    dockerfile: LibraryDockerfile,
    instruction: string,
    start: number,
    instructionEnd: number,
    end: number,
  ): LibraryInstruction;
}

/**
 * Returns the line range of each instruction as dockerfile-ast reads it.
 * The library builds a class per keyword whose constructor splits the
 * arguments, which costs most of its parse time, while the boundaries never
 * depend on it. So this parser builds plain instruction objects: its heredoc
 * scan of ADD, COPY and RUN reads the same arguments from them, plus the
 * `--` flags, which never start with `<<`. ONBUILD keeps its class, because
 * the heredoc scan reads its trigger.
 */
export function parseLibraryRanges(text: string) {
  const parser = new Parser();
  const internals = parser as unknown as ParserInternals;
  const createInstruction = internals.createInstruction.bind(parser);
  internals.createInstruction = (
    dockerfile,
    keyword,
    start,
    keywordEnd,
    end,
  ) => {
    if (keyword.toUpperCase() === "ONBUILD") {
      return createInstruction(dockerfile, keyword, start, keywordEnd, end);
    }
    const { document, escapeChar } = internals;
    const from = document.positionAt(start);
    const range = { start: from, end: document.positionAt(end) };
    const keywordRange = { start: from, end: document.positionAt(keywordEnd) };
    return new LibraryInstruction(
      document,
      range,
      dockerfile,
      escapeChar,
      keyword,
      keywordRange,
    );
  };
  return parser
    .parse(text)
    .getInstructions()
    .map((instruction) => instruction.getRange());
}
