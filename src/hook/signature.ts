/**
 * Verdict signatures: what makes two readings of a Codex "the same change". A hook delivers a
 * change when the signature moved into something the caller must act on or know, and never the
 * same signature twice.
 *
 * The signature covers state, reason, questions, option keys, marker_found, whether a plan is
 * present, the turn number (so a second completed turn is a new change even if no hook ran while
 * Codex worked) and the hook's own stall flag.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { VerdictBrief } from "./cursor.ts";
import { fnv64 } from "../hash.ts";

/** States the caller must act on or know about. */
export const ACTIONABLE_STATES: ReadonlySet<string> = new Set([
  "completed",
  "awaiting_clarification",
  "awaiting_approval",
  "permission_gate",
  "failed",
  "interrupted",
  "exited",
]);

/** States in which Codex waits for the caller (an answer, an approval, a plan decision). */
export const AWAITING_STATES: ReadonlySet<string> = new Set([
  "awaiting_clarification",
  "awaiting_approval",
  "permission_gate",
]);

/** States in which Codex's turn is over and its result is the news. */
export const FINISHED_STATES: ReadonlySet<string> = new Set(["completed", "failed", "interrupted", "exited"]);

/** The signature of a verdict: `<state>/<reason>#<hash of the rest>`. */
export function signature(verdict: Verdict, turn: number, stalled: boolean): string {
  const rest = JSON.stringify([
    verdict.questions,
    verdict.options.map((o) => o.key),
    verdict.marker_found,
    verdict.plan !== null && verdict.plan !== "",
    turn,
    stalled,
  ]);
  return `${verdict.state}/${verdict.reason}${stalled ? "/stalled" : ""}#${fnv64(rest)}`;
}

/** True when the verdict (or the stall) is something to tell the caller. */
export function isActionable(verdict: Verdict, stalled: boolean): boolean {
  return stalled || ACTIONABLE_STATES.has(verdict.state);
}

/** The compact form kept in the cursor index. */
export function briefOf(verdict: Verdict): VerdictBrief {
  return {
    state: verdict.state,
    reason: verdict.reason,
    summary: verdict.summary,
    next: verdict.next_action.command,
    intent: verdict.next_action.intent,
  };
}
