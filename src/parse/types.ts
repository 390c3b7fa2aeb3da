/**
 * A span of the source text. `start` and `end` are zero-based offsets into
 * the whole text (BOM included), `end` exclusive. Lines and columns are
 * 1-based and computed only where output is produced.
 */
export interface Range {
  start: number;
  end: number;
}

/** A physical line of the source, without its line ending. */
export interface SourceLine {
  start: number;
  /** Offset just past the content, before `\r\n` or `\n`. */
  end: number;
  /** Offset just past the line ending; equals `end` on a last line without one. */
  next: number;
}

/** A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`). */
export interface Directive {
  name: string;
  value: string;
  range: Range;
}

/** A comment line outside instructions; `text` is what follows `#`, trimmed. */
export interface Comment {
  text: string;
  range: Range;
  line: number;
}

/** A `--name=value` option between the keyword and the arguments. */
export interface Flag {
  name: string;
  /** `undefined` for a flag written without `=`. */
  value: string | undefined;
  /** The text as written, for example `--mount=type=cache,target=/x`. */
  raw: string;
}

export interface Heredoc {
  /** The delimiter after quote removal, for example `EOF`. */
  name: string;
  /** `<<-`: leading tabs are stripped from body lines and the terminator. */
  chomp: boolean;
  /** The delimiter was quoted, so the body is not expanded. */
  quoted: boolean;
  fileDescriptor: number;
  /** Body lines as BuildKit passes them, line endings included. */
  content: string;
  /** The body lines in the source, from the first body line to the terminator line. */
  bodyRange: Range;
  /** The terminator line, without its line ending. */
  terminatorRange: Range;
}

/** One instruction, with the source spans that edits need. */
export interface Instruction {
  index: number;
  /** Upper-case keyword, for example `RUN`. */
  keyword: string;
  /** The keyword as written, for example `run`. */
  keywordText: string;
  keywordRange: Range;
  /** From the first line's start (indentation included) to the end of the last line's content. */
  range: Range;
  /** Offset just past the last line's line ending. */
  next: number;
  /** 1-based line numbers of the first and the last line. */
  startLine: number;
  endLine: number;
  /** Lines of the instruction itself, before any heredoc body. */
  lines: SourceLine[];
  /** Comment and empty lines that BuildKit drops inside a continuation. */
  droppedLines: SourceLine[];
  flags: Flag[];
  /** Offset in the source where the arguments start, after the flags. */
  argumentsStart: number;
  /** End of the instruction's own text, before heredoc bodies. */
  argumentsEnd: number;
  /** The logical line after keyword and flags, continuations joined as BuildKit does. */
  value: string;
  /** The exec form's array, when the arguments are a JSON string array. */
  json: string[] | undefined;
  heredocs: Heredoc[];
  /** The trigger of an `ONBUILD` instruction, with its own keyword and flags. */
  trigger: Instruction | undefined;
  /** Set when the boundaries are in doubt; no transform may edit the instruction then. */
  doubt: string | undefined;
}

/** A parsed Dockerfile that keeps the original text. */
export interface Dockerfile {
  text: string;
  path: string | undefined;
  /** `\r\n` when most lines end that way, else `\n`. */
  eol: "\n" | "\r\n";
  /** The escape character from the `escape` directive, `\` by default. */
  escape: "\\" | "`";
  hasBom: boolean;
  lines: SourceLine[];
  directives: Directive[];
  comments: Comment[];
  instructions: Instruction[];
}
