/**
 * Answering what a thread waits on, through the daemon: read the thread's pending requests, pick
 * the one the answer is for (the `--item` the caller read, else the one the answer fits; refusing
 * stale, missing or ambiguous ones), and answer it through the answer path (`policy/answer.ts`:
 * deny rules, audit, the daemon request).
 *
 * @module
 */
import { environmentError, notFoundError, usageError } from "../errors.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import { type AttachedThread, staleRequest } from "../codex/daemon/operations.ts";
import type { PendingRequest } from "../codex/daemon/requests.ts";
import type { ApprovalPolicy } from "../policy/config.ts";
import { answer } from "../policy/answer.ts";
import { type AnswerInput, fits } from "../policy/decide.ts";
import { requestGate } from "../policy/gate.ts";
import type { Store } from "../store/store.ts";
import { DaemonThreadSubstrate } from "../substrate/daemon.ts";

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
  /** The verb answering, for the audit log (default `reply`). */
  by?: string;
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

/** The answer-path input of a reply mode. */
export function replyInput(mode: ReplyMode): AnswerInput {
  return mode.kind === "choice" ? { kind: "choice", n: mode.choices } : mode;
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
  const substrate = new DaemonThreadSubstrate(client);
  const handle = DaemonThreadSubstrate.handle(threadId);
  const { attached, pending, status } = await substrate.readThread(threadId, left());
  const input = replyInput(mode);
  const worktree = options.worktree ?? attached.thread.cwd ?? null;
  const gates = pending.map((r) => requestGate(r, threadId, worktree));
  let gate;
  if (options.item !== undefined) {
    gate = gates.find((g) => g.ids.includes(options.item!));
    if (!gate) {
      throw staleRequest(
        threadId,
        options.item,
        pending.length
          ? `Codex now waits on ${pending.map((r) => r.key).join(", ")} instead`
          : "Codex is not waiting on any request now; it was answered elsewhere, e.g. in the TUI",
      );
    }
  } else if (gates.length === 0) {
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
    const flags = status.type === "active" && status.activeFlags?.length
      ? ` [${status.activeFlags.join(", ")}]`
      : "";
    throw notFoundError(
      "NO_PENDING_REQUEST",
      `thread ${threadId} is not waiting on an approval or a question (status: ${status.type}${flags}); ` +
        "if one was shown a moment ago it has already been answered, e.g. in the TUI. Nothing was sent",
      mode.kind === "text"
        ? `to send a message instead, run: codexctl send --thread ${threadId} --message "…"`
        : `codexctl status --thread ${threadId} shows what Codex is doing`,
    );
  } else {
    const fitting = gates.filter((g) => fits(g, input));
    if (fitting.length > 1) {
      throw usageError(
        "AMBIGUOUS_REQUEST",
        `thread ${threadId} waits on ${fitting.length} requests (${
          fitting.map((g) => g.request!.key).join(", ")
        })`,
        `say which one with --item KEY (codexctl status --thread ${threadId} lists them)`,
      );
    }
    // none fits: the first one is answered, and the answer path says why it does not fit
    gate = fitting[0] ?? gates[0];
  }
  const answered = await answer(
    {
      substrate,
      handle,
      store: options.store,
      session: options.session ?? null,
      thread: threadId,
      by: options.by ?? "reply",
      seen: options.item ?? null,
      policy: options.loadPolicy,
      timeoutMs: left(),
    },
    gate,
    input,
  );
  return {
    attached,
    request: gate.request!,
    answer: answered.sent ?? {},
    confirmed: answered.confirmed,
  };
}
