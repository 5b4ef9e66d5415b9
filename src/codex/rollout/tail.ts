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
 * call (copy it to keep it).
 */
export type LineVisitor = (bytes: Uint8Array, offset: number) => void;

/** Options of {@linkcode readLines}. */
export interface TailOptions {
  /** Lines longer than this are skipped (default 16 MiB). */
  maxLineBytes?: number;
  /**
   * Stop after consuming about this many bytes (default: read to the end). A read always returns at
   * least one complete line when one is there, whatever the budget (even 0), so paging always ends.
   */
  maxBytes?: number;
  /** Read buffer size (default 1 MiB). */
  chunkBytes?: number;
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
  const chunkSize = Math.max(64, options.chunkBytes ?? 1024 * 1024);
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
        } else if (pending.length + (end - from) > maxLine) {
          // this line is too long: drop what we held and skip to its end
          skipping = true;
          skipStart = lineStart;
          pending.clear();
          if (nl !== -1) {
            skipped.push({ offset: skipStart, length: position + nl - skipStart });
            skipping = false;
            lineStart = position + nl + 1;
          }
        } else if (nl !== -1) {
          const bytes = pending.length === 0
            ? data.subarray(from, end)
            : pending.takeWith(data.subarray(from, end));
          visit(bytes, lineStart);
          consumed += bytes.length + 1;
          lineStart = position + nl + 1;
        } else {
          pending.append(data.subarray(from, end));
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

/** A growable byte buffer for the unterminated tail of a read. */
class LineBuffer {
  #bytes = new Uint8Array(0);
  length = 0;
  /** The largest length ever held. */
  peak = 0;

  append(piece: Uint8Array): void {
    if (this.#bytes.length < this.length + piece.length) {
      const grown = new Uint8Array(Math.max(this.length + piece.length, this.#bytes.length * 2, 4096));
      grown.set(this.#bytes.subarray(0, this.length));
      this.#bytes = grown;
    }
    this.#bytes.set(piece, this.length);
    this.length += piece.length;
    if (this.length > this.peak) this.peak = this.length;
  }

  /** Returns the held bytes followed by `last`, and empties the buffer. */
  takeWith(last: Uint8Array): Uint8Array {
    if (this.length + last.length > this.peak) this.peak = this.length + last.length;
    const out = new Uint8Array(this.length + last.length);
    out.set(this.#bytes.subarray(0, this.length), 0);
    out.set(last, this.length);
    this.clear();
    return out;
  }

  clear(): void {
    this.#bytes = new Uint8Array(0);
    this.length = 0;
  }
}
