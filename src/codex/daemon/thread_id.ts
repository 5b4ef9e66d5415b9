/**
 * Codex thread ids as callers give them: a bare UUID (the rollout filename's uuid) or a
 * `codex://threads/<uuid>` link.
 *
 * @module
 */
import { usageError } from "../../errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Returns the lowercase UUID of `input`, or null when it is neither form. */
export function parseThreadId(input: string): string | null {
  const text = input.trim().toLowerCase();
  const bare = text.startsWith("codex://threads/")
    ? text.slice("codex://threads/".length).replace(/\/+$/, "")
    : text;
  return UUID.test(bare) ? bare : null;
}

/** Like {@linkcode parseThreadId} but throws `usage/BAD_THREAD_ID` (exit 2). */
export function checkThreadId(input: string): string {
  const id = parseThreadId(input);
  if (id) return id;
  throw usageError(
    "BAD_THREAD_ID",
    `${
      JSON.stringify(input.slice(0, 80))
    } is not a Codex thread id: expected a UUID such as 01a1feeb-2f02-7e61-bb70-b597135eab2b or codex://threads/<uuid>`,
    "copy the id from the rollout file name, from /status in the Codex TUI (Session id), or from codex resume",
  );
}
