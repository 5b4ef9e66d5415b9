/**
 * A session's side of the answer path: the gate a session's observation shows, and every input a
 * verb aims at a session — an answer (`reply`), a follow-up message (`send`), the policy's own
 * answer (`watch`) — handed to `policy/answer.ts`, which decides, audits and delivers. A message
 * reaches Codex through the verified send.
 *
 * @module
 */
import { withMarkerReminder } from "../codex/prompt.ts";
import { answer, type Answered } from "../policy/answer.ts";
import { type ApprovalPolicy, loadApprovalPolicy } from "../policy/config.ts";
import type { AnswerInput } from "../policy/decide.ts";
import { type Gate, sessionGate } from "../policy/gate.ts";
import { deliverMessage, type SendResult } from "./send.ts";
import type { Session, SessionObservation } from "./session.ts";
import type { Baseline } from "./settle.ts";

/** The gate `obs` shows for `session`. */
export function gateOf(session: Session, obs: SessionObservation): Gate {
  return sessionGate(obs.verdict, obs.pane.screen, {
    session: session.id,
    cwd: session.record.cwd,
    worktree: session.record.worktree?.path ?? session.record.cwd,
  });
}

/** Options of {@linkcode answerSession}. */
export interface AnswerSessionOptions {
  /** The verb, for the audit log. */
  by: string;
  /** The gate signature the caller read (default: the one the session last showed its caller). */
  seen?: string | null;
  /** The policy (default: loaded from the config when the decision needs it). */
  policy?: ApprovalPolicy;
}

/** Hands `input` to the answer path for `session`, whose gate is the one `obs` shows. */
export function answerSession(
  session: Session,
  obs: SessionObservation,
  input: AnswerInput,
  options: AnswerSessionOptions,
): Promise<Answered<SendResult>> {
  return answer<SendResult>(
    {
      substrate: session.substrate,
      handle: session.handle,
      store: session.store,
      session: session.id,
      thread: session.record.thread_id,
      by: options.by,
      seen: options.seen !== undefined
        ? options.seen
        : (session.record.gate as string | null | undefined) ?? null,
      policy: options.policy ?? (() => loadApprovalPolicy(session.env)),
      message: (text) => {
        const marker = session.marker;
        return deliverMessage(session, marker ? withMarkerReminder(text, marker) : text);
      },
    },
    gateOf(session, obs),
    input,
  );
}

/**
 * `send --session`: a follow-up message, through the answer path (refused while a gate is open,
 * unless it answers a question Codex asked in its chat). Returns the baseline to wait from and the
 * delivery.
 */
export async function sendToSession(
  session: Session,
  message: string,
): Promise<{ baseline: Baseline; delivery: SendResult }> {
  const obs = await session.observe({ recent: false });
  const baseline = { events: obs.progress?.state.events ?? -1, screen: obs.pane.screen };
  const none: SendResult = { delivered: false, proof: null, steered: false, enters: 0 };
  // a session that has ended takes nothing; the caller reports how it ended
  if (session.ended) return { baseline, delivery: none };
  const answered = await answerSession(session, obs, { kind: "message", text: message }, { by: "send" })
    .catch(async (err) => {
      if (await session.endedRecord()) return null; // it ended under the send
      throw err;
    });
  return { baseline, delivery: answered ? answered.delivery! : none };
}
