/**
 * When the Stop hook keeps Claude working, and what the wake-up hook waits for. Pure: decided from
 * the cursor index alone, so a Stop with nothing to say never loads the heavy modules.
 *
 * Each change is told to Claude once, by whichever path claims it first (PostToolUse,
 * UserPromptSubmit, Stop, the wake-up, `watch --all --mine`; see `fleet/pass.ts`), so:
 *
 * - `stop_hook_active: true` (the re-check after a block) always allows — decided before this.
 * - A Stop blocks only for what needs Claude now and Claude was not told: a session awaiting an
 *   answer, an approval or a plan decision, or one that finished, failed, was interrupted or
 *   exited. Claude must answer or report it before the user's task is done. Told once, the change
 *   does not block again (Claude may leave a question for the user to answer).
 * - A session still working does not block (policy `wake`, the default): Claude may stop, and the
 *   wake-up hook (`hook/wake.ts`, an `asyncRewake` Stop hook) waits for its next change that needs
 *   Claude and wakes Claude with it. `CODEXCTL_STOP_WORKING=block` restores the old rule (block once
 *   per state, suggesting `codexctl await` or the watch, unless a running background task watches
 *   it) for Claude Code builds without async hooks; `allow` lets Claude stop and nothing waits.
 * - Only sessions count (owned, or adopted with `codexctl follow --session`); followed bare threads
 *   never block and never wake Claude (their changes arrive with the next tool call or prompt).
 * - A stalled turn is told after a tool call or prompt, but neither blocks nor wakes: nothing in it
 *   needs Claude until Codex moves again.
 * - A failure in a session's new tool output (`failureNeedsClaude`) is a change like a finished turn:
 *   it blocks a Stop and wakes Claude, once.
 *
 * @module
 */
import { type CursorEntry, failureNews } from "../fleet/cursor.ts";
import type { BackgroundTask } from "./input.ts";
import { isAwaiting } from "../verdict/states.ts";

/** What to do about sessions still working when Claude stops. */
export type WorkingPolicy = "wake" | "block" | "allow";

/**
 * `CODEXCTL_STOP_WORKING`: `wake` (default: let Claude stop; the wake-up hook waits for the next
 * change), `block` (block once per state), `allow` (let Claude stop; nothing waits).
 */
export function workingPolicy(env: { get(key: string): string | undefined }): WorkingPolicy {
  const v = env.get("CODEXCTL_STOP_WORKING")?.trim().toLowerCase();
  return v === "block" ? "block" : v === "allow" ? "allow" : "wake";
}

/** Why a Stop blocks for one entry. */
export type StopWhy = "awaiting" | "unreported" | "working" | "failure";

/** One entry a Stop would block for. */
export interface StopCandidate {
  key: string;
  entry: CursorEntry;
  why: StopWhy;
}

const FINISHED_TASK = /^(completed|complete|done|failed|killed|stopped|cancelled|canceled|error)$/i;

/** True when a running background task's command mentions the session (a watch or await on it). */
export function watchedInBackground(session: string, tasks: BackgroundTask[]): boolean {
  return tasks.some((t) =>
    !(t.status && FINISHED_TASK.test(t.status)) && (t.command ?? t.description ?? "").includes(session)
  );
}

/** True for a session entry with a settled verdict (signed, fully read). */
function settledSession(entry: CursorEntry): boolean {
  return entry.kind === "session" && !!entry.session && !!entry.verdict && !!entry.sig && !entry.catching_up;
}

/**
 * True when `entry` holds a change that needs Claude now and nobody told it yet: a session
 * awaiting an answer, approval or plan decision, or one that completed, failed, was interrupted or
 * exited (an actionable verdict that is not a stall). The Stop blocks for it; the wake-up wakes
 * Claude with it.
 */
export function needsClaude(entry: CursorEntry): boolean {
  return settledSession(entry) && entry.actionable && !entry.stalled && entry.delivered !== entry.sig;
}

/**
 * True when a session's new tool output showed a failure (a failing test run, a traceback) nobody
 * told Claude yet. It is told once — after a tool call, in `watch --all --mine`, or with the next
 * Stop block or wake-up for that session — but never blocks a Stop or wakes Claude by itself:
 * Codex is still on its turn (it usually fixes its own failing tests), so nothing needs Claude yet.
 */
export function failureNeedsClaude(entry: CursorEntry): boolean {
  return entry.kind === "session" && !!entry.session && failureNews(entry);
}

/** True while a session's Codex still works on its turn (a stalled turn included): something to wait for. */
export function stillWorking(entry: CursorEntry): boolean {
  if (entry.kind !== "session" || !entry.session) return false;
  // not yet bound or mid-way through a huge rollout: its verdict is still to come
  if (!entry.verdict || entry.catching_up) return true;
  return entry.verdict.state === "working";
}

/** The entries a Stop blocks for now (each at most once per signature). */
export function stopCandidates(
  entries: Record<string, CursorEntry>,
  policy: WorkingPolicy,
  tasks: BackgroundTask[],
): StopCandidate[] {
  const out: StopCandidate[] = [];
  for (const [key, entry] of Object.entries(entries)) {
    if (!settledSession(entry)) continue;
    if (entry.stop_blocked === entry.sig) continue;
    let why: StopWhy | null = null;
    if (needsClaude(entry)) why = isAwaiting(entry.verdict!) ? "awaiting" : "unreported";
    else if (
      policy === "block" && entry.verdict!.state === "working" && !entry.stalled &&
      !watchedInBackground(entry.session!, tasks)
    ) why = "working";
    if (why) out.push({ key, entry, why });
  }
  return out;
}
