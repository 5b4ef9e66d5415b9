/**
 * Answering Codex in a session: approve (Enter on the highlighted option 1), reject (Esc), choose
 * option N (Down × (N−1), Enter), or answer in words (a verified send with the marker reminder),
 * through the answer path (`policy/answer.ts`): a gate is answered only if it is still the one the
 * caller read, an approval is held to the deny rules, answers to permission gates, plans and the
 * folder-trust dialog are audited, and words never go into a permission dialog. Then the verdict
 * is waited for; a folder-trust answer also sends the task.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Key } from "../substrate/substrate.ts";
import { answerSession } from "./answering.ts";
import type { SendResult } from "./send.ts";
import type { Session } from "./session.ts";
import { type Baseline, waitForVerdict } from "./settle.ts";
import { deliverPendingTask, waitReady } from "./start.ts";

/** One way to answer. */
export type ReplyAction = { kind: "approve" } | { kind: "reject" } | { kind: "choice"; n: number } | {
  kind: "text";
  text: string;
};

/** Where a reply ended up. */
export interface Replied {
  verdict: Verdict;
  answered: { action: string; gate: string | null; keys: Key[] };
  delivery: SendResult | null;
}

/** Answers the session's pending question, dialog or menu. */
export async function replySession(
  session: Session,
  action: ReplyAction,
  options: { timeoutSec: number; noWait: boolean; by?: string },
): Promise<Replied> {
  const obs = await session.observe({ recent: false });
  const current = obs.verdict;
  // a session that has ended (a watch closed it on a verified completion, say) is answered with how
  // it ended: nothing is sent, and its record stays gone
  const endedReply = (verdict: Verdict): Replied => ({
    verdict,
    answered: { action: action.kind, gate: null, keys: [] },
    delivery: null,
  });
  if (session.ended) return endedReply(current);
  const base: Baseline = { events: obs.progress?.state.events ?? -1, screen: obs.pane.screen };
  // the answer path: stale gate, what the answer may be, deny rules, audit, keys or a verified send
  const answered = await answerSession(
    session,
    obs,
    action.kind === "choice" ? { kind: "choice", n: [action.n] } : action,
    { by: options.by ?? "reply" },
  ).catch(async (err) => {
    // the pane went away under the answer because the session ended meanwhile
    if (await session.endedRecord()) return null;
    throw err;
  });
  if (!answered) return endedReply((await session.observe()).verdict);
  const keys = answered.keys;
  let delivery: SendResult | null = answered.delivery;
  await session.save({ gate: null });
  // a folder-trust answer lets Codex start: the task still has to be sent
  if (
    current.reason === "trust_dialog" && session.record.pending_task && action.kind !== "reject" &&
    !session.ended
  ) {
    if ((await waitReady(session, 30_000)) === "ready") delivery = await deliverPendingTask(session);
  }
  if (options.noWait) {
    const after = (await session.observe()).verdict;
    return { verdict: after, answered: { action: action.kind, gate: current.reason, keys }, delivery };
  }
  const verdict = await waitForVerdict(session, base, options.timeoutSec * 1000);
  await session.remember(verdict);
  return { verdict, answered: { action: action.kind, gate: current.reason, keys }, delivery };
}
