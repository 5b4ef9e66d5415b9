/**
 * Sending a message to a thread through the daemon: only into an idle, loaded thread, as a new turn
 * verified by `turn/started`. A busy thread is refused (`THREAD_BUSY`) rather than silently steered.
 *
 * @module
 */
import { environmentError } from "../errors.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import type { PendingRequest } from "../codex/daemon/requests.ts";
import {
  type AttachedThread,
  attachThread,
  awaitPendingRequests,
  currentStatus,
} from "../codex/daemon/operations.ts";
import { startTurn, type TurnStartOutcome } from "../substrate/daemon.ts";

/** What {@linkcode sendOnThread} did. */
export interface SendOutcome extends TurnStartOutcome {
  attached: AttachedThread;
}

/** Starts a turn with `message` on `threadId` (see the module doc). */
export async function sendOnThread(
  client: DaemonClient,
  threadId: string,
  message: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const attached = await attachThread(client, threadId, { timeoutMs: left() });
  const status = currentStatus(client, attached);
  if (status.type === "active") {
    const flags = status.activeFlags ?? [];
    const waiting = flags.includes("waitingOnApproval") || flags.includes("waitingOnUserInput");
    const pending = waiting ? await awaitPendingRequests(client, attached, Math.min(1000, left())) : [];
    const what = describeWait(pending[0]) ??
      (flags.includes("waitingOnApproval") ? "an approval" : "an answer to a question");
    throw environmentError(
      "THREAD_BUSY",
      waiting
        ? `thread ${threadId} is waiting on ${what}; a message now would not start a turn. Nothing was sent`
        : `thread ${threadId} is running a turn; a message now would be mixed into it instead of starting a new one. Nothing was sent`,
      {
        retryable: !waiting,
        suggestion: waiting
          ? `answer it first: codexctl reply --thread ${threadId} … (codexctl status --thread ${threadId} shows what it asks)`
          : `wait until codexctl status --thread ${threadId} shows idle, then send again`,
      },
    );
  }
  const outcome = await startTurn(client, threadId, message, left());
  return { ...outcome, attached };
}

function describeWait(request: PendingRequest | undefined): string | null {
  if (!request) return null;
  switch (request.kind) {
    case "command_approval":
      return request.command_text
        ? `approval to run \`${request.command_text.slice(0, 120)}\``
        : "an approval";
    case "file_change_approval":
      return "approval of a file change";
    case "user_input":
      return `an answer to "${request.questions[0]?.question.slice(0, 120) ?? "a question"}"`;
    case "other":
      return `a ${request.method} request`;
  }
}
