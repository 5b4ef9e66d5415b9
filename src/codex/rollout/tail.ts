/**
 * A byte-offset tailer for append-only JSONL files (Codex rollouts).
 *
 * - Only complete lines are returned; the cursor always ends just after the last newline read, so
 *   a half-written last line is left for the next read and never parsed.
 * - Lines are split on the 0x0A byte and decoded whole, so UTF-8 split across reads is harmless.
 * - Truncation (size < offset) and replacement (inode change) are detected, reported, and reading
 *   restarts from 0.
 * - Lines longer than `maxLineBytes` (default 16 MiB) are skipped with a warning without ever being
 *   held in memory; while such a line is still being written the cursor carries `skipping: true`.
 * - A reader that needs only the first bytes of some lines (`headOnly`) gets a long line of that kind
 *   as its head and its length: the rest is read past, never held, so memory does not grow with it.
 *
 * @module
 */
import { openRollout } from "./open.ts";

/** Where a reader stopped in a file. Plain JSON, so it can be persisted. */
export interface TailCursor {
  /** Byte offset of the next unread byte (just after the last newline, unless `skipping`). */
  offset: number;
  /** Inode of the file the offset belongs to (null before the first read). */
  ino: number | null;
  /** True while inside an over-long line whose end has not been written yet. */
  skipping: boolean;
}

/** One complete line. */
export interface TailLine {
  /** Byte offset of the line's first byte. */
  offset: number;
  /** The line's raw bytes, without the trailing newline. */
  bytes: Uint8Array;
}

/** The outcome of one scan (a read without the lines). */
export interface TailScan {
  cursor: TailCursor;
  /** The file shrank below the cursor: reading restarted from 0. */
  truncated: boolean;
  /** The file was replaced (another inode): reading restarted from 0. */
  replaced: boolean;
  /** Over-long lines skipped: their offset and length (length may be a lower bound while unfinished). */
  skipped: { offset: number; length: number }[];
  /** File size at the time of the read. */
  size: number;
  /** The file's last modification time at the read (ms since the epoch; null when unknown). */
  mtime: number | null;
  /** True when the read stopped early because `maxBytes` was reached (more is available). */
  more: boolean;
  /** The most bytes of one unterminated line held in memory during the read (bounded by maxLineBytes). */
  peak_line_bytes: number;
}

/** The outcome of one read. */
export interface TailRead extends TailScan {
  lines: TailLine[];
}

/**
 * Called once per complete line. `bytes` is a view into a reused buffer: valid only during the
 * call (copy it to keep it). `length` is the line's length in bytes (without the newline): more
 * than `bytes.length` when only the line's head was kept (see {@linkcode HeadOnly}).
 */
export type LineVisitor = (bytes: Uint8Array, offset: number, length: number) => void;

/**
 * Which long lines are read for their first bytes only. Once a line has grown past `after` bytes
 * without ending, `test` sees its first `keep` bytes; when it returns true the rest of the line is
 * read past without being held, and the visitor gets those `keep` bytes and the line's full length.
 * Such a line is never over-long: its length does not cost memory.
 */
export interface HeadOnly {
  after: number;
  keep: number;
  test: (head: Uint8Array) => boolean;
}

/** Options of {@linkcode readLines}. */
export interface TailOptions {
  /** Lines longer than this are skipped (default 16 MiB). */
  maxLineBytes?: number;
  /**
   * Stop after consuming about this many bytes (default: read to the end). A read always returns at
   * least one complete line when one is there, whatever the budget (even 0), so paging always ends.
   */
  maxBytes?: number;
  /** Read buffer size (default 256 KiB). */
  chunkBytes?: number;
  /** Long lines whose head is enough (default: every line is held whole). */
  headOnly?: HeadOnly;
  /**
   * Called before the first line is visited when the file shrank below the cursor or was replaced:
   * the read starts over from byte 0.
   */
  onRestart?: (why: "truncated" | "replaced") => void;
}

/** The start of a file. */
export const START: TailCursor = Object.freeze({ offset: 0, ino: null, skipping: false });

/** The default bound on a single line. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Reads the complete lines of `path` after `cursor`. Throws `Deno.errors.NotFound` if the file is
 * gone, `Deno.errors.PermissionDenied` if it may not be read, and `NotARegularFile` (`open.ts`) for
 * a FIFO, device or directory — which is never opened in a way that could block.
 */
export async function readLines(
  path: string,
  cursor: TailCursor = START,
  options: TailOptions = {},
): Promise<TailRead> {
  const lines: TailLine[] = [];
  const scan = await scanLines(
    path,
    cursor,
    (bytes, offset) => lines.push({ offset, bytes: bytes.slice() }),
    options,
  );
  return { ...scan, lines };
}

/**
 * Visits the complete lines of `path` after `cursor` without copying them (see
 * {@linkcode LineVisitor}). Throws as {@linkcode readLines} does.
 */
