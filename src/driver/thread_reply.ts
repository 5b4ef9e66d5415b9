/**
 * Answering what a thread waits on, through the daemon: pick the pending request (refusing stale or
 * ambiguous ones), check the answer fits it, hold explicit approvals to the policy's deny rules,
 * answer, confirm, and audit approvals.
 *
 * @module
 */
import { type CodexctlError, environmentError, notFoundError, usageError } from "../errors.ts";
import { denyingRule } from "../policy/approval.ts";
import { auditApproval } from "../policy/audit.ts";
import type { ApprovalPolicy } from "../policy/config.ts";
import type { Store } from "../store/store.ts";
import { approvalSubject, decisionName } from "./thread_policy.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import {
  type AttachedThread,
  attachThread,
  awaitPendingRequests,
  currentStatus,
  staleRequest,
} from "../codex/daemon/operations.ts";
import {
  type ApprovalAnswer,
  decisionFor,
  type PendingApproval,
  type PendingRequest,
  type QuestionAnswer,
} from "../codex/daemon/requests.ts";
import { answerApproval, answerUserInput } from "../substrate/daemon.ts";

/** How the caller answers (exactly one, as `reply` takes it). */
export type ReplyMode =
  | { kind: "approve" }
  | { kind: "reject" }
  | { kind: "choice"; choices: number[] }
  | { kind: "text"; text: string };

/** Options of {@linkcode replyOnThread}. */
export interface ReplyOptions {
  /** Answer only if this request (its `key`) is still pending; otherwise refuse as stale. */
  item?: string;
  /** The overall budget. */
  timeoutMs: number;
  /** Loads the policy (only called when an approval is answered). */
  loadPolicy: () => Promise<ApprovalPolicy>;
  /** Where approvals are audited. */
  store: Store;
  session?: string | null;
  /** The session's worktree for cwd rules; defaults to the thread's cwd. */
  worktree?: string | null;
  /** How the caller's flags read in the audit log, e.g. `reply --approve`. */
  actorLabel: string;
}

/** What {@linkcode replyOnThread} did. */
export interface ReplyOutcome {
  attached: AttachedThread;
  request: PendingRequest;
  /** The result sent to Codex (`{decision}` or `{answers}`). */
  answer: Record<string, unknown>;
  /** Codex confirmed with `serverRequest/resolved`. */
  confirmed: boolean;
}

/** Answers the request `threadId` waits on over an open connection (see the module doc). */
export async function replyOnThread(
  client: DaemonClient,
  threadId: string,
  mode: ReplyMode,
  options: ReplyOptions,
): Promise<ReplyOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const attached = await attachThread(client, threadId, { timeoutMs: left() });
  const pending = await awaitPendingRequests(client, attached, Math.min(3000, left()));
  const request = selectRequest(client, attached, pending, mode, options.item);
  if (request.kind === "user_input") {
    const answers: QuestionAnswer[] = mode.kind === "choice"
      ? mode.choices.map((n) => ({ kind: "choice", n }))
      : mode.kind === "text"
      ? [{ kind: "text", text: mode.text }]
      : [];
    const outcome = await answerUserInput(client, request, answers, left());
    return { attached, request, answer: { answers: outcome.answers }, confirmed: outcome.confirmed };
  }
  if (request.kind === "other") throw unsupported(request);
  const answer: ApprovalAnswer = mode.kind === "approve"
    ? { kind: "approve" }
    : mode.kind === "reject"
    ? { kind: "reject" }
    : { kind: "choice", n: mode.kind === "choice" ? mode.choices[0] : 0 };
  return await answerApprovalChecked(client, attached, request, answer, options, left());
}

