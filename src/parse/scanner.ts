import { ParseError } from "./errors.js";
import { findHeredocs, type HeredocStart } from "./heredoc.js";
import {
  isBlank,
  isCommentLine,
  LEADING_SPACE,
  lineColumn,
  splitLines,
} from "./lines.js";
import { parseFlags } from "./flags.js";
import type {
  Comment,
  Directive,
  Dockerfile,
  Heredoc,
  Instruction,
  SourceLine,
} from "./types.js";

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(["syntax", "escape", "check"]);
const HEREDOC_KEYWORDS = new Set(["RUN", "COPY", "ADD"]);

/** Maps offsets of a logical line back to the source, piece by piece. */
interface Piece {
  logical: number;
  source: number;
}

interface LogicalLine {
  text: string;
  pieces: Piece[];
  lines: SourceLine[];
  dropped: SourceLine[];
  /** Index of the first physical line after the instruction. */
  after: number;
}

class Scanner {
  readonly lines: SourceLine[];
  readonly hasBom: boolean;
  escape: "\\" | "`" = "\\";
  readonly directives: Directive[] = [];
  readonly comments: Comment[] = [];
  readonly instructions: Instruction[] = [];
  private continuation = /(^|[^\\])\\[ \t]*$/;

  constructor(
    readonly text: string,
    readonly path: string | undefined,
  ) {
    this.lines = splitLines(text);
    this.hasBom = text.startsWith("\uFEFF");
  }

  /** Returns a line's content; `splitLines` already leaves out a BOM. */
  content(index: number): string {
    const line = this.lines[index]!;
    return this.text.slice(line.start, line.end);
  }

  fail(message: string, offset: number): never {
    const { line, column } = lineColumn(this.lines, offset);
    throw new ParseError(message, line, column, this.path);
  }

  scan(): void {
    let index = this.readDirectives();
    while (index < this.lines.length) {
      index = this.scanLine(index);
    }
    if (this.instructions.length === 0) {
      this.fail(
        "the file has no instructions. " +
          "Add at least a `FROM` instruction, or pass a Dockerfile",
        0,
      );
    }
  }

  /** Reads parser directives; they end at the first line that is not one. */
  private readDirectives(): number {
    const seen = new Set<string>();
    for (let index = 0; index < this.lines.length; index++) {
      const content = this.content(index).replace(LEADING_SPACE, "");
      const match = DIRECTIVE.exec(content);
      const name = match?.[1]?.toLowerCase();
      if (!match || !name || !KNOWN_DIRECTIVES.has(name)) return index;
      const line = this.lines[index]!;
      if (seen.has(name)) {
        this.fail(
          `only one \`${name}\` parser directive can be used`,
          line.start,
        );
      }
      seen.add(name);
      const value = match[2]!;
      if (name === "escape") this.setEscape(value, line.start);
      this.directives.push({
        name,
        value,
        range: { start: line.start, end: line.end },
      });
      this.comments.push(this.comment(index));
    }
    return this.lines.length;
  }

