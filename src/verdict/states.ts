/**
 * What verdict states mean to the caller, defined once: which are gates (Codex waits for an answer,
 * an approval or a plan decision), which must be told, and which completion is verified.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";

/** States in which Codex waits for the caller: an answer, an approval, a plan decision. */
export const AWAITING_STATES: ReadonlySet<string> = new Set([
  "awaiting_clarification",
  "awaiting_approval",
  "permission_gate",
]);

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

/** True when Codex waits for the caller (a gate is open). */
export function isAwaiting(verdict: { state: string }): boolean {
  return AWAITING_STATES.has(verdict.state);
}

/** True when a verdict is something to tell the caller: an actionable state, or a stalled turn. */
export function isActionable(verdict: { state: string; reason: string }): boolean {
  return verdict.reason === "stalled" || ACTIONABLE_STATES.has(verdict.state);
}

/** True for a stalled turn: open, but its rollout has been silent for the stall time. */
export function isStalled(verdict: { reason: string }): boolean {
  return verdict.reason === "stalled";
}

/**
 * True for a verified completion: the completion marker printed (with every expected file present),
 * or every expected file present.
 */
export function isVerifiedCompletion(verdict: Pick<Verdict, "state" | "reason" | "artifacts">): boolean {
  if (verdict.state !== "completed") return false;
  return verdict.reason === "marker_verified" ||
    (verdict.artifacts.length > 0 && verdict.artifacts.every((a) => a.exists));
}