async function answerApprovalChecked(
  client: DaemonClient,
  attached: AttachedThread,
  request: PendingApproval,
  answer: ApprovalAnswer,
  options: ReplyOptions,
  timeoutMs: number,
): Promise<ReplyOutcome> {
  const subject = approvalSubject(request);
  const audit = (decision: string, rule: string) =>
    auditApproval(options.store, {
      event: "approval",
      actor: "caller",
      channel: "daemon",
      thread: attached.threadId,
      session: options.session ?? null,
      request_id: request.key,
      kind: subject.kind,
      command: subject.command,
      cwd: subject.cwd,
      decision,
      rule,
    });
  // decide first (throws BAD_REPLY for an option Codex does not offer)
  const decision = decisionFor(request, answer);
  const approving = decisionName(decision).startsWith("accept");
  if (approving) {
    const policy = await options.loadPolicy();
    const denied = denyingRule(policy, subject, {
      worktree: options.worktree ?? attached.thread.cwd ?? null,
    });
    if (denied) {
      await audit("refused", denied);
      throw usageError(
        "POLICY_DENIED",
        `the approval policy forbids approving ${
          subject.command ? `\`${subject.command.slice(0, 120)}\`` : "this file change"
        } (${denied}); nothing was sent`,
        "reject it with --reject, or approve it yourself in the Codex TUI if you are sure",
      );
    }
  }
  const outcome = await answerApproval(client, request, { kind: "decision", decision }, timeoutMs);
  await audit(decisionName(outcome.decision), options.actorLabel);
  return { attached, request, answer: { decision: outcome.decision }, confirmed: outcome.confirmed };
}

function selectRequest(
  client: DaemonClient,
  attached: AttachedThread,
  pending: PendingRequest[],
  mode: ReplyMode,
  item: string | undefined,
): PendingRequest {
  const threadId = attached.threadId;
  if (item !== undefined) {
    const found = pending.find((r) => r.key === item || r.item_id === item);
    if (!found) {
      throw staleRequest(
        threadId,
        item,
        pending.length
          ? `Codex now waits on ${pending.map((r) => r.key).join(", ")} instead`
          : "Codex is not waiting on any request now; it was answered elsewhere, e.g. in the TUI",
      );
    }
    return checkFits(found, mode);
  }
  if (pending.length === 0) {
    const status = currentStatus(client, attached);
    const waiting = (status.type === "active" ? status.activeFlags ?? [] : []).filter((f) =>
      f.startsWith("waitingOn")
    );
    if (waiting.length > 0) {
      throw environmentError(
        "REQUEST_NOT_DELIVERED",
        `Codex reports ${
          waiting.join(", ")
        } on thread ${threadId}, but the daemon did not hand the request to codexctl in time. Nothing was sent`,
        {
          retryable: true,
          suggestion: "retry in a moment (a busy machine can delay it), or answer in the Codex TUI",
        },
      );
    }
    const flags = status.activeFlags?.length ? ` [${status.activeFlags.join(", ")}]` : "";
    throw notFoundError(
      "NO_PENDING_REQUEST",
      `thread ${threadId} is not waiting on an approval or a question (status: ${status.type}${flags}); ` +
        "if one was shown a moment ago it has already been answered, e.g. in the TUI. Nothing was sent",
      mode.kind === "text"
        ? `to send a message instead, run: codexctl send --thread ${threadId} --message "…"`
        : `codexctl status --thread ${threadId} shows what Codex is doing`,
    );
  }
  const fitting = pending.filter((r) => fits(r, mode));
  if (fitting.length === 1) return fitting[0];
  if (fitting.length === 0) return checkFits(pending[0], mode);
  throw usageError(
    "AMBIGUOUS_REQUEST",
    `thread ${threadId} waits on ${fitting.length} requests (${fitting.map((r) => r.key).join(", ")})`,
    `say which one with --item KEY (codexctl status --thread ${threadId} lists them)`,
  );
}

function fits(request: PendingRequest, mode: ReplyMode): boolean {
  switch (request.kind) {
    case "command_approval":
    case "file_change_approval":
      return mode.kind === "approve" || mode.kind === "reject" ||
        (mode.kind === "choice" && mode.choices.length === 1);
    case "user_input":
      return mode.kind === "choice" || mode.kind === "text";
    case "other":
      return false;
  }
}

function checkFits(request: PendingRequest, mode: ReplyMode): PendingRequest {
  if (fits(request, mode)) return request;
  if (request.kind === "other") throw unsupported(request);
  if (request.kind === "user_input") {
    const q = request.questions[0];
    throw usageError(
      "BAD_REPLY",
      `Codex is asking a question, not for an approval: "${q.question.slice(0, 120)}"`,
      q.options.length
        ? `answer with --choice N (${q.options.map((o) => `${o.key}. ${o.label}`).join("; ")})${
          q.is_other ? " or --text TEXT" : ""
        }`
        : "answer with --text TEXT",
    );
  }
  throw usageError(
    "BAD_REPLY",
    mode.kind === "text"
      ? `Codex waits for an approval${
        request.kind === "command_approval" && request.command_text
          ? ` of \`${request.command_text.slice(0, 120)}\``
          : ""
      }, which takes no text`
      : "an approval takes a single --choice N",
    `answer with --approve, --reject or --choice N (${
      request.options.map((o) => `${o.key}. ${o.label}`).join("; ")
    })`,
  );
}

function unsupported(request: PendingRequest): CodexctlError {
  return usageError(
    "UNSUPPORTED_REQUEST",
    `Codex waits on a ${request.method} request, which codexctl cannot answer`,
    "answer it in the Codex TUI",
  );
}
