/**
 * Answering Codex in a pane: approve (Enter on the highlighted option 1), reject (Esc), choose
 * option N (Down × (N−1), Enter), or answer in words (a verified send with the marker reminder).
 * A gate is answered only if it is still the one the caller read; every approval and rejection is
 * written to the audit log.
 *
 * @module
 */
import { notFoundError, usageError } from "../errors.ts";
import type { Verdict } from "../envelope.ts";
import { withMarkerReminder } from "../codex/prompt.ts";
import type { Key } from "../substrate/substrate.ts";
import { readScreen } from "../verdict/screen.ts";
import { denyingRule } from "../policy/approval.ts";
import { loadApprovalPolicy } from "../policy/config.ts";
import { type SendResult, verifiedSend } from "./send.ts";
import type { Session } from "./session.ts";
import { gateSignature } from "../verdict/change.ts";
import { isAwaiting } from "../verdict/states.ts";
import { baseline, waitForVerdict } from "./settle.ts";
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
  const seen = session.record.gate as string | null | undefined;
  const now = gateSignature(current);
  if (action.kind !== "text") {
    if (!isAwaiting(current)) {
      throw notFoundError(
        "NO_GATE",
        `${session.id} is ${current.state}/${current.reason}: there is nothing to ${
          action.kind === "choice" ? "choose" : action.kind
        }`,
        `read it with: codexctl status --session ${session.id}`,
      );
    }
    if (seen && now !== seen) {
      throw notFoundError(
        "STALE_GATE",
        `what Codex asks changed since it was read (now: ${current.summary}); nothing was answered`,
        `read it again with: codexctl status --session ${session.id}, then reply`,
      );
    }
    if (
      action.kind === "choice" && current.options.length &&
      !current.options.some((o) => o.key === String(action.n))
    ) {
      throw usageError(
        "BAD_CHOICE",
        `--choice ${action.n} is not one of the options (${current.options.map((o) => o.key).join(", ")})`,
      );
    }
  }
  if (current.state === "permission_gate" && (action.kind === "approve" || action.kind === "choice")) {
    // deny rules of the approval policy hold for everyone, also for an explicit approval
    const facts = readScreen(obs.pane.screen);
    const subject = {
      kind: facts.approval?.kind === "edits" ? "fileChange" as const : "command" as const,
      command: facts.approval?.command ?? null,
      cwd: session.record.cwd,
    };
    const denied = denyingRule(await loadApprovalPolicy(session.env), subject, {
      worktree: session.record.worktree?.path ?? session.record.cwd,
    });
    if (denied) {
      await session.store.appendLog("audit", {
        session: session.id,
        thread: session.record.thread_id,
        decision: "refused",
        rule: denied,
        gate: current.reason,
        seen: current.summary,
        command: subject.command,
        by: options.by ?? "reply",
      });
      throw usageError(
        "POLICY_DENIED",
        `the approval policy forbids approving ${
          subject.command ? `\`${subject.command.slice(0, 120)}\`` : "this change"
        } (${denied}); nothing was pressed`,
        `reject it with codexctl reply --session ${session.id} --reject, or change $CODEXCTL_HOME/config.jsonc`,
      );
    }
  }
  const pane = session.handle;
  const base = await baseline(session);
  let keys: Key[] = [];
  let delivery: SendResult | null = null;
  if (action.kind === "text") {
    const facts = readScreen(obs.pane.screen);
    if (facts.planMenu || facts.widget) {
      keys = ["Esc"];
      await session.substrate.deliver(pane, { kind: "keys", keys });
      await new Promise((r) => setTimeout(r, 800));
    }
    delivery = await verifiedSend(session, withMarkerReminder(action.text, session.record.marker));
  } else {
    keys = action.kind === "approve"
      ? ["Enter"]
      : action.kind === "reject"
      ? ["Esc"]
      : [...Array(action.n - 1).fill("Down") as Key[], "Enter"];
    await session.substrate.deliver(pane, { kind: "keys", keys });
    if (
      current.state === "permission_gate" || current.reason === "plan_approval" ||
      current.reason === "trust_dialog"
    ) {
      await session.store.appendLog("audit", {
        session: session.id,
        thread: session.record.thread_id,
        decision: action.kind === "reject"
          ? "reject"
          : action.kind === "approve"
          ? "approve"
          : `choice ${action.n}`,
        gate: current.reason,
        seen: current.summary,
        by: options.by ?? "reply",
      });
    }
  }
  await session.save({ gate: null });
  // a folder-trust answer lets Codex start: the task still has to be sent
  if (current.reason === "trust_dialog" && session.record.pending_task && action.kind !== "reject") {
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
