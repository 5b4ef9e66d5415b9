/**
 * Opening a rollout file for reading, safely. A rollout path comes from Codex's thread index or a
 * directory scan of `$CODEX_HOME` — input codexctl does not control — so it is opened the one way
 * that cannot hang: non-blocking (`O_NONBLOCK`: opening a FIFO with no writer returns at once
 * instead of waiting forever), then checked on the open descriptor to be a regular file (a FIFO, a
 * device, a socket or a directory is refused before a single byte is read). Reads are synchronous
 * at explicit positions; every caller bounds how much it reads.
 *
 * Errors keep Deno's classes (`Deno.errors.NotFound`, `Deno.errors.PermissionDenied`), so callers
 * tell "gone" from "not allowed"; anything that is not a regular file is {@linkcode NotARegularFile}.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** The path names something that is not a regular file (a FIFO, device, socket or directory). */
export class NotARegularFile extends Error {
  /** The path that was opened. */
  readonly path: string;
  /** What it is instead (`FIFO`, `directory`, `socket`, `device`). */
  readonly kind: string;

  constructor(path: string, kind: string) {
    super(`${path} is a ${kind}, not a regular file`);
    this.name = "NotARegularFile";
    this.path = path;
    this.kind = kind;
  }
}

/** Facts of an open rollout file, read from its descriptor. */
export interface RolloutFileInfo {
  size: number;
  /** Last modification, ms since the epoch (null when unknown). */
  mtime: number | null;
  ino: number | null;
}

/** A regular file open for reading. */
export interface RolloutFile {
  /** Facts at the time of the call (from the open descriptor, not the path). */
  stat(): RolloutFileInfo;
  /** Reads into `buffer` from byte `position`; returns the bytes read (0 at the end). */
  readAt(buffer: Uint8Array, position: number): number;
  close(): void;
}

/** The node-style error code of `err`, if any. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** Re-throws a node:fs error as the Deno error class callers check for. */
function asDenoError(err: unknown, path: string): Error {
  const code = codeOf(err);
  const message = `${err instanceof Error ? err.message : String(err)}`;
  if (code === "ENOENT" || code === "ENOTDIR") return new Deno.errors.NotFound(message, { cause: err });
  if (code === "EACCES" || code === "EPERM") {
    return new Deno.errors.PermissionDenied(`Permission denied: open '${path}'`, { cause: err });
  }
  if (code === "ELOOP") return new Deno.errors.FilesystemLoop(message, { cause: err });
  if (code === "EISDIR") return new NotARegularFile(path, "directory");
  return err instanceof Error ? err : new Error(message);
}

function kindOf(s: { isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (s.isFIFO()) return "FIFO";
  if (s.isDirectory()) return "directory";
  if (s.isSocket()) return "socket";
  return "device";
}

/**
 * Opens `path` for reading if, and only if, it is a regular file (following symlinks). Never
 * blocks. Throws `Deno.errors.NotFound`, `Deno.errors.PermissionDenied` or
 * {@linkcode NotARegularFile}.
 */
export function openRollout(path: string): RolloutFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw asDenoError(err, path);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new NotARegularFile(path, kindOf(s));
  } catch (err) {
    closeSync(fd);
    throw err instanceof NotARegularFile ? err : asDenoError(err, path);
  }
  let open = true;
  return {
    stat() {
      const s = fstatSync(fd);
      return { size: s.size, mtime: s.mtime ? s.mtime.getTime() : null, ino: s.ino ?? null };
    },
    readAt(buffer, position) {
      try {
        return readSync(fd, buffer, 0, buffer.length, position);
      } catch (err) {
        throw asDenoError(err, path);
      }
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * Reads at most `max` bytes from the start of the rollout at `path` (bounded; see
 * {@linkcode openRollout} for what it refuses).
 */
export function readRolloutHead(path: string, max: number): Uint8Array {
  const file = openRollout(path);
  try {
    const buf = new Uint8Array(Math.max(0, Math.min(max, file.stat().size)));
    let n = 0;
    while (n < buf.length) {
      const r = file.readAt(buf.subarray(n), n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    file.close();
  }
}
