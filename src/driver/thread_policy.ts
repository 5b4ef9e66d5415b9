/**
 * The approval policy answering on its own over the daemon channel: each approval a thread waits
 * on goes through the answer path (`policy/answer.ts`) as the policy's input — approved or rejected
 * through the daemon, or left to the caller — and every decision is written to the audit log.
 *
 * @module
 */
import { type AttachedThread, pendingRequestsFor } from "../codex/daemon/operations.ts";
import type { ApprovalDecision } from "../codex/daemon/protocol.ts";
import type { PendingApproval } from "../codex/daemon/requests.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import type { PolicyDecision } from "../policy/approval.ts";
import { answer } from "../policy/answer.ts";
import { decide } from "../policy/decide.ts";
import type { ApprovalPolicy } from "../policy/config.ts";
import { requestGate } from "../policy/gate.ts";
import type { Store } from "../store/store.ts";
import { DaemonThreadSubstrate } from "../substrate/daemon.ts";

/** What happened to one pending approval. */
export interface AppliedDecision {
  request: PendingApproval;
  policy: PolicyDecision;
  /** The decision sent to Codex, or null when the gate was surfaced (or went stale). */
  sent: ApprovalDecision | null;
  confirmed: boolean;
  /** Set when the answer could not be sent (e.g. the request went stale meanwhile). */
  error: string | null;
}

/** Options of {@linkcode applyApprovalPolicy}. */
export interface ApplyPolicyOptions {
  store: Store;
  /** The codexctl session, when the thread belongs to one. */
  session?: string | null;
  /** The session's worktree; defaults to the thread's cwd. */
  worktree?: string | null;
  /** Per-answer confirmation timeout (default 5000 ms). */
  timeoutMs?: number;
  /** The verb applying it, for the audit log (default `watch`). */
  by?: string;
}

/**
 * Applies `policy` to every approval `attached` waits on. Questions (request_user_input) are never
 * answered by policy. Returns one entry per approval, in order.
 */
export async function applyApprovalPolicy(
  client: DaemonClient,
  attached: AttachedThread,
  policy: ApprovalPolicy,
  options: ApplyPolicyOptions,
): Promise<AppliedDecision[]> {
  const substrate = new DaemonThreadSubstrate(client);
  const handle = DaemonThreadSubstrate.handle(attached.threadId);
  const worktree = options.worktree ?? attached.thread.cwd ?? null;
  const out: AppliedDecision[] = [];
  const approvals = pendingRequestsFor(client, attached.threadId).filter((r): r is PendingApproval =>
    r.kind === "command_approval" || r.kind === "file_change_approval"
  );
  for (const request of approvals) {
    const gate = requestGate(request, attached.threadId, worktree);
    // what the policy decides (pure); the answer path below decides the same and acts on it
    const d = decide(gate, { kind: "policy" }, policy);
    const decided: PolicyDecision = {
      action: d.outcome === "allow" ? (d.answer.kind === "reject" ? "reject" : "approve") : "surface",
      rule: d.rule,
    };
    let sent: ApprovalDecision | null = null;
    let confirmed = false;
    let error: string | null = null;
    try {
      const answered = await answer(
        {
          substrate,
          handle,
          store: options.store,
          session: options.session ?? null,
          thread: attached.threadId,
          by: options.by ?? "watch",
          seen: null,
          policy,
          timeoutMs: options.timeoutMs ?? 5000,
        },
        gate,
        { kind: "policy" },
      );
      sent = (answered.sent?.decision as ApprovalDecision | undefined) ?? null;
      confirmed = answered.confirmed;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    out.push({ request, policy: decided, sent, confirmed, error });
  }
  return out;
}
