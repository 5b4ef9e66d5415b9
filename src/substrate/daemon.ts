/**
 * The daemon substrate: a Codex thread reached through the Codex daemon (0.169+ TUIs run their
 * agent there), over one open connection. It reads what the daemon says about the thread (status,
 * pending approvals and questions) and delivers a message (a new turn, verified by `turn/started`)
 * or the result for a pending request (refused as stale once the request is no longer pending,
 * confirmed by `serverRequest/resolved`). codexctl neither starts nor owns such a thread: `start`
 * is refused and `stop` stops nothing. The driving operations over the channel (answer a request,
 * start or interrupt a turn) live here too.
 *
 * @module
 */
import { CodexctlError, environmentError, notFoundError, usageError } from "../errors.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import {
  activeTurnId,
  type AttachedThread,
  attachThread,
  awaitPendingRequests,
  currentStatus,
  parseResult,
  staleRequest,
  threadNotLoaded,
} from "../codex/daemon/operations.ts";
import {
  type IncomingMessage,
  type RpcId,
  ServerRequestResolvedSchema,
  TurnNotificationSchema,
  TurnStartResultSchema,
} from "../codex/daemon/protocol.ts";
import type { PendingRequest } from "../codex/daemon/requests.ts";
import {
  cannotDeliver,
  type Capabilities,
  type Delivered,
  type DeliverOptions,
  type Handle,
  type Input,
  type Reading,
  type ReadOptions,
  type Stopped,
  type Substrate,
  type ThreadReading,
} from "./substrate.ts";

/** What a daemon thread can do: take messages and answers, never keys; codexctl does not own it. */
export const DAEMON_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  start: false,
  own: false,
  screen: false,
  keys: false,
  message: true,
  requests: true,
  resume: true,
  review: false,
});

/** The handle of a daemon thread. */
export interface DaemonThreadHandle {
  thread_id: string;
}

/** How long a read waits at most for a request the thread's status says is on its way (ms). */
const PENDING_WAIT_MS = 3000;

/** The daemon substrate over one open connection (the caller opens and closes it). */
export class DaemonThreadSubstrate implements Substrate {
  readonly name = "daemon" as const;
  readonly can: Readonly<Capabilities> = DAEMON_CAPABILITIES;
  readonly client: DaemonClient;
  readonly #attached = new Map<string, AttachedThread>();

  constructor(client: DaemonClient) {
    this.client = client;
  }

  /** The handle of thread `threadId`. */
  static handle(threadId: string): Handle {
    return { thread_id: threadId } satisfies DaemonThreadHandle;
  }

  start(): Promise<Handle> {
    return Promise.reject(usageError(
      "CANNOT_START",
      "codexctl does not start threads in the Codex daemon; a Codex TUI does",
      "start Codex with codexctl start, or open it in the Codex TUI",
    ));
  }

  /**
   * Subscribes to the thread once per connection (`not_found/THREAD_NOT_LOADED` when the daemon has
   * not loaded it; codexctl never loads a thread on its own).
   */
  async attach(handle: Handle, timeoutMs?: number): Promise<AttachedThread> {
    const id = threadOf(handle);
    let attached = this.#attached.get(id);
    if (!attached) {
      attached = await attachThread(this.client, id, { timeoutMs });
      this.#attached.set(id, attached);
    }
    return attached;
  }

  async read(handle: Handle, options: ReadOptions = {}): Promise<Reading> {
    let attached: AttachedThread;
    try {
      attached = await this.attach(handle, options.timeoutMs);
    } catch (err) {
      if (err instanceof CodexctlError && err.code === "THREAD_NOT_LOADED") {
        return { alive: false, pid: null, status: null, screen: "", recent: null, thread: null };
      }
      throw err;
    }
    const pending = await awaitPendingRequests(
      this.client,
      attached,
      Math.min(PENDING_WAIT_MS, options.timeoutMs ?? PENDING_WAIT_MS),
    );
    return {
      alive: true,
      pid: null,
      status: null,
      screen: "",
      recent: null,
      thread: { attached, status: currentStatus(this.client, attached), pending },
    };
  }

  /** Reads thread `threadId` as a loaded thread (`not_found/THREAD_NOT_LOADED` otherwise). */
  async readThread(threadId: string, timeoutMs?: number): Promise<ThreadReading> {
    const reading = await this.read(DaemonThreadSubstrate.handle(threadId), { timeoutMs });
    if (!reading.alive || !reading.thread) throw threadNotLoaded(threadId);
    return reading.thread;
  }

  async deliver(handle: Handle, input: Input, options: DeliverOptions = {}): Promise<Delivered> {
    const timeoutMs = options.timeoutMs ?? 20_000;
    if (input.kind === "request") {
      const outcome = await answerRequest(this.client, input.request, input.result, timeoutMs);
      return { kind: "answered", sent: outcome.sent, confirmed: outcome.confirmed };
    }
    if (input.kind === "message") {
      const outcome = await startTurn(this.client, threadOf(handle), input.text, timeoutMs);
      return { kind: "turn", turn_id: outcome.turnId, delivery: outcome.delivery };
    }
    throw cannotDeliver(this.name, input);
  }

  stop(): Promise<Stopped> {
    return Promise.resolve("not owned");
  }
}

