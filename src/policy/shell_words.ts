/**
 * Reading a shell command the way a POSIX shell (bash, zsh, dash) would split it, for the approval
 * policy's deny rules: every simple command it runs — each part of a chain (`;`, `&&`, `||`, `&`,
 * newline), pipeline (`|`, `|&`), subshell, group, `$(…)`, backticks, `<(…)`/`>(…)` and unquoted
 * here-document — as a list of words with quotes, backslashes and line continuations removed.
 *
 * Nothing is run and nothing is expanded. A word whose value only the shell knows (a parameter
 * expansion, a command substitution, a glob or brace expansion) is marked `dynamic`; a command that
 * cannot be read with confidence (an unterminated quote or substitution, unbalanced parentheses, a
 * here-document without its end, input past the size or nesting bound) makes the whole reading
 * `confident: false`. Pure: no I/O.
 *
 * @module
 */

/** One shell word after quote removal. */
export interface ShellWord {
  /** The word's literal text (dynamic parts are kept as written, e.g. `$X`). */
  text: string;
  /** True when part of the word comes from a parameter expansion, a substitution or a brace list. */
  dynamic: boolean;
  /**
   * An unquoted glob (`*`, `?`, `[…]`): `leading` when the word starts with one (it could name a
   * file that starts with `-`), `inner` when it appears later, null when there is none.
   */
  glob: "leading" | "inner" | null;
}

/** Where a simple command's standard input comes from, when the command line says so. */
export type StdinSource = "inherited" | "pipe" | "heredoc" | "herestring" | "file";

/** One simple command: its words (assignments and redirections left out) and its stdin. */
export interface SimpleCommand {
  words: ShellWord[];
  stdin: StdinSource;
}

/** The outcome of reading a command line. */
export interface ShellReading {
  /** Every simple command found, outer ones and nested ones alike, in reading order. */
  commands: SimpleCommand[];
  /** False when the text could not be read with confidence (see {@linkcode ShellReading.problem}). */
  confident: boolean;
  /** Why the reading is not confident, or null. */
  problem: string | null;
}

/** The longest command line read (longer ones are not read with confidence). */
export const MAX_COMMAND_CHARS = 256 * 1024;
/** How deeply substitutions and nested scripts may nest. */
export const MAX_NESTING = 24;

