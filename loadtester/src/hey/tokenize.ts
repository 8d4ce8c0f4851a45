/** A command line split into words, or the reason it cannot be run without a shell. */
export type Tokens = { ok: true; words: string[] } | { ok: false; reason: string };

/** Characters that only mean something to a shell; unquoted, they make a command need one. */
const shellSyntax = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);

interface Cursor {
  text: string;
  at: number;
}

/**
 * Splits a command line into words the way a POSIX shell would for a simple command (whitespace, single
 * and double quotes, backslash escapes), but never expands anything: unquoted shell syntax (pipes,
 * redirections, `$`, backquotes, `;`, `&`) and `$`/backquotes inside double quotes are reported instead.
 * Example: `hey -H 'Cookie: type=insider' http://x/` ⇒ `['hey', '-H', 'Cookie: type=insider', 'http://x/']`.
 */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const cursor: Cursor = { text, at: 0 };
  while (skipSpace(cursor) < text.length) {
    const word = readWord(cursor);
    if (typeof word !== 'string') return word;
    words.push(word);
  }
  return { ok: true, words };
}

function skipSpace(cursor: Cursor): number {
  while (cursor.at < cursor.text.length && /\s/.test(cursor.text[cursor.at] ?? '')) cursor.at++;
  return cursor.at;
}

function readWord(cursor: Cursor): string | { ok: false; reason: string } {
  let word = '';
  while (cursor.at < cursor.text.length) {
    const ch = cursor.text[cursor.at] ?? '';
    if (/\s/.test(ch)) break;
    const piece = readPiece(cursor, ch);
    if (typeof piece !== 'string') return piece;
    word += piece;
  }
  return word;
}

function readPiece(cursor: Cursor, ch: string): string | { ok: false; reason: string } {
  if (ch === "'") return readQuoted(cursor, "'");
  if (ch === '"') return readQuoted(cursor, '"');
  if (ch === '\\') {
    cursor.at += 2;
    return cursor.text[cursor.at - 1] ?? '';
  }
  if (shellSyntax.has(ch)) return needsShell(ch);
  cursor.at++;
  return ch;
}

function readQuoted(cursor: Cursor, quote: "'" | '"'): string | { ok: false; reason: string } {
  const start = ++cursor.at;
  let value = '';
  while (cursor.at < cursor.text.length) {
    const ch = cursor.text[cursor.at] ?? '';
    if (ch === quote) {
      cursor.at++;
      return value;
    }
    if (quote === '"') {
      const piece = readDoubleQuoted(cursor, ch);
      if (typeof piece !== 'string') return piece;
      value += piece;
    } else {
      value += ch;
      cursor.at++;
    }
  }
  return { ok: false, reason: `unterminated ${quote} quote starting at character ${start}` };
}

/** One character inside double quotes: `$` and backquotes would expand; `\\` escapes `" \\ $ \``. */
function readDoubleQuoted(cursor: Cursor, ch: string): string | { ok: false; reason: string } {
  if (ch === '$' || ch === '`') return needsShell(ch);
  if (ch === '\\' && '"\\$`'.includes(cursor.text[cursor.at + 1] ?? '')) cursor.at++;
  const value = cursor.text[cursor.at] ?? '';
  cursor.at++;
  return value;
}

function needsShell(ch: string): { ok: false; reason: string } {
  return { ok: false, reason: `'${ch}' is shell syntax; the command is run without a shell` };
}

/** True when `command` runs `program` (`hey …` or `/path/to/hey …`). */
export function runsProgram(command: string, program: string): boolean {
  return new RegExp(`^\\s*(?:\\S*/)?${program}(?:\\s|$)`).test(command);
}

/** The words after `program` in a command line, or why the line is not a call of `program`. */
export function programArgs(command: string, program: string): { ok: true; args: string[] } | { ok: false; error: string } {
  const tokens = tokenize(command);
  if (!tokens.ok) return { ok: false, error: `cannot parse the ${program} command: ${tokens.reason}` };
  const [first, ...args] = tokens.words;
  if (first === undefined || !new RegExp(`(?:^|/)${program}$`).test(first)) return { ok: false, error: `the command does not start with ${program}` };
  return { ok: true, args };
}