export function scanLines(
  path: string,
  cursor: TailCursor,
  visit: LineVisitor,
  options: TailOptions = {},
): Promise<TailScan> {
  try {
    return Promise.resolve(scanLinesSync(path, cursor, visit, options));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** {@linkcode scanLines}, synchronously (page-cache reads are short; no read ever blocks). */
export function scanLinesSync(
  path: string,
  cursor: TailCursor,
  visit: LineVisitor,
  options: TailOptions = {},
): TailScan {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const chunkSize = Math.max(64, options.chunkBytes ?? 256 * 1024);
  const budget = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const file = openRollout(path);
  try {
    const info = file.stat();
    const size = info.size;
    const mtime = info.mtime;
    const ino = info.ino;
    let offset = cursor.offset;
    let skipping = cursor.skipping;
    let truncated = false;
    let replaced = false;
    if (cursor.ino !== null && ino !== null && cursor.ino !== ino) {
      replaced = true;
      offset = 0;
      skipping = false;
    } else if (size < offset) {
      truncated = true;
      offset = 0;
      skipping = false;
    }
    if (replaced || truncated) options.onRestart?.(replaced ? "replaced" : "truncated");
    const skipped: { offset: number; length: number }[] = [];
    if (size === offset) {
      return {
        cursor: { offset, ino, skipping },
        truncated,
        replaced,
        skipped,
        size,
        mtime,
        more: false,
        peak_line_bytes: 0,
      };
    }
    const chunk = new Uint8Array(chunkSize);
    // the bytes of the current, not yet terminated line (never more than maxLine)
    const pending = new LineBuffer();
    let lineStart = offset; // offset of the current line's first byte
    let position = offset; // offset of the next byte to read
    let skipStart = skipping ? offset : -1;
    const headOnly = options.headOnly;
    // the current line: its head was asked about (headOnly), and the answer was "the head is enough"
    let asked = false;
    let headOnlyLine = false;
    let consumed = 0;
    let more = false;
    // a read always makes progress: the budget is checked only after the first complete line, so a
    // budget smaller than that line (even 0) still returns it and moves the cursor past it
    const spent = () => consumed > 0 && consumed >= budget && !skipping && pending.length === 0;
    while (position < size) {
      if (spent()) {
        more = true;
        break;
      }
      // page-cache reads are fast and short; the synchronous call skips the async op overhead
      const n = file.readAt(chunk.subarray(0, Math.min(chunkSize, size - position)), position);
      if (n === 0) break;
      const data = chunk.subarray(0, n);
      let from = 0;
      let stopped = false;
      while (from < n) {
        if (spent()) {
          // the budget is spent: stop at this line start; the cursor stays there
          stopped = true;
          break;
        }
        const nl = data.indexOf(10, from);
        const end = nl === -1 ? n : nl;
        if (skipping) {
          if (nl !== -1) {
            skipped.push({ offset: skipStart, length: position + nl - skipStart });
            skipping = false;
            lineStart = position + nl + 1;
          }
        } else if (headOnlyLine) {
          // the head is held; read past the rest of the line
          if (nl !== -1) {
            const length = position + nl - lineStart;
            visit(pending.view(), lineStart, length);
            consumed += length + 1;
            lineStart = position + nl + 1;
            pending.reset();
            headOnlyLine = false;
            asked = false;
          }
        } else if (pending.length + (end - from) > maxLine) {
          // this line is too long: drop what we held and skip to its end
          skipping = true;
          skipStart = lineStart;
          pending.reset();
          asked = false;
          if (nl !== -1) {
            skipped.push({ offset: skipStart, length: position + nl - skipStart });
            skipping = false;
            lineStart = position + nl + 1;
          }
        } else if (nl !== -1) {
          const held = pending.length > 0;
          const bytes = held ? pending.viewWith(data.subarray(from, end)) : data.subarray(from, end);
          visit(bytes, lineStart, bytes.length);
          consumed += bytes.length + 1;
          lineStart = position + nl + 1;
          if (held) pending.reset();
          asked = false;
        } else {
          pending.append(data.subarray(from, end));
          if (headOnly && !asked && pending.length > headOnly.after) {
            asked = true;
            if (headOnly.test(pending.view().subarray(0, headOnly.keep))) {
              headOnlyLine = true;
              pending.truncate(headOnly.keep);
            }
          }
        }
        from = nl === -1 ? n : nl + 1;
      }
      if (stopped) {
        more = true;
        break;
      }
      position += n;
      if (spent()) {
        more = position < size;
        break;
      }
    }
    if (skipping) {
      // an over-long line still being written: remember how far we skipped
      skipped.push({ offset: skipStart, length: position - skipStart });
      return {
        cursor: { offset: position, ino, skipping: true },
        truncated,
        replaced,
        skipped,
        size,
        mtime,
        more,
        peak_line_bytes: pending.peak,
      };
    }
    return {
      cursor: { offset: lineStart, ino, skipping: false },
      truncated,
      replaced,
      skipped,
      size,
      mtime,
      more,
      peak_line_bytes: pending.peak,
    };
  } finally {
    file.close();
  }
}

/** Buffers up to this size are kept for the next line; bigger ones are let go after their line. */
const KEEP_BUFFER = 1024 * 1024;

/**
 * A growable byte buffer for the unterminated part of a line. It grows by half (not doubling) so a
 * long line costs little more than its length, and a big buffer is let go once its line is done.
 */
class LineBuffer {
  #bytes = new Uint8Array(0);
  length = 0;
  /** The largest length ever held. */
  peak = 0;

  append(piece: Uint8Array): void {
    if (this.#bytes.length < this.length + piece.length) {
      const size = Math.max(this.length + piece.length, Math.floor(this.#bytes.length * 1.5), 4096);
      const grown = new Uint8Array(size);
      grown.set(this.#bytes.subarray(0, this.length));
      this.#bytes = grown;
    }
    this.#bytes.set(piece, this.length);
    this.length += piece.length;
    if (this.length > this.peak) this.peak = this.length;
  }

  /** The held bytes (a view: valid until the buffer changes). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }

  /** The held bytes followed by `last` (a view: valid until the buffer changes). */
  viewWith(last: Uint8Array): Uint8Array {
    this.append(last);
    return this.view();
  }

  /** Keeps only the first `n` bytes. */
  truncate(n: number): void {
    this.length = Math.min(n, this.length);
  }

  /** Empties the buffer (a big one is let go). */
  reset(): void {
    if (this.#bytes.length > KEEP_BUFFER) this.#bytes = new Uint8Array(0);
    this.length = 0;
  }
}
