/**
 * When the Stop hook keeps Claude working. Pure: decided from the cursor index alone, so a Stop
 * with nothing to say never loads the heavy modules.
 *
 * - `stop_hook_active: true` (the re-check after a block) always allows — decided before this.
 * - A session awaiting an answer, approval or plan decision blocks once per signature.
 * - A session that finished (or stalled) with a result Claude has not been told blocks once.
 * - A session still working blocks once, suggesting `codexctl await` or arming the watch, unless
 *   the policy is `allow` or a running background task (a Monitor or shell) already watches it.
 * - Only sessions count (owned, or adopted with `codexctl follow --session`); followed bare threads
 *   never block.
 *
 * @module
 */
import type { CursorEntry } from "../fleet/cursor.ts";
import type { BackgroundTask } from "./input.ts";
import { isAwaiting } from "../verdict/states.ts";

/** What to do about sessions still working when Claude stops. */
export type WorkingPolicy = "block" | "allow";

/** `CODEXCTL_STOP_WORKING=allow` lets Claude stop while owned sessions still work (default: block once). */
export function workingPolicy(env: { get(key: string): string | undefined }): WorkingPolicy {
  return env.get("CODEXCTL_STOP_WORKING")?.trim().toLowerCase() === "allow" ? "allow" : "block";
}

/** Why a Stop blocks for one entry. */
export type StopWhy = "awaiting" | "unreported" | "working";

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

/** The entries a Stop blocks for now (each at most once per signature). */
export function stopCandidates(
  entries: Record<string, CursorEntry>,
  policy: WorkingPolicy,
  tasks: BackgroundTask[],
): StopCandidate[] {
  const out: StopCandidate[] = [];
  for (const [key, entry] of Object.entries(entries)) {
    if (entry.kind !== "session" || !entry.session || !entry.verdict || !entry.sig || entry.catching_up) {
      continue;
    }
    if (entry.stop_blocked === entry.sig) continue;
    const state = entry.verdict.state;
    let why: StopWhy | null = null;
    if (isAwaiting(entry.verdict) && !entry.stalled) why = "awaiting";
    else if (entry.actionable && entry.delivered !== entry.sig) why = "unreported";
    else if (
      state === "working" && !entry.stalled && policy === "block" &&
      !watchedInBackground(entry.session, tasks)
    ) why = "working";
    if (why) out.push({ key, entry, why });
  }
  return out;
}
