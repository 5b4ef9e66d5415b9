/**
 * Flags and helpers shared by the session verbs (start, send, reply, await, status, watch, end).
 *
 * @module
 */
import { z } from "zod";
import type { Verdict } from "../envelope.ts";
import type { Session } from "../driver/session.ts";
import type { FlagSpec } from "./verb.ts";
import { nothingSeen } from "../verdict/rule.ts";

/** `--session cdx-…`. */
export const SESSION_FLAG: FlagSpec = {
  type: "string",
  placeholder: "ID",
  description: "The codexctl session (cdx-…)",
};
/** `--expect PATH` (repeatable). */
export const EXPECT_FLAG: FlagSpec = {
  type: "string",
  multiple: true,
  placeholder: "PATH",
  description:
    "A file the task must produce (relative to the session's cwd); it counts once it is a regular file (a directory does not)",
};
/** `--timeout SEC`. */
export const TIMEOUT_FLAG: FlagSpec = {
  type: "string",
  placeholder: "SEC",
  description:
    "Wait at most this long for a settled verdict (default 600); a wait that runs out returns working/timeout",
};
/** `--no-wait`. */
export const NO_WAIT_FLAG: FlagSpec = {
  type: "boolean",
  description: "Return right after acting, without waiting for a verdict",
};

/** `1|true|yes|on` (case-insensitive, trimmed). */
export function truthy(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test((value ?? "").trim());
}

/**
 * The verdict an action returns when the caller asked not to wait: `base` (the last reading) with
 * its state, summary and next action replaced; null when nothing was read yet (a headless run just
 * launched).
 */
export function noWaitVerdict(base: Verdict | null, summary: string, next: Verdict["next_action"]): Verdict {
  const seen = base ?? nothingSeen();
  return { ...seen, state: "working", reason: "no_wait", summary, next_action: next };
}

/** Adds `paths` (`--expect`) to what the session expects, persisted, without duplicates. */
export async function addExpect(session: Session, paths: string[]): Promise<void> {
  if (paths.length) await session.save({ expect: [...new Set([...session.record.expect, ...paths])] });
}

/**
 * zod for `--expect PATH` (repeatable): each a non-empty path. An empty path would resolve to the
 * working directory itself, which proves nothing; what counts as present is a regular file (see
 * `observe/artifacts.ts`).
 */
export const expectArg = z.array(
  z.string().refine((p) => p.trim().length > 0 && !p.includes("\0"), {
    error: 'needs the path of a file the task must produce; "" names no file',
  }),
).default([]);

/** zod for `--session`. */
export const sessionArg = z.string({ error: "is required: give --session cdx-…" });
