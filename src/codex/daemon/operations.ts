/**
 * What codexctl does over the daemon channel (codex.md §4.4): list loaded threads, attach to one
 * (`thread/resume` with `excludeTurns`) and read its status and pending requests, answer an
 * approval or a question, start a turn, interrupt a turn. Answers are refused as stale once the
 * request is no longer pending.
 *
 * @module
 */
import type { z } from "zod";
import { type CodexctlError, environmentError, notFoundError } from "../../errors.ts";
import { DaemonClient, type DaemonConnectOptions } from "./client.ts";
import { DAEMON_ERROR_CODES, daemonError, DaemonRpcError } from "./errors.ts";
import {
  type ApprovalDecision,
  type DaemonThreadStatus,
  type IncomingMessage,
  LoadedListResultSchema,
  type RpcId,
  ServerRequestResolvedSchema,
  type Thread,
  ThreadResumeResultSchema,
  ThreadStatusChangedSchema,
  TurnNotificationSchema,
  TurnsListResultSchema,
  TurnStartResultSchema,
} from "./protocol.ts";
import {
  type ApprovalAnswer,
  decisionFor,
  parsePendingRequest,
  type PendingApproval,
  type PendingRequest,
  type PendingUserInput,
  type QuestionAnswer,
  userInputResult,
} from "./requests.ts";
import { controlSocketPath } from "./socket_path.ts";