  private setEscape(value: string, offset: number): void {
    if (value !== "\\" && value !== "`") {
      this.fail(
        `invalid escape character \`${value}\`. Use \`\\\` or a backtick`,
        offset,
      );
    }
    this.escape = value;
    this.continuation =
      value === "`" ? /(^|[^`])`[ \t]*$/ : /(^|[^\\])\\[ \t]*$/;
  }

  private comment(index: number): Comment {
    const line = this.lines[index]!;
    const text = this.content(index).replace(LEADING_SPACE, "").slice(1).trim();
    return {
      text,
      range: { start: line.start, end: line.end },
      line: index + 1,
    };
  }

  private scanLine(index: number): number {
    const content = this.content(index);
    if (isCommentLine(content)) {
      this.comments.push(this.comment(index));
      return index + 1;
    }
    if (isBlank(content)) return index + 1;
    const logical = this.joinLines(index);
    if (isBlank(logical.text)) return logical.after;
    const instruction = this.buildInstruction(logical);
    const after = this.readHeredocs(instruction, logical);
    this.instructions.push(instruction);
    return after;
  }

  /** Joins continuation lines as BuildKit does, dropping comment and empty lines. */
  private joinLines(first: number): LogicalLine {
    const pieces: Piece[] = [];
    const lines: SourceLine[] = [];
    const dropped: SourceLine[] = [];
    let text = "";
    let index = first;
    let continues = true;
    while (continues && index < this.lines.length) {
      const line = this.lines[index]!;
      let content = this.content(index);
      let start = line.end - content.length;
      index++;
      if (index - 1 !== first && (isCommentLine(content) || isBlank(content))) {
        dropped.push(line);
        continue;
      }
      if (index - 1 === first) {
        const indent = LEADING_SPACE.exec(content)![0].length;
        content = content.slice(indent);
        start += indent;
      }
      lines.push(line);
      const match = this.continuation.exec(content);
      continues = match !== null;
      if (match) content = content.slice(0, match.index + match[1]!.length);
      pieces.push({ logical: text.length, source: start });
      text += content;
    }
    return { text, pieces, lines, dropped, after: index };
  }

  private buildInstruction(logical: LogicalLine): Instruction {
    const toSource = (offset: number) => mapOffset(logical.pieces, offset);
    const leading = LEADING_SPACE.exec(logical.text)![0].length;
    const rest = logical.text.slice(leading);
    // BuildKit splits the keyword off at ASCII blanks only.
    const keywordText = /^[^\t\v\f\r ]+/.exec(rest)![0];
    const afterKeyword = leading + keywordText.length;
    const { flags, offset } = parseFlags(logical.text, afterKeyword);
    const value = logical.text.slice(offset).replace(/[ \t]+$/, "");
    const firstLine = logical.lines[0]!;
    const lastLine = logical.lines[logical.lines.length - 1]!;
    const keywordStart = toSource(leading);
    const keyword = keywordText.toUpperCase();
    const instruction: Instruction = {
      index: this.instructions.length,
      keyword,
      keywordText,
      keywordRange: {
        start: keywordStart,
        end: keywordStart + keywordText.length,
      },
      range: { start: firstLine.start, end: lastLine.end },
      next: lastLine.next,
      startLine: lineColumn(this.lines, firstLine.start).line,
      endLine: lineColumn(this.lines, lastLine.start).line,
      lines: logical.lines,
      droppedLines: logical.dropped,
      flags,
      argumentsStart:
        offset < logical.text.length ? toSource(offset) : lastLine.end,
      argumentsEnd: lastLine.end,
      value,
      json: parseExecForm(keyword, value),
      heredocs: [],
      trigger: undefined,
      doubt: undefined,
    };
    if (
      this.text.slice(keywordStart, keywordStart + keywordText.length) !==
      keywordText
    ) {
      instruction.doubt = "the keyword is split across lines";
    }
    if (keyword === "ONBUILD") instruction.trigger = buildTrigger(instruction);
    return instruction;
  }

  /** Reads heredoc bodies after the instruction; returns the next line index. */
  private readHeredocs(instruction: Instruction, logical: LogicalLine): number {
    // BuildKit reads heredocs for an ONBUILD trigger too, and never for the
    // exec form.
    const target =
      instruction.keyword === "ONBUILD" ? instruction.trigger : instruction;
    if (!target || !HEREDOC_KEYWORDS.has(target.keyword)) return logical.after;
    if (target.json) return logical.after;
    if (!logical.text.includes("<<")) return logical.after;
    let index = logical.after;
    for (const start of findHeredocs(logical.text)) {
      index = this.readHeredocBody(instruction, start, index);
    }
    const last = this.lines[index - 1];
    if (last && index > logical.after) {
      instruction.range.end = last.end;
      instruction.next = last.next;
      instruction.endLine = index;
    }
    return index;
  }

  private readHeredocBody(
    instruction: Instruction,
    start: HeredocStart,
    first: number,
  ): number {
    const from = this.lines[first]?.start ?? this.text.length;
    for (let index = first; index < this.lines.length; index++) {
      const line = this.lines[index]!;
      let candidate = this.content(index);
      if (start.chomp) candidate = candidate.replace(/^\t+/, "");
      if (candidate !== start.name) continue;
      const heredoc: Heredoc = {
        ...start,
        content: this.text.slice(from, line.start),
        bodyRange: { start: from, end: line.start },
        terminatorRange: { start: line.start, end: line.end },
      };
      instruction.heredocs.push(heredoc);
      return index + 1;
    }
    this.fail(
      `the heredoc \`${start.name}\` has no closing line. ` +
        `Add a line that contains only \`${start.name}\``,
      instruction.keywordRange.start,
    );
  }
}

function mapOffset(pieces: Piece[], offset: number): number {
  let piece = pieces[0]!;
  for (const candidate of pieces) {
    if (candidate.logical > offset) break;
    piece = candidate;
  }
  return piece.source + (offset - piece.logical);
}

const EXEC_FORM_KEYWORDS = new Set([
  "RUN",
  "CMD",
  "ENTRYPOINT",
  "SHELL",
  "COPY",
  "ADD",
  "VOLUME",
  "HEALTHCHECK",
]);

/** Returns the exec form's array, or `undefined` for shell form. */
export function parseExecForm(
  keyword: string,
  value: string,
): string[] | undefined {
  if (!EXEC_FORM_KEYWORDS.has(keyword) || !value.startsWith("["))
    return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return undefined;
    if (!parsed.every((item) => typeof item === "string")) return undefined;
    return parsed as string[];
  } catch {
    return undefined;
  }
}

/** Builds the instruction that an `ONBUILD` trigger would add; it is never edited. */
function buildTrigger(onbuild: Instruction): Instruction | undefined {
  const match = /^([^\t\v\f\r ]+)/.exec(onbuild.value);
  if (!match) return undefined;
  const keywordText = match[1]!;
  const keyword = keywordText.toUpperCase();
  const { flags, offset } = parseFlags(onbuild.value, keywordText.length);
  const value = onbuild.value.slice(offset);
  return {
    ...onbuild,
    keyword,
    keywordText,
    flags,
    value,
    json: parseExecForm(keyword, value),
    heredocs: [],
    trigger: undefined,
    doubt: "an ONBUILD trigger runs in another build",
  };
}

/** Parses Dockerfile text as BuildKit does, keeping every offset of the source. */
export function scanDockerfile(text: string, path?: string): Dockerfile {
  const scanner = new Scanner(text, path);
  scanner.scan();
  return {
    text,
    path,
    eol: detectLineEnding(text),
    escape: scanner.escape,
    hasBom: scanner.hasBom,
    lines: scanner.lines,
    directives: scanner.directives,
    comments: scanner.comments,
    instructions: scanner.instructions,
  };
}

function detectLineEnding(text: string): "\n" | "\r\n" {
  const all = text.split("\n").length - 1;
  const crlf = text.split("\r\n").length - 1;
  return all > 0 && crlf * 2 > all ? "\r\n" : "\n";
}
