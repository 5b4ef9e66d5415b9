/**
 * `watch --watch-file PATH [--pattern RE]`: the value a person cares about in a file — a metric, a
 * constant, a status line — and a `value_changed` line when it changes (the orchestration seed's
 * "VALUE CHANGE"). The value is the file's text, or with `--pattern` every match of the pattern
 * in it (flags `gm`: `^` and `$` are line ends), joined by ` | `.
 *
 * Bounded and safe: the file is opened the way rollouts are (`codex/rollout/open.ts`: non-blocking,
 * a regular file or nothing — a FIFO, a device or a directory is refused, never waited on) and only
 * its first {@linkcode MAX_FILE_BYTES} are read; the value kept is at most
 * {@linkcode MAX_VALUE_CHARS} characters (a change past that is still seen: values are compared
 * by a hash of the whole).
 *
 * @module
 */
import { NotARegularFile, readRolloutHead } from "../codex/rollout/open.ts";
import { environmentError, notFoundError, usageError } from "../errors.ts";
import { fnv64 } from "../names.ts";
import { clip } from "../text.ts";
import type { Change } from "../verdict/change.ts";

/** How much of a watched file is read. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** How many characters of a value a line shows. */
export const MAX_VALUE_CHARS = 200;
/** The most matches joined into one value. */
const MAX_MATCHES = 200;

/** A file a watch follows. */
export interface WatchedFile {
  path: string;
  /** The pattern's source (null: the whole file is the value). */
  pattern: string | null;
  regex: RegExp | null;
}

/** One reading of a watched file. */
export interface FileValue {
  /** The value (clipped for showing); null when the file is gone or cannot be read now. */
  value: string | null;
  /** A hash of the whole value (null: gone). */
  hash: string | null;
}

/**
 * Checks `--watch-file` and `--pattern` and reads the file once: an empty path or a pattern that is
 * not a regular expression is `usage/BAD_ARGS` (exit 2), a missing file `not_found/FILE_NOT_FOUND`
 * (4), a FIFO, device or directory `environment/NOT_A_FILE` and an unreadable file
 * `environment/PERMISSION_DENIED` (3). Returns the file and its value now.
 */
export function openWatchedFile(
  path: string,
  pattern: string | null,
): { file: WatchedFile; value: FileValue } {
  if (!path.trim()) {
    throw usageError("BAD_ARGS", "--watch-file needs a path", "run: codexctl watch … --watch-file PATH");
  }
  let regex: RegExp | null = null;
  if (pattern !== null) {
    if (!pattern) {
      throw usageError("BAD_ARGS", "--pattern is empty", "give a regular expression, or leave it out");
    }
    try {
      regex = new RegExp(pattern, "gm");
    } catch (err) {
      throw usageError(
        "BAD_ARGS",
        `--pattern ${clip(JSON.stringify(pattern), 80)} is not a regular expression (${
          err instanceof Error ? err.message : String(err)
        })`,
        "give a JavaScript regular expression, e.g. --pattern 'lr\\s*=\\s*\\S+'",
      );
    }
  }
  const file = { path, pattern, regex };
  let bytes: Uint8Array;
  try {
    bytes = readRolloutHead(path, MAX_FILE_BYTES);
  } catch (err) {
    throw fileError(path, err);
  }
  return { file, value: valueOf(file, bytes) };
}

/** Reads the file's value now; a file gone or no longer readable is a null value, never an error. */
export function readFileValue(file: WatchedFile): FileValue {
  try {
    return valueOf(file, readRolloutHead(file.path, MAX_FILE_BYTES));
  } catch {
    return { value: null, hash: null };
  }
}

/** The change a new value is, or null when it did not change. */
export function valueChange(file: WatchedFile, before: FileValue, now: FileValue): Change | null {
  if (now.hash === before.hash) return null;
  const name = file.path.slice(file.path.lastIndexOf("/") + 1) || file.path;
  const summary = now.value === null
    ? `VALUE CHANGE ${name}: the file is gone or cannot be read`
    : `VALUE CHANGE ${name}: ${now.value || "(no match)"}${
      before.value !== null ? ` (was: ${clip(before.value || "(no match)", 80)})` : ""
    }`;
  return {
    event: "value_changed",
    summary,
    priority: 4,
    value: { path: clip(file.path, 120, { keep: "end", flatten: false }), gone: now.value === null },
  };
}

function valueOf(file: WatchedFile, bytes: Uint8Array): FileValue {
  const text = new TextDecoder().decode(bytes);
  let whole: string;
  if (file.regex) {
    const found: string[] = [];
    file.regex.lastIndex = 0;
    for (const m of text.matchAll(file.regex)) {
      found.push(m[0]);
      if (found.length >= MAX_MATCHES) break;
    }
    whole = found.join(" | ");
  } else whole = text;
  return { value: clip(whole, MAX_VALUE_CHARS), hash: fnv64(whole) };
}

function fileError(path: string, err: unknown) {
  if (err instanceof Deno.errors.NotFound) {
    return notFoundError(
      "FILE_NOT_FOUND",
      `--watch-file ${path} does not exist`,
      "give the path of an existing file (create it first if the task writes it later)",
    );
  }
  if (err instanceof NotARegularFile) {
    return environmentError("NOT_A_FILE", `--watch-file ${err.message}; only a regular file can be watched`, {
      suggestion: "give the path of a regular file",
    });
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return environmentError("PERMISSION_DENIED", `--watch-file ${path} cannot be read (permission denied)`, {
      suggestion: `let this user read it: ls -l ${path}`,
    });
  }
  return environmentError("FILE_UNREADABLE", `--watch-file ${path} cannot be read (${String(err)})`, {
    suggestion: "give the path of a readable regular file",
  });
}
