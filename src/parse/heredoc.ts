import type { Heredoc } from "./types.js";

export type HeredocStart = Pick<
  Heredoc,
  "name" | "chomp" | "quoted" | "fileDescriptor"
>;

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

/**
 * Finds heredoc starts the way BuildKit does: split the line into words at
 * unquoted blanks, and take each word that is entirely `[n]<<[-]NAME`.
 * So `<<EOF` and `<<"EOF"` start heredocs, while `<<  EOF` and `cat<<EOF` do not.
 */
export function findHeredocs(line: string): HeredocStart[] {
  const starts: HeredocStart[] = [];
  for (const word of splitWords(line)) {
    const match = HEREDOC_WORD.exec(word);
    if (!match || match[3] === "") continue;
    const name = removeQuotes(match[3]!);
    if (name === "") continue;
    starts.push({
      name,
      chomp: match[2] === "-",
      quoted: name !== match[3],
      fileDescriptor: match[1] ? Number(match[1]) : 0,
    });
  }
  return starts;
}

/** Splits at blanks outside quotes, keeping quotes and escapes in the words. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote = "";
  for (let position = 0; position < line.length; position++) {
    const char = line[position]!;
    if (!quote && /\s/.test(char)) {
      if (word) words.push(word);
      word = "";
      continue;
    }
    if (char === "\\" && quote !== "'" && position + 1 < line.length) {
      word += char + line[++position];
      continue;
    }
    if (quote && char === quote) quote = "";
    else if (!quote && (char === "'" || char === '"')) quote = char;
    word += char;
  }
  if (word) words.push(word);
  return words;
}

/** Removes shell quotes and backslash escapes from a heredoc delimiter. */
function removeQuotes(word: string): string {
  let result = "";
  let quote = "";
  for (let position = 0; position < word.length; position++) {
    const char = word[position]!;
    if (quote && char === quote) quote = "";
    else if (!quote && (char === "'" || char === '"')) quote = char;
    else if (char === "\\" && quote !== "'" && position + 1 < word.length) {
      result += word[++position];
    } else result += char;
  }
  return result;
}
