/**
 * `--wait-free`: look, and while busy look again after a growing pause (1 s, doubling, at most
 * {@linkcode MAX_POLL_MS}), until free or the deadline. No event source tells when a GPU or a
 * container frees up, so this polls — boundedly, and never past the deadline.
 *
 * @module
 */
import type { GateResult } from "../envelope.ts";
import type { GateEvidence } from "./evidence.ts";
import { decideGate, type GateCriteria, type GateNext } from "./decide.ts";

/** The longest pause between two looks. */
export const MAX_POLL_MS = 10_000;
/** The first pause. */
export const FIRST_POLL_MS = 1_000;

/** What the wait needs from the world (real in the CLI, scripted in tests). */
export interface WaitDeps {
  gather(): Promise<GateEvidence>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Looks once, or with `timeoutMs` keeps looking until free or out of time. */
export async function gate(
  deps: WaitDeps,
  criteria: GateCriteria,
  next: GateNext,
  timeoutMs: number | null,
): Promise<GateResult> {
  if (timeoutMs === null) return decideGate(await deps.gather(), criteria, next);
  const start = deps.now();
  let pause = FIRST_POLL_MS;
  for (let polls = 1;; polls++) {
    const evidence = await deps.gather();
    const elapsed = deps.now() - start;
    const remaining = timeoutMs - elapsed;
    const look = decideGate(evidence, criteria, next, { seconds: elapsed / 1000, polls, timedOut: false });
    if (look.verdict === "free") return look;
    if (remaining <= 0) {
      return decideGate(evidence, criteria, next, { seconds: elapsed / 1000, polls, timedOut: true });
    }
    await deps.sleep(Math.min(pause, remaining));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
