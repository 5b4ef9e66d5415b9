/**
 * Sending a message to a thread through the daemon: only into an idle, loaded thread, as a new turn
 * verified by `turn/started`. A thread waiting on an approval or a question is an open gate: the
 * answer path refuses the message there (`THREAD_BUSY`, naming `reply`); a thread running a turn is
 * refused too (`THREAD_BUSY`, retryable) rather than silently steered.
 *
 * @module
 */
import { environmentError, internalError } from "../errors.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import type { AttachedThread } from "../codex/daemon/operations.ts";
import { answer } from "../policy/answer.ts";
import { DEFAULT_POLICY } from "../policy/config.ts";
import { flaggedGate, type Gate, noGate, requestGate } from "../policy/gate.ts";
import type { Store } from "../store/store.ts";
import { DaemonThreadSubstrate } from "../substrate/daemon.ts";
import type { Delivered } from "../substrate/substrate.ts";

/** What {@linkcode sendOnThread} did. */
export interface SendOutcome {
  attached: AttachedThread;
  turnId: string;
  /** `new_turn`: Codex started a turn (`turn/started` seen); `running_turn`: it joined the running one. */
  delivery: "new_turn" | "running_turn";
}

/** Starts a turn with `message` on `threadId` (see the module doc); `store` takes the audit log. */
export async function sendOnThread(
  client: DaemonClient,
  threadId: string,
  message: string,
  timeoutMs: number,
  store: Store,
): Promise<SendOutcome> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const substrate = new DaemonThreadSubstrate(client);
  const handle = DaemonThreadSubstrate.handle(threadId);
  const { attached, status, pending } = await substrate.readThread(threadId, left());
  const flags = status.type === "active" ? status.activeFlags ?? [] : [];
  const waiting = flags.includes("waitingOnApproval") || flags.includes("waitingOnUserInput");
  let gate: Gate | null = pending.length
    ? requestGate(pending[0], threadId, attached.thread.cwd ?? null)
    : waiting
    ? flaggedGate(threadId, flags)
    : null;
  if (!gate && status.type === "active") {
    throw environmentError(
      "THREAD_BUSY",
      `thread ${threadId} is running a turn; a message now would be mixed into it instead of starting a new one. Nothing was sent`,
      {
        retryable: true,
        suggestion: `wait until codexctl status --thread ${threadId} shows idle, then send again`,
      },
    );
  }
  gate ??= noGate(`--thread ${threadId}`, `thread ${threadId} is ${status.type}`, status.type);
  const answered = await answer<Delivered>(
    {
      substrate,
      handle,
      store,
      session: null,
      thread: threadId,
      by: "send",
      seen: null,
      policy: { ...DEFAULT_POLICY },
      timeoutMs: left(),
    },
    gate,
    { kind: "message", text: message },
  );
  const turn = answered.delivery;
  if (turn?.kind !== "turn") throw internalError("NO_TURN", "the daemon substrate did not report a turn");
  return { attached, turnId: turn.turn_id, delivery: turn.delivery };
}
