/**
 * Waiting for a settled verdict. The rollout decides at once when it is definitive (the turn
 * ended, or Codex waits on a question or approval, after the action being waited on) once the
 * screen has been stable for one re-read; without rollout progress the herdr plugin's settle loop
 * applies: the screen must have changed since the action and be stable twice, and `no_signal`
 * gets a grace window in case a menu or marker is still being painted. A session without a screen
 * (a headless run) is settled as soon as its verdict is anything but working.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import { next } from "../verdict/next.ts";
import type { Session, SessionObservation } from "./session.ts";

/** What the session looked like before the action being waited on. */
export interface Baseline {
  /** Rollout events folded so far (-1 when unbound). */
  events: number;
  screen: string;
}

/** Constants of the settle loop (seconds in the herdr plugin; ms here). */
export const SETTLE = { paintMs: 700, pollMs: 400, noSignalGraceMs: 6000 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to `timeoutMs` for a settled verdict; a wait that runs out returns `working/timeout`. */
export async function waitForVerdict(session: Session, base: Baseline, timeoutMs: number): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  let last: SessionObservation | null = null;
  let stableSince: number | null = null;
  let noSignalSince: number | null = null;
  for (;;) {
    const obs = await session.observe();
    if (obs.verdict.state === "exited" || session.ended) return obs.verdict;
    if (!session.substrate.can.screen) {
      // no screen to settle (a headless run): its own evidence says at once whether it settled
      if (obs.verdict.state !== "working") return obs.verdict;
      if (Date.now() >= deadline) return timedOut(obs.verdict, session);
      await sleep(Math.min(SETTLE.pollMs, Math.max(0, deadline - Date.now())));
      continue;
    }
    const moved = (obs.progress?.state.events ?? -1) > base.events;
    const sameScreen = last !== null && last.pane.screen === obs.pane.screen;
    stableSince = sameScreen ? (stableSince ?? Date.now()) : null;
    const settledState = obs.verdict.state !== "working";
    const fromRollout = obs.source === "thread";
    if (settledState) {
      if (fromRollout && moved && sameScreen) return obs.verdict;
      if (
        !fromRollout && obs.pane.screen !== base.screen && sameScreen && stableSince !== null &&
        Date.now() - stableSince >= SETTLE.paintMs
      ) {
        if (obs.verdict.reason !== "no_signal") return obs.verdict;
        noSignalSince ??= Date.now();
        if (Date.now() - noSignalSince >= SETTLE.noSignalGraceMs) return obs.verdict;
      } else if (obs.verdict.reason !== "no_signal") {
        noSignalSince = null;
      }
    } else {
      noSignalSince = null;
    }
    last = obs;
    if (Date.now() >= deadline) return timedOut(obs.verdict, session);
    await sleep(Math.min(SETTLE.pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** The last reading rewritten as `working/timeout`. */
export function timedOut(verdict: Verdict, session: Session): Verdict {
  return {
    ...verdict,
    state: "working",
    reason: "timeout",
    summary: "did not settle within the timeout; still working",
    next_action: next(
      "wait",
      `await --session ${session.id}`,
      "wait again; Codex has not reached a settled state yet",
    ),
  };
}
