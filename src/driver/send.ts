/**
 * Verified send: type the text once, wait out the TUI's paste-burst window, press Enter — and
 * prove delivery by a second signal from Codex itself (a new user message carrying the text in
 * the rollout, or a new turn), never by the composer alone. If the text is still sitting in the
 * composer, only Enter is pressed again; the text is never typed twice. A send into a running
 * turn is reported as steered.
 *
 * @module
 */
import { composerHolds, liveLines } from "../verdict/screen.ts";
import { rolloutStatus } from "../verdict/rollout_status.ts";
import type { Session } from "./session.ts";
import { type CodexctlError, environmentError } from "../errors.ts";

/** The outcome of a send. */
export interface SendResult {
  delivered: boolean;
  /** How delivery was proven. */
  proof: "user_message" | "turn_started" | null;
  /** The text went into a turn that was already running (Codex steers it in). */
  steered: boolean;
  /** Enter presses (1 = no retry). */
  enters: number;
  /**
   * Why nothing was typed (only when not delivered before typing): Plan mode did not engage, or the
   * composer held text that could not be cleared (a task is never typed behind leftover text).
   */
  not_typed?: "plan_mode_not_engaged" | "composer_not_empty";
}

/** Timing of the send (ms). */
export const SEND = { pasteGapMs: 600, retryAfterMs: 2500, maxEnters: 4, confirmMs: 30_000 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const norm = (t: string) => t.replace(/\s+/g, " ").trim().toLowerCase();

/**
 * Delivers a message to the session's Codex the way its substrate takes one: typed and verified
 * (a screen substrate), or handed over whole (`can.message`). Callers go through the answer path
 * (`answering.ts`), which decides first whether a message may go in now.
 */
export async function deliverMessage(session: Session, text: string): Promise<SendResult> {
  if (session.substrate.can.keys) return await verifiedSend(session, text);
  const done = await session.substrate.deliver(session.handle, { kind: "message", text });
  // only a started (or joined) turn proves delivery
  return done.kind === "turn"
    ? { delivered: true, proof: "turn_started", steered: done.delivery === "running_turn", enters: 0 }
    : { delivered: false, proof: null, steered: false, enters: 0 };
}

/** Sends one line of text to the session's Codex and confirms it arrived. */
export async function verifiedSend(session: Session, text: string): Promise<SendResult> {
  const before = await session.progress();
  const users = before?.state.user_messages ?? 0;
  const turns = before?.state.turn_count ?? 0;
  const wasWorking = before !== null && rolloutStatus(before.state) === "working";
  const pane = session.handle;
  await session.substrate.deliver(pane, { kind: "text", text });
  await sleep(SEND.pasteGapMs);
  await session.substrate.deliver(pane, { kind: "keys", keys: ["Enter"] });
  let enters = 1;
  let lastEnter = Date.now();
  const deadline = Date.now() + SEND.confirmMs;
  const head = norm(text).slice(0, 40);
  while (Date.now() < deadline) {
    await sleep(300);
    const p = await session.progress();
    if (p) {
      const landed = p.state.user_messages > users && norm(p.state.last_user_message ?? "").includes(head);
      if (landed) {
        return {
          delivered: true,
          proof: "user_message",
          steered: wasWorking && p.state.turn_count === turns,
          enters,
        };
      }
      if (p.state.turn_count > turns) {
        return { delivered: true, proof: "turn_started", steered: false, enters };
      }
    }
    if (Date.now() - lastEnter >= SEND.retryAfterMs && enters < SEND.maxEnters) {
      const read = await session.substrate.read(pane, { recent: false });
      if (!read.alive) break;
      if (composerHolds(liveLines(read.screen), text)) {
        await session.substrate.deliver(pane, { kind: "keys", keys: ["Enter"] });
        enters++;
      }
      lastEnter = Date.now();
    }
  }
  return { delivered: false, proof: null, steered: false, enters };
}

/**
 * The error for input that did not reach Codex (exit 3, retryable): which session, what was not
 * delivered and why, and what to do. A start, send or reply whose text did not land is this error,
 * never a verdict.
 */
export function notDeliveredError(
  sessionId: string,
  what: "task" | "message" | "answer",
  d: SendResult,
): CodexctlError {
  const why = d.not_typed === "plan_mode_not_engaged"
    ? "Plan mode did not show after /plan (tried several times), so the task was not typed"
    : d.not_typed === "composer_not_empty"
    ? "Codex's composer held text that could not be cleared, so nothing was typed behind it"
    : `it was typed, but Codex's rollout shows no new message after ${d.enters} Enter press${
      d.enters === 1 ? "" : "es"
    }`;
  return environmentError("NOT_DELIVERED", `the ${what} was not delivered to session ${sessionId}: ${why}`, {
    retryable: true,
    suggestion:
      `look at it with codexctl status --session ${sessionId}, then codexctl send --session ${sessionId} --message "<the ${what}>" (or codexctl end --session ${sessionId})`,
  });
}