function threadOf(handle: Handle): string {
  const id = (handle as Partial<DaemonThreadHandle>).thread_id;
  if (typeof id !== "string") throw new TypeError("a daemon thread handle needs a thread_id");
  return id;
}

/** What happened to an answer. */
export interface AnswerOutcome {
  /** The result sent to the daemon. */
  sent: unknown;
  /** The daemon confirmed with `serverRequest/resolved` within the timeout. */
  confirmed: boolean;
}

/**
 * Sends `result` as the answer to `request`, refusing with `STALE_REQUEST` when the request is no
 * longer pending on this connection, then waits (up to `timeoutMs`) for `serverRequest/resolved`.
 */
export async function answerRequest(
  client: DaemonClient,
  request: PendingRequest,
  result: unknown,
  timeoutMs: number,
): Promise<AnswerOutcome> {
  const state = client.serverRequestState(request.rpc_id);
  if (state !== "pending") {
    throw staleRequest(
      request.thread_id ?? "?",
      request.key,
      state === "resolved"
        ? "Codex reported it resolved: it was answered elsewhere, e.g. in the TUI"
        : state === "answered"
        ? "it was already answered on this connection"
        : "this connection never saw it",
    );
  }
  if (!client.respond(request.rpc_id, result)) {
    throw staleRequest(
      request.thread_id ?? "?",
      request.key,
      "it was resolved while the answer was prepared",
    );
  }
  const confirmed = await client.waitFor(
    (m) => isResolvedNotice(m, request.rpc_id),
    timeoutMs,
    "serverRequest/resolved",
  ).then(() => true, () => false);
  return { sent: result, confirmed };
}

function isResolvedNotice(m: IncomingMessage, id: RpcId): boolean {
  if (m.type !== "notification" || m.method !== "serverRequest/resolved") return false;
  const p = ServerRequestResolvedSchema.safeParse(m.params);
  return p.success && p.data.requestId === id;
}

/** How a `turn/start` landed. */
export interface TurnStartOutcome {
  turnId: string;
  /** `new_turn`: Codex started a turn (`turn/started` seen); `running_turn`: it joined the running one. */
  delivery: "new_turn" | "running_turn";
}

/**
 * Starts a turn with `text` on an attached thread and verifies it with `turn/started`. When a turn
 * is already running the daemon adds the input to it instead (observed with 0.169); that is
 * reported as `running_turn`, so callers should check the status first.
 */
export async function startTurn(
  client: DaemonClient,
  threadId: string,
  text: string,
  timeoutMs: number,
): Promise<TurnStartOutcome> {
  const deadline = Date.now() + timeoutMs;
  const startedBefore = new Set(
    client.history().map((h) => startedTurnId(h.message, threadId)).filter((id): id is string => !!id),
  );
  const raw = await client.request("turn/start", {
    threadId,
    input: [{ type: "text", text, text_elements: [] }],
  }, { timeoutMs });
  const turnId = parseResult(TurnStartResultSchema, raw, "turn/start", client).turn.id;
  if (startedBefore.has(turnId)) return { turnId, delivery: "running_turn" };
  try {
    await client.waitFor(
      (m) => startedTurnId(m, threadId) === turnId,
      Math.max(1, deadline - Date.now()),
      `turn/started for turn ${turnId}`,
    );
  } catch (err) {
    throw environmentError(
      "TURN_NOT_CONFIRMED",
      `Codex accepted the message (turn ${turnId}) but did not report the turn as started: ${
        (err as Error).message
      }`,
      {
        retryable: false,
        suggestion:
          `check with codexctl status --thread ${threadId} before sending again (the message may have been delivered)`,
      },
    );
  }
  return { turnId, delivery: "new_turn" };
}

function startedTurnId(m: IncomingMessage, threadId: string): string | null {
  if (m.type !== "notification" || m.method !== "turn/started") return null;
  const p = TurnNotificationSchema.safeParse(m.params);
  return p.success && p.data.threadId === threadId ? p.data.turn.id : null;
}

/**
 * Interrupts the running turn (`turnId`, else the one in progress) and waits for `turn/completed`.
 * `not_found/NO_ACTIVE_TURN` when nothing runs.
 */
export async function interruptTurn(
  client: DaemonClient,
  threadId: string,
  turnId: string | null,
  timeoutMs: number,
): Promise<{ turnId: string; status: string | null }> {
  const deadline = Date.now() + timeoutMs;
  const id = turnId ?? await activeTurnId(client, threadId, timeoutMs);
  if (!id) {
    throw notFoundError(
      "NO_ACTIVE_TURN",
      `thread ${threadId} has no turn in progress; there is nothing to interrupt`,
      `codexctl status --thread ${threadId} shows what the thread is doing`,
    );
  }
  await client.request("turn/interrupt", { threadId, turnId: id }, {
    timeoutMs: Math.max(1, deadline - Date.now()),
  });
  const done = await client.waitFor(
    (m) => {
      if (m.type !== "notification" || m.method !== "turn/completed") return false;
      const p = TurnNotificationSchema.safeParse(m.params);
      return p.success && p.data.turn.id === id;
    },
    Math.max(1, deadline - Date.now()),
    `turn/completed for turn ${id}`,
  ).catch(() => null);
  if (!done || done.type !== "notification") return { turnId: id, status: null };
  const p = TurnNotificationSchema.safeParse(done.params);
  return { turnId: id, status: p.success ? p.data.turn.status ?? null : null };
}
