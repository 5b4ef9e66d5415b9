/**
 * Reading over the daemon channel (codex.md §4.4): connect, list loaded threads, attach to one
 * (`thread/resume` with `excludeTurns`) and read its status, its pending requests and its running
 * turn. What drives Codex over the channel (answering, starting and interrupting turns) is the
 * daemon substrate's (`src/substrate/daemon.ts`).
 *
 * @module
 */
import type { z } from "zod";
import { type CodexctlError, notFoundError } from "../../errors.ts";
import { DaemonClient, type DaemonConnectOptions } from "./client.ts";
import { DAEMON_ERROR_CODES, daemonError, DaemonRpcError } from "./errors.ts";
import {
  type DaemonThreadStatus,
  LoadedListResultSchema,
  type Thread,
  ThreadResumeResultSchema,
  ThreadStatusChangedSchema,
  TurnsListResultSchema,
} from "./protocol.ts";
import { parsePendingRequest, type PendingRequest } from "./requests.ts";
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

/** Parses a daemon result with `schema`; `DAEMON_INCOMPATIBLE` when it does not fit. */
export function parseResult<T>(
  schema: z.ZodType<T>,
  value: unknown,
  method: string,
  client: DaemonClient,
): T {
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
