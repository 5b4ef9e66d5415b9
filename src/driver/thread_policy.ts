/**
 * The approval policy applied over the daemon channel: for each approval a thread waits on, decide
 * with `evaluateApproval`, answer approved/rejected ones through the daemon, leave the rest to the
 * caller, and write every decision to the audit log.
 *
 * @module
 */
import { type ApprovalSubject, evaluateApproval, type PolicyDecision } from "../policy/approval.ts";
import { auditApproval } from "../policy/audit.ts";
import type { ApprovalPolicy } from "../policy/config.ts";
import type { Store } from "../store/store.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import { type AttachedThread, pendingRequestsFor } from "../codex/daemon/operations.ts";
import type { ApprovalDecision } from "../codex/daemon/protocol.ts";
import type { PendingApproval } from "../codex/daemon/requests.ts";
import { answerApproval } from "../substrate/daemon.ts";

/** The channel-neutral subject of a pending daemon approval. */
export function approvalSubject(request: PendingApproval): ApprovalSubject {
  return request.kind === "command_approval"
    ? { kind: "command", command: request.command_text ?? request.command, cwd: request.cwd }
    : { kind: "fileChange", command: null, cwd: request.grant_root };
}

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
  const worktree = options.worktree ?? attached.thread.cwd ?? null;
  const out: AppliedDecision[] = [];
  const approvals = pendingRequestsFor(client, attached.threadId).filter((r): r is PendingApproval =>
    r.kind === "command_approval" || r.kind === "file_change_approval"
  );
  for (const request of approvals) {
    const subject = approvalSubject(request);
    const decision = evaluateApproval(policy, subject, { worktree });
    let sent: ApprovalDecision | null = null;
    let confirmed = false;
    let error: string | null = null;
    if (decision.action !== "surface") {
      try {
        const outcome = await answerApproval(
          client,
          request,
          { kind: decision.action === "approve" ? "approve" : "reject" },
          options.timeoutMs ?? 5000,
        );
        sent = outcome.decision;
        confirmed = outcome.confirmed;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    await auditApproval(options.store, {
      event: "approval",
      actor: "policy",
      channel: "daemon",
      thread: attached.threadId,
      session: options.session ?? null,
      request_id: request.key,
      kind: subject.kind,
      command: subject.command,
      cwd: subject.cwd,
      decision: sent === null ? (error ? "failed" : "surfaced") : decisionName(sent),
      rule: decision.rule,
    });
    out.push({ request, policy: decision, sent, confirmed, error });
  }
  return out;
}

/** The name of a decision (`accept`, or the key of a structured one). */
export function decisionName(decision: ApprovalDecision): string {
  return typeof decision === "string" ? decision : Object.keys(decision)[0] ?? "decision";
}