/** Connects to the daemon of `codexHome` (see {@linkcode DaemonClient.connect}). */
export function connectDaemon(codexHome: string, options: DaemonConnectOptions = {}): Promise<DaemonClient> {
  return DaemonClient.connect(controlSocketPath(codexHome), options);
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withDaemon<T>(
  codexHome: string,
  options: DaemonConnectOptions,
  fn: (client: DaemonClient) => Promise<T>,
): Promise<T> {
  const client = await connectDaemon(codexHome, options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function parseResult<T>(schema: z.ZodType<T>, value: unknown, method: string, client: DaemonClient): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw daemonError(
    DAEMON_ERROR_CODES.incompatible,
    `the Codex daemon${
      client.version ? ` (version ${client.version})` : ""
    } answered ${method} in a shape codexctl does not know: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    {
      suggestion:
        "use Codex 0.169 (the version codexctl is tested against); codexctl doctor shows the version",
    },
  );
}

/** The ids of the threads the daemon has loaded (`thread/loaded/list`, all pages, bounded). */
export async function listLoadedThreads(
  client: DaemonClient,
  options: { timeoutMs?: number; maxPages?: number } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < (options.maxPages ?? 50); page++) {
    const raw = await client.request(
      "thread/loaded/list",
      cursor ? { cursor } : {},
      { timeoutMs: options.timeoutMs },
    );
    const result = parseResult(LoadedListResultSchema, raw, "thread/loaded/list", client);
    ids.push(...result.data);
    cursor = result.nextCursor ?? null;
    if (!cursor) break;
  }
  return [...new Set(ids)];
}

/** A thread this connection is subscribed to. */
export interface AttachedThread {
  threadId: string;
  /** The thread as `thread/resume` returned it. */
  thread: Thread;
  /** Its status when the resume answered. */
  status: DaemonThreadStatus;
  approvalPolicy: unknown;
  sandbox: unknown;
  /** Index into the connection history where the resume answered (later messages are newer). */
  historyMark: number;
}

/**
 * Subscribes this connection to `threadId` with `thread/resume {excludeTurns:true}`. With
 * `requireLoaded` (the default) a thread the daemon has not loaded is `not_found/THREAD_NOT_LOADED`
 * and is never resumed (resuming would load it into the daemon headless).
 */
export async function attachThread(
  client: DaemonClient,
  threadId: string,
  options: { requireLoaded?: boolean; timeoutMs?: number } = {},
): Promise<AttachedThread> {
  if (options.requireLoaded ?? true) {
    const loaded = await listLoadedThreads(client, { timeoutMs: options.timeoutMs });
    if (!loaded.includes(threadId)) throw threadNotLoaded(threadId);
  }
  let raw: unknown;
  try {
    raw = await client.request("thread/resume", { threadId, excludeTurns: true }, {
      timeoutMs: options.timeoutMs,
    });
  } catch (err) {
    if (err instanceof DaemonRpcError && /no rollout found|not found|unknown thread/i.test(err.rpcMessage)) {
      throw notFoundError(
        "THREAD_NOT_FOUND",
        `the Codex daemon has no thread ${threadId}: ${err.rpcMessage.slice(0, 200)}`,
        "check the id (codexctl lists rollouts; the TUI's /status shows the Session id)",
      );
    }
    throw err;
  }
  const result = parseResult(ThreadResumeResultSchema, raw, "thread/resume", client);
  return {
    threadId,
    thread: result.thread,
    status: result.thread.status ?? { type: "unknown" },
    approvalPolicy: result.approvalPolicy ?? null,
    sandbox: result.sandbox ?? null,
    historyMark: client.history().length,
  };
}

/** `not_found/THREAD_NOT_LOADED` for a thread the daemon does not have open. */
export function threadNotLoaded(threadId: string): CodexctlError {
  return notFoundError(
    "THREAD_NOT_LOADED",
    `thread ${threadId} is not loaded in the Codex daemon: no TUI or client has it open, so it cannot be waiting on anything`,
    `open it in the Codex TUI (codex resume ${threadId}) or check the id with codexctl status --thread ${threadId}`,
  );
}

/** The latest status of the attached thread: the resume's, updated by `thread/status/changed`. */
export function currentStatus(client: DaemonClient, attached: AttachedThread): DaemonThreadStatus {
  let status = attached.status;
  const history = client.history();
  for (let i = 0; i < history.length; i++) {
    const m = history[i].message;
    if (m.type !== "notification" || m.method !== "thread/status/changed") continue;
    const p = ThreadStatusChangedSchema.safeParse(m.params);
    // Changes that arrived before the resume answered are already reflected in its status.
    if (p.success && p.data.threadId === attached.threadId && i >= attached.historyMark) {
      status = p.data.status;
    }
  }
  return status;
}

/** The requests Codex is waiting on for `threadId` that nobody has answered yet, oldest first. */
export function pendingRequestsFor(client: DaemonClient, threadId: string): PendingRequest[] {
  return client.pendingServerRequests().map(parsePendingRequest).filter((r) => r.thread_id === threadId);
}

/**
 * The pending requests of an attached thread. The daemon sends them to a newly subscribed
 * connection on its own; when the status says Codex waits on an approval or on input, this waits
 * (up to `timeoutMs`) for that request to arrive, then returns what is pending.
 */
export async function awaitPendingRequests(
  client: DaemonClient,
  attached: AttachedThread,
  timeoutMs: number,
): Promise<PendingRequest[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const status = currentStatus(client, attached);
    const flags = status.type === "active" ? status.activeFlags ?? [] : [];
    const pending = pendingRequestsFor(client, attached.threadId);
    const needApproval = flags.includes("waitingOnApproval") &&
      !pending.some((r) =>
        r.kind === "command_approval" || r.kind === "file_change_approval" || r.kind === "other"
      );
    const needInput = flags.includes("waitingOnUserInput") &&
      !pending.some((r) => r.kind === "user_input" || r.kind === "other");
    const left = deadline - Date.now();
    if ((!needApproval && !needInput) || left <= 0 || !client.isOpen) return pending;
    await client.waitFor(
      (m) => m.type === "request" || (m.type === "notification" && m.method === "thread/status/changed"),
      Math.min(left, 250),
      "the pending request",
    ).catch(() => {});
  }
}

/** `not_found/STALE_REQUEST`: the request was answered (in the TUI or elsewhere) or Codex moved on. */
export function staleRequest(threadId: string, key: string, detail: string): CodexctlError {
  return notFoundError(
    "STALE_REQUEST",
    `request ${key} on thread ${threadId} is no longer pending (${detail}); nothing was sent`,
    `read the current state with codexctl status --thread ${threadId} and answer what Codex waits on now`,
  );
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

/** Answers a command or file-change approval (see {@linkcode decisionFor} for the mapping). */
export async function answerApproval(
  client: DaemonClient,
  request: PendingApproval,
  answer: ApprovalAnswer,
  timeoutMs: number,
): Promise<AnswerOutcome & { decision: ApprovalDecision }> {
  const decision = decisionFor(request, answer);
  const outcome = await answerRequest(client, request, { decision }, timeoutMs);
  return { ...outcome, decision };
}

/**
 * Answers a request_user_input: one answer per question in order, or a record keyed by question id
 * whose values are an option number, an option label or free text.
 */
export async function answerUserInput(
  client: DaemonClient,
  request: PendingUserInput,
  answers: QuestionAnswer[] | Record<string, string | number>,
  timeoutMs: number,
): Promise<AnswerOutcome & { answers: Record<string, { answers: string[] }> }> {
  const list: QuestionAnswer[] = Array.isArray(answers) ? answers : request.questions.map((q) => {
    const v = answers[q.id];
    if (v === undefined) return { kind: "text", text: "" };
    if (typeof v === "number") return { kind: "choice", n: v };
    return /^\d+$/.test(v.trim()) && !q.options.some((o) => o.label === v)
      ? { kind: "choice", n: Number(v.trim()) }
      : { kind: "text", text: v };
  });
  const result = userInputResult(request, list);
  const outcome = await answerRequest(client, request, result, timeoutMs);
  return { ...outcome, answers: result.answers };
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

/** The id of the turn in progress on `threadId` (`thread/turns/list`, newest first), or null. */
export async function activeTurnId(
  client: DaemonClient,
  threadId: string,
  timeoutMs?: number,
): Promise<string | null> {
  const raw = await client.request("thread/turns/list", {
    threadId,
    limit: 1,
    sortDirection: "desc",
    itemsView: "notLoaded",
  }, { timeoutMs });
  const turns = parseResult(TurnsListResultSchema, raw, "thread/turns/list", client).data;
  const latest = turns[0];
  return latest && latest.status === "inProgress" ? latest.id : null;
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
