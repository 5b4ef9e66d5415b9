/**
 * `DaemonEvidence`: one snapshot of what the Codex daemon says about a thread — idle or active, the
 * active flags (`waitingOnApproval`, `waitingOnUserInput`) and the pending request in full (command,
 * cwd, reason, offered decisions; questions with options). It is one input of the verdict machine,
 * where it outranks the rollout and the screen for "what is Codex waiting on".
 *
 * {@linkcode readDaemonEvidence} never throws for daemon trouble: it returns a
 * {@linkcode DaemonUnavailable} record with the error instead, so status can fall back.
 *
 * @module
 */
import { z } from "zod";
import { CodexctlError } from "../../errors.ts";
import { DaemonClient } from "./client.ts";
import { DAEMON_ERROR_CODES, daemonError } from "./errors.ts";
import { attachThread, awaitPendingRequests, currentStatus, listLoadedThreads } from "./operations.ts";
import { PendingRequestSchema } from "./requests.ts";
import { controlSocketPath } from "./socket_path.ts";

/** The thread facts the daemon reports. */
export const DaemonThreadSchema = z.object({
  rollout_path: z.string().nullable(),
  cwd: z.string().nullable(),
  model: z.string().nullable(),
  model_provider: z.string().nullable(),
  cli_version: z.string().nullable(),
  name: z.string().nullable(),
}).strict();

/** What the daemon says about one thread. */
export const DaemonEvidenceSchema = z.object({
  available: z.literal(true),
  source: z.literal("daemon"),
  observed_at: z.string().describe("ISO time of the reading"),
  socket_path: z.string(),
  daemon_version: z.string().nullable(),
  thread_id: z.string(),
  loaded: z.boolean().describe("the daemon has the thread open (a TUI or client uses it)"),
  status: z.string().describe("notLoaded | idle | active | systemError (other values passed through)"),
  active_flags: z.array(z.string()).describe("while active: waitingOnApproval, waitingOnUserInput"),
  waiting_on_approval: z.boolean(),
  waiting_on_user_input: z.boolean(),
  thread: DaemonThreadSchema.nullable(),
  request: PendingRequestSchema.nullable().describe("what Codex waits on now (the oldest pending request)"),
  pending: z.array(PendingRequestSchema).describe("every request of this thread nobody has answered yet"),
}).strict();
/** What the daemon says about one thread. */
export type DaemonEvidence = z.infer<typeof DaemonEvidenceSchema>;

/** No daemon evidence: why, in the envelope's error terms. */
export const DaemonUnavailableSchema = z.object({
  available: z.literal(false),
  source: z.literal("daemon"),
  observed_at: z.string(),
  socket_path: z.string(),
  thread_id: z.string(),
  /** True when a daemon answered but could not say anything about the thread. */
  reachable: z.boolean(),
  error: z.object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    suggestion: z.string().nullable(),
  }).strict(),
}).strict();
/** No daemon evidence, and why. */
export type DaemonUnavailable = z.infer<typeof DaemonUnavailableSchema>;

/** The outcome of {@linkcode readDaemonEvidence}. */
export type DaemonReading = DaemonEvidence | DaemonUnavailable;

/** Options of {@linkcode readDaemonEvidence}. */
export interface ReadEvidenceOptions {
  /** The whole reading's budget (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for the pending request once the status says Codex waits (default ≤ 3000 ms). */
  pendingWaitMs?: number;
  /** Override the socket path (tests). */
  socketPath?: string;
}

/**
 * Reads the daemon's view of `threadId` under `codexHome`: connects, lists loaded threads,
 * subscribes with `thread/resume {excludeTurns:true}` only when the thread is loaded (never loads a
 * thread), collects the pending requests, closes. A transient failure (daemon restarting) is retried
 * once within the budget.
 */
export async function readDaemonEvidence(
  codexHome: string,
  threadId: string,
  options: ReadEvidenceOptions = {},
): Promise<DaemonReading> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  const socketPath = options.socketPath ?? controlSocketPath(codexHome);
  let lastError: CodexctlError | null = null;
  let reachable = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const left = deadline - Date.now();
    if (left <= 50) break;
    let client: DaemonClient | null = null;
    try {
      client = await connectDaemonAt(socketPath, left);
      reachable = true;
      return await readWith(client, threadId, socketPath, deadline, options.pendingWaitMs);
    } catch (err) {
      lastError = err instanceof CodexctlError ? err : daemonError(
        DAEMON_ERROR_CODES.protocol,
        `reading the Codex daemon failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (!lastError.retryable || lastError.code === DAEMON_ERROR_CODES.down) break;
      await new Promise((r) => setTimeout(r, Math.min(300, Math.max(0, deadline - Date.now() - 100))));
    } finally {
      await client?.close();
    }
  }
  const error = lastError ?? daemonError(
    DAEMON_ERROR_CODES.timeout,
    `the Codex daemon could not be read within ${timeoutMs} ms`,
  );
  return {
    available: false,
    source: "daemon",
    observed_at: new Date().toISOString(),
    socket_path: socketPath,
    thread_id: threadId,
    reachable,
    error: {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      suggestion: error.suggestion,
    },
  };
}

function connectDaemonAt(socketPath: string, timeoutMs: number): Promise<DaemonClient> {
  return DaemonClient.connect(socketPath, { timeoutMs, requestTimeoutMs: timeoutMs });
}

/** Reads the evidence over an already open connection (see {@linkcode readDaemonEvidence}). */
export async function readWith(
  client: DaemonClient,
  threadId: string,
  socketPath: string,
  deadline: number,
  pendingWaitMs?: number,
): Promise<DaemonEvidence> {
  const base = {
    available: true as const,
    source: "daemon" as const,
    socket_path: socketPath,
    daemon_version: client.version,
    thread_id: threadId,
  };
  const left = () => Math.max(1, deadline - Date.now());
  const loaded = await listLoadedThreads(client, { timeoutMs: left() });
  if (!loaded.includes(threadId)) {
    return {
      ...base,
      observed_at: new Date().toISOString(),
      loaded: false,
      status: "notLoaded",
      active_flags: [],
      waiting_on_approval: false,
      waiting_on_user_input: false,
      thread: null,
      request: null,
      pending: [],
    };
  }
  const attached = await attachThread(client, threadId, { requireLoaded: false, timeoutMs: left() });
  const pending = await awaitPendingRequests(client, attached, Math.min(pendingWaitMs ?? 3000, left()));
  const status = currentStatus(client, attached);
  const flags = status.type === "active" ? [...(status.activeFlags ?? [])] : [];
  const t = attached.thread;
  return {
    ...base,
    observed_at: new Date().toISOString(),
    loaded: true,
    status: status.type,
    active_flags: flags,
    waiting_on_approval: flags.includes("waitingOnApproval"),
    waiting_on_user_input: flags.includes("waitingOnUserInput"),
    thread: {
      rollout_path: t.path ?? null,
      cwd: t.cwd ?? null,
      model: t.model ?? null,
      model_provider: t.modelProvider ?? null,
      cli_version: t.cliVersion ?? null,
      name: t.name ?? null,
    },
    request: pending[0] ?? null,
    pending,
  };
}