/** Words that open or close compound commands; at a command's start they are not its name. */
const RESERVED = new Set([
  "!",
  "{",
  "}",
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "for",
  "select",
  "case",
  "esac",
  "function",
  "time",
  "coproc",
  "[[",
  "]]",
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

class Unreadable extends Error {}

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

/** A word being built. */
interface WordBuilder {
  text: string;
  dynamic: boolean;
  /** Raw text of the word as written (for assignments and here-document delimiters). */
  raw: string;
  quoted: boolean;
  started: boolean;
  /** True when an unquoted `{` … `,`/`..` … `}` brace list appears. */
  braces: boolean;
  glob: "leading" | "inner" | null;
}

function newWord(): WordBuilder {
  return { text: "", dynamic: false, raw: "", quoted: false, started: false, braces: false, glob: null };
}

/** Reads `text` as a shell command line (see the module doc). */
export function readShell(text: string): ShellReading {
  const out: SimpleCommand[] = [];
  try {
    if (text.length > MAX_COMMAND_CHARS) {
      throw new Unreadable(`the command is longer than ${MAX_COMMAND_CHARS} characters`);
    }
    new Reader(text, out, 0).script();
    return { commands: out, confident: true, problem: null };
  } catch (err) {
    if (err instanceof Unreadable) return { commands: out, confident: false, problem: err.message };
    throw err;
  }
}

class Reader {
  #src: string;
  #pos = 0;
  #out: SimpleCommand[];
  #depth: number;
  #heredocs: PendingHeredoc[] = [];
  /** How many `$(`, `<(` and `>(` are open (each costs a level of recursion). */
  #open = 0;

  constructor(src: string, out: SimpleCommand[], depth: number) {
    if (depth > MAX_NESTING) throw new Unreadable(`substitutions nest deeper than ${MAX_NESTING}`);
    this.#src = src;
    this.#out = out;
    this.#depth = depth;
  }

  /** Reads the whole source as a list of commands. */
  script(): void {
    this.#list(null);
    if (this.#pos < this.#src.length) throw new Unreadable(`unexpected "${this.#src[this.#pos]}"`);
  }

  /** A nested reader over `text` sharing this reader's output (for backticks, `sh -c`, `eval`). */
  #nested(text: string): void {
    new Reader(text, this.#out, this.#depth + 1).script();
  }

  /**
   * Reads commands until `end` (`)` of `$(`, `(`, `<(`) at nesting level 0, or the end of input.
   * Leaves the position just after `end`.
   */
  #list(end: ")" | null): void {
    if (end !== null && ++this.#open > MAX_NESTING) {
      throw new Unreadable(`substitutions nest deeper than ${MAX_NESTING}`);
    }
    let words: ShellWord[] = [];
    let stdin: StdinSource = "inherited";
    let word = newWord();
    let parens = 0;
    let redirect: null | "target" | "heredoc" | "herestring" = null;
    let stripTabs = false;
    const src = this.#src;

    const finishWord = () => {
      if (!word.started) return;
      const w = word;
      word = newWord();
      if (w.braces) w.dynamic = true;
      if (redirect === "heredoc") {
        this.#heredocs.push({
          delimiter: w.text,
          quoted: w.quoted,
          stripTabs,
        });
        redirect = null;
        return;
      }
      if (redirect !== null) {
        redirect = null;
        return;
      }
      if (words.length === 0) {
        if (!w.quoted && !w.dynamic && RESERVED.has(w.text)) return;
        if (ASSIGNMENT.test(w.raw)) return;
      }
      words.push({ text: w.text, dynamic: w.dynamic, glob: w.glob });
    };
    const finishCommand = (next: StdinSource = "inherited") => {
      finishWord();
      if (redirect !== null) throw new Unreadable("a redirection has no target");
      if (words.length) this.#out.push({ words, stdin });
      words = [];
      stdin = next;
    };

    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === " " || c === "\t") {
        finishWord();
        this.#pos++;
      } else if (c === "\n") {
        finishCommand();
        this.#pos++;
        this.#readHeredocs();
      } else if (c === "#" && !word.started) {
        while (this.#pos < src.length && src[this.#pos] !== "\n") this.#pos++;
      } else if (c === ";") {
        finishCommand();
        this.#pos++;
      } else if (c === "&") {
        if (src[this.#pos + 1] === ">") {
          // &> and &>>: stdout and stderr to a file
          finishWord();
          this.#pos += src[this.#pos + 2] === ">" ? 3 : 2;
          redirect = "target";
        } else {
          finishCommand();
          this.#pos += src[this.#pos + 1] === "&" ? 2 : 1;
        }
      } else if (c === "|") {
        if (src[this.#pos + 1] === "|") {
          finishCommand();
          this.#pos += 2;
        } else {
          finishCommand("pipe");
          this.#pos += src[this.#pos + 1] === "&" ? 2 : 1;
        }
      } else if (c === "(") {
        // a subshell after a pipe reads the pipe
        finishCommand(words.length || word.started ? "inherited" : stdin);
        parens++;
        this.#pos++;
      } else if (c === ")") {
        finishCommand();
        this.#pos++;
        if (parens > 0) parens--;
        else if (end === ")") {
          this.#open--;
          return;
        } else throw new Unreadable('a ")" closes nothing');
      } else if (c === "<" || c === ">") {
        if (src[this.#pos + 1] === "(") {
          // process substitution: a command list whose output or input is a file name
          this.#pos += 2;
          this.#list(")");
          word.started = true;
          word.dynamic = true;
          word.raw += "<(…)";
          continue;
        }
        // a file descriptor number written right before the operator belongs to it
        if (word.started && !word.quoted && /^\d+$/.test(word.raw)) word = newWord();
        finishWord();
        const op = this.#redirection();
        if (op === "<<" || op === "<<-") {
          redirect = "heredoc";
          stdin = "heredoc";
          stripTabs = op === "<<-";
        } else if (op === "<<<") {
          redirect = "herestring";
          stdin = "herestring";
        } else {
          redirect = "target";
          if (op === "<" || op === "<>") stdin = "file";
        }
      } else {
        this.#wordPart(word);
      }
    }
    finishCommand();
    if (end === ")") throw new Unreadable('a "(" or "$(" is never closed');
    if (parens > 0) throw new Unreadable('a "(" is never closed');
    if (this.#heredocs.length) throw new Unreadable("a here-document has no end line");
  }

  /** Reads a redirection operator at the position and returns it. */
  #redirection(): string {
    const src = this.#src;
    for (const op of ["<<<", "<<-", "<<", "<>", "<&", ">>", ">&", ">|", "<", ">"]) {
      if (src.startsWith(op, this.#pos)) {
        this.#pos += op.length;
        return op;
      }
    }
    throw new Unreadable("unknown redirection");
  }

  /** After a newline: the bodies of the here-documents opened on the line just ended. */
  #readHeredocs(): void {
    const src = this.#src;
    for (const doc of this.#heredocs.splice(0)) {
      const strip = doc.stripTabs;
      let body = "";
      let closed = false;
      while (this.#pos < src.length) {
        const nl = src.indexOf("\n", this.#pos);
        const lineEnd = nl === -1 ? src.length : nl;
        const line = src.slice(this.#pos, lineEnd);
        this.#pos = nl === -1 ? src.length : nl + 1;
        if ((strip ? line.replace(/^\t+/, "") : line) === doc.delimiter) {
          closed = true;
          break;
        }
        body += line + "\n";
      }
      if (!closed) throw new Unreadable(`the here-document ending in ${doc.delimiter} has no end line`);
      // an unquoted delimiter: the body is expanded like a double-quoted string ($(…) runs)
      if (!doc.quoted) this.#expandText(body);
    }
  }

  /** Scans a here-document body expanded like double-quoted text, reading its substitutions. */
  #expandText(text: string): void {
    new Reader(text, this.#out, this.#depth + 1).#doubleQuoted(newWord(), false);
  }

  /** Reads one part of a word at the position (a run of plain characters, a quote, an expansion). */
  #wordPart(w: WordBuilder): void {
    const src = this.#src;
    const c = src[this.#pos];
    w.started = true;
    if (c === "\\") {
      const next = src[this.#pos + 1];
      if (next === undefined) throw new Unreadable("the command ends in a backslash");
      this.#pos += 2;
      if (next === "\n") {
        // a line continuation joins lines; an empty word started by it is not a word
        if (!w.text && !w.raw) w.started = false;
        return;
      }
      w.text += next;
      w.raw += c + next;
      w.quoted = true;
    } else if (c === "'") {
      const close = src.indexOf("'", this.#pos + 1);
      if (close < 0) throw new Unreadable("a single quote is never closed");
      w.text += src.slice(this.#pos + 1, close);
      w.raw += src.slice(this.#pos, close + 1);
      w.quoted = true;
      this.#pos = close + 1;
    } else if (c === '"') {
      const start = this.#pos;
      this.#pos++;
      this.#doubleQuoted(w);
      w.raw += src.slice(start, this.#pos);
      w.quoted = true;
    } else if (c === "$") {
      const start = this.#pos;
      this.#dollar(w);
      w.raw += src.slice(start, this.#pos);
    } else if (c === "`") {
      const start = this.#pos;
      this.#backtick(w);
      w.raw += src.slice(start, this.#pos);
    } else {
      if (c === "*" || c === "?" || (c === "[" && this.#closes("]"))) {
        w.glob ??= w.text === "" && w.raw === "" ? "leading" : "inner";
      }
      if (c === "{" && this.#braceList()) w.braces = true;
      w.text += c;
      w.raw += c;
      this.#pos++;
    }
  }

  /** True when `close` follows the position within the same word. */
  #closes(close: string): boolean {
    const src = this.#src;
    for (let i = this.#pos + 1; i < src.length; i++) {
      if (" \t\n;&|<>()".includes(src[i])) return false;
      if (src[i] === close) return true;
    }
    return false;
  }

  /** True when an unquoted `{` at the position opens a brace expansion (`{a,b}` or `{1..3}`). */
  #braceList(): boolean {
    const src = this.#src;
    let depth = 0;
    for (let i = this.#pos; i < src.length; i++) {
      const c = src[i];
      if (" \t\n;&|<>()".includes(c)) return false;
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) {
        const inner = src.slice(this.#pos + 1, i);
        return inner.includes(",") || inner.includes("..");
      }
    }
    return false;
  }

  /**
   * Inside double quotes (the opening quote already read): up to and past the closing quote; with
   * `quoted` false (a here-document body), to the end of the text.
   */
  #doubleQuoted(w: WordBuilder, quoted = true): void {
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === '"' && quoted) {
        this.#pos++;
        return;
      }
      if (c === "\\") {
        const next = src[this.#pos + 1];
        if (next === undefined) break;
        if ((quoted ? '$`"\\' : "$`\\").includes(next)) w.text += next;
        else if (next !== "\n") w.text += c + next;
        this.#pos += 2;
      } else if (c === "$") {
        this.#dollar(w, true);
      } else if (c === "`") {
        this.#backtick(w);
      } else {
        w.text += c;
        this.#pos++;
      }
    }
    if (quoted) throw new Unreadable("a double quote is never closed");
  }

  /** A `$` at the position: ANSI-C quoting, a substitution, a parameter expansion, or a plain `$`. */
  #dollar(w: WordBuilder, inQuotes = false): void {
    const src = this.#src;
    const next = src[this.#pos + 1];
    if (next === "(") {
      // $(…) and $((…)): the inside is read as commands (arithmetic reads harmlessly as a subshell)
      this.#pos += 2;
      this.#list(")");
      w.dynamic = true;
      w.text += "$(…)";
    } else if (next === "{") {
      this.#pos += 2;
      this.#braced();
      w.dynamic = true;
      w.text += "${…}";
    } else if (next === "'" && !inQuotes) {
      this.#pos += 2;
      w.text += this.#ansiC();
      w.quoted = true;
    } else if (next === '"' && !inQuotes) {
      // $"…": a translatable string, read as double-quoted
      this.#pos += 2;
      this.#doubleQuoted(w);
      w.quoted = true;
    } else if (next !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(next)) {
      this.#pos += 2;
      if (/[A-Za-z_]/.test(next)) { while (/[A-Za-z0-9_]/.test(src[this.#pos] ?? "")) this.#pos++; }
      w.dynamic = true;
      w.text += "$…";
    } else {
      w.text += "$";
      this.#pos++;
    }
  }

  /** Inside `${…}` (the opening already read): nested quotes and substitutions are read too. */
  #braced(): void {
    const src = this.#src;
    let depth = 0;
    const scratch = newWord();
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === "}") {
        this.#pos++;
        if (depth === 0) return;
        depth--;
      } else if (c === "{") {
        depth++;
        this.#pos++;
      } else if (c === "\\") {
        this.#pos += 2;
      } else if (c === "'" || c === '"' || c === "$" || c === "`") {
        this.#wordPart(scratch);
      } else {
        this.#pos++;
      }
    }
    throw new Unreadable('a "${" is never closed');
  }

  /** Inside `$'…'` (the opening already read): the decoded text. */
  #ansiC(): string {
    const src = this.#src;
    let out = "";
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      a: "\x07",
      b: "\b",
      e: "\x1b",
      E: "\x1b",
      f: "\f",
      v: "\v",
      "\\": "\\",
      "'": "'",
      '"': '"',
      "?": "?",
    };
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === "'") {
        this.#pos++;
        return out;
      }
      if (c !== "\\") {
        out += c;
        this.#pos++;
        continue;
      }
      const e = src[this.#pos + 1];
      if (e === undefined) break;
      let m: RegExpMatchArray | null;
      const rest = src.slice(this.#pos + 1, this.#pos + 12);
      if (simple[e] !== undefined) {
        out += simple[e];
        this.#pos += 2;
      } else if ((m = rest.match(/^x([0-9A-Fa-f]{1,2})/))) {
        out += String.fromCharCode(parseInt(m[1], 16));
        this.#pos += 1 + m[0].length;
      } else if ((m = rest.match(/^([0-7]{1,3})/))) {
        out += String.fromCharCode(parseInt(m[1], 8) & 0xff);
        this.#pos += 1 + m[0].length;
      } else if ((m = rest.match(/^u([0-9A-Fa-f]{1,4})/)) || (m = rest.match(/^U([0-9A-Fa-f]{1,8})/))) {
        const code = parseInt(m[1], 16);
        if (code > 0x10ffff) throw new Unreadable("an $'…' escape names no character");
        out += String.fromCodePoint(code);
        this.#pos += 1 + m[0].length;
      } else if ((m = rest.match(/^c(.)/))) {
        out += String.fromCharCode(m[1].charCodeAt(0) & 0x1f);
        this.#pos += 1 + m[0].length;
      } else {
        out += "\\" + e;
        this.#pos += 2;
      }
    }
    throw new Unreadable("a $'…' quote is never closed");
  }

  /** A backtick substitution at the position: its inside is read as a script of its own. */
  #backtick(w: WordBuilder): void {
    const src = this.#src;
    let inner = "";
    let i = this.#pos + 1;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === "`") break;
      if (c === "\\" && i + 1 < src.length && "`\\$".includes(src[i + 1])) {
        inner += src[i + 1];
        i++;
      } else inner += c;
    }
    if (i >= src.length) throw new Unreadable("a backtick substitution is never closed");
    this.#pos = i + 1;
    this.#nested(inner);
    w.dynamic = true;
    w.text += "`…`";
  }
}

/**
 * Reads `script` (e.g. the argument of `sh -c` or the words of `eval`) into `out`; returns false
 * when it cannot be read with confidence.
 */
export function readNested(
  script: string,
  out: SimpleCommand[],
): { confident: boolean; problem: string | null } {
  const r = readShell(script);
  out.push(...r.commands);
  return { confident: r.confident, problem: r.problem };
}
