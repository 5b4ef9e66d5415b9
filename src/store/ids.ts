/**
 * Validation of every id that becomes part of a path, so no input can escape the state directory.
 *
 * @module
 */
import { usageError } from "../errors.ts";

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `id` is safe to use as one path segment (no `/`, no `..`, no NUL, not hidden). */
export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes("..");
}

/**
 * Returns `id` when it is a safe single path segment, else throws `usage/BAD_ID` (exit 2).
 * `what` names the id in the message, e.g. "session id".
 */
export function checkId(id: string, what = "id"): string {
  if (typeof id !== "string" || !isSafeId(id)) {
    const shown = JSON.stringify(String(id).slice(0, 60)).replaceAll("\\u0000", "\\0");
    throw usageError(
      "BAD_ID",
      `${what} ${shown} is not valid: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit, with no '..'`,
      `check the ${what}; codexctl sessions lists the live ones`,
    );
  }
  return id;
}
