/**
 * What the folded rollout means: the thread's status (working, waiting on a question or a probable
 * approval, how its last turn ended) and whether a finished turn failed. The fold
 * (`codex/rollout/fold.ts`) only accumulates; every judgement of its state is made here, once.
 *
 * @module
 */
import type { ThreadState, TurnEnd } from "../codex/rollout/fold.ts";

/** What the rollout says Codex is doing. */
export type RolloutStatus =
  | "idle"
  | "working"
  | "completed"
  | "failed"
  | "aborted"
  | "waiting_input"
  | "waiting_approval_probable";

/** Statuses in which the turn is still open: Codex works on it, or waits inside it for the caller. */
export const OPEN_TURN_STATUSES: ReadonlySet<RolloutStatus> = new Set([
  "working",
  "waiting_input",
  "waiting_approval_probable",
]);

/** Statuses in which nothing moves until someone acts: the turn ended, or Codex waits on the caller. */
export const SETTLED_STATUSES: ReadonlySet<RolloutStatus> = new Set([
  "completed",
  "failed",
  "aborted",
  "waiting_input",
  "waiting_approval_probable",
]);

/** What happened to a turn that ended. */
export type TurnOutcome = "completed" | "failed" | "aborted";

/**
 * How a finished turn ended. A turn fails when its end marker carries an error (0.169's
 * `task_complete.error`) or when it produced nothing at all (0.130 ends a failed turn with a bare
 * `task_complete`: no error field, no agent output).
 */
export function turnOutcome(end: TurnEnd): TurnOutcome {
  if (end.outcome === "aborted") return "aborted";
  return end.outcome === "failed" || end.error !== null || end.output === false ? "failed" : "completed";
}

/** Why a failed turn failed (null for a turn that did not fail). */
export function turnError(end: TurnEnd | null): string | null {
  if (!end || turnOutcome(end) !== "failed") return null;
  return end.error ?? end.last_error ?? "the turn ended without any agent output (upstream failure?)";
}

/** The status a folded rollout implies. */
export function rolloutStatus(s: ThreadState): RolloutStatus {
  if (s.turn) {
    const pending = Object.values(s.pending_calls);
    if (pending.some((c) => c.name === "request_user_input")) return "waiting_input";
    if (pending.some((c) => c.escalated)) return "waiting_approval_probable";
    return "working";
  }
  if (s.last_turn) return turnOutcome(s.last_turn);
  if (!s.has_turn_markers && s.awaiting_reply) return "working";
  return "idle";
}

/** True when the rollout shows a turn still open (null: no rollout at all — nothing is known to be over). */
export function turnOpen(s: ThreadState | null): boolean {
  return s === null || OPEN_TURN_STATUSES.has(rolloutStatus(s));
}
