import { createRequire } from "node:module";
import v8 from "node:v8";
import { Language, Parser } from "web-tree-sitter";
import type { Tree } from "web-tree-sitter";

let ready: Promise<Parser> | undefined;

/**
 * Loads tree-sitter-bash once per process. V8 otherwise compiles the
 * WebAssembly module with its optimizing tier in the background, which
 * costs several hundred milliseconds of start-up for a short run.
 */
export function loadShellParser(): Promise<Parser> {
  ready ??= (async () => {
    v8.setFlagsFromString("--liftoff-only");
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasm = require.resolve("tree-sitter-bash/tree-sitter-bash.wasm");
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

/** Parses shell text; the caller must call `tree.delete()`. */
export function parseShell(parser: Parser, text: string): Tree {
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter returned no tree for a RUN body");
  return tree;
}
