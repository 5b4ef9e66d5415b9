/**
 * A JSON-RPC client for the Codex daemon's control socket: WebSocket over a Unix socket (the `ws`
 * library's `ws+unix:` URLs), the `initialize`/`initialized` handshake, requests with per-request
 * timeouts, notifications, and the daemon's own server→client requests (approvals, questions), which
 * are kept until they are answered or `serverRequest/resolved` says someone else answered them.
 *
 * Every failure is a {@linkcode CodexctlError} with an `environment/DAEMON_*` code (see
 * `errors.ts`); nothing the daemon sends can crash the caller.
 *
 * @module
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import type { CodexctlError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import { DAEMON_ERROR_CODES, daemonError, DaemonRpcError } from "./errors.ts";
import {
  classifyMessage,
  type IncomingMessage,
  type InitializeResult,
  InitializeResultSchema,
  type RpcId,
  ServerRequestResolvedSchema,
  versionFromUserAgent,
} from "./protocol.ts";
import { inspectSocket } from "./socket_path.ts";

/** Options of {@linkcode DaemonClient.connect}. */
export interface DaemonConnectOptions {
  /** Budget for connecting plus the `initialize` handshake (default 5000 ms). */
  timeoutMs?: number;
  /** Default timeout of each request (default 10000 ms). */
  requestTimeoutMs?: number;
  /** `clientInfo.name` (Codex records it as the originator); default `codexctl`. */
  clientName?: string;
}

/** A server→client request the daemon sent on this connection. */
export interface ServerRequest {
  /** The daemon's JSON-RPC id (per daemon, not stable across connections). */
  id: RpcId;
  method: string;
  params: unknown;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
  /** pending → answered (by us) → resolved (`serverRequest/resolved`, by anyone). */
  state: "pending" | "answered" | "resolved";
}

/** One received message with its arrival time. */
export interface ReceivedMessage {
  message: IncomingMessage;
  at: number;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: CodexctlError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiter {
  test: (m: IncomingMessage) => boolean;
  resolve: (m: IncomingMessage) => void;
  reject: (err: CodexctlError) => void;
  timer: ReturnType<typeof setTimeout>;
}

const MAX_HISTORY = 5000;
const MAX_PAYLOAD = 32 * 1024 * 1024;

/** A live, initialized connection to the Codex daemon. */
export class DaemonClient {
  /** The control socket path given to {@linkcode connect}. */
  readonly socketPath: string;
  /** The `initialize` result. */
  info: InitializeResult = {};
  /** The daemon's Codex version, from its user agent (null when it does not say). */
  version: string | null = null;

  readonly #ws: WebSocket;
  readonly #requestTimeoutMs: number;
  readonly #calls = new Map<RpcId, PendingCall>();
  readonly #serverRequests = new Map<string, ServerRequest>();
  readonly #history: ReceivedMessage[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<(m: IncomingMessage) => void>();
  #nextId = 1;
  #failure: CodexctlError | null = null;
  #closed = false;
  #closedSignal: Promise<void>;
  #markClosed!: () => void;

  private constructor(socketPath: string, ws: WebSocket, requestTimeoutMs: number) {
    this.socketPath = socketPath;
    this.#ws = ws;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#closedSignal = new Promise<void>((resolve) => (this.#markClosed = resolve));
  }

  /**
   * Connects to the control socket at `socketPath` and performs the handshake. Throws
   * `DAEMON_DOWN` (no socket), `DAEMON_REFUSED`, `DAEMON_PROTOCOL`, `DAEMON_TIMEOUT` or
   * `DAEMON_CLOSED`; never hangs longer than `timeoutMs`.
   */
  static async connect(socketPath: string, options: DaemonConnectOptions = {}): Promise<DaemonClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    const where = await inspectSocket(socketPath);
    if (!where.exists || !where.target) {
      throw daemonError(
        DAEMON_ERROR_CODES.down,
        `no Codex daemon is running: the control socket ${socketPath} does not exist`,
        {
          suggestion:
            "start the Codex TUI (0.169 or later starts the daemon) or run: codex app-server daemon start; check CODEX_HOME",
        },
      );
    }
    if (!where.isSocket) {
      throw daemonError(
        DAEMON_ERROR_CODES.refused,
        `${socketPath} is not a Unix socket (it resolves to ${where.target})`,
        { suggestion: "remove the stray file; the Codex daemon recreates its socket when it starts" },
      );
    }
    // Connect to the resolved target: it is short (sun_path holds ~107 bytes) and has no ':'.
    const target = where.target;
    if (target.includes(":")) {
      throw daemonError(
        DAEMON_ERROR_CODES.refused,
        `cannot connect to ${target}: a socket path containing ':' cannot be addressed with ws+unix: URLs`,
        { suggestion: "point CODEX_HOME at a directory whose path has no ':'" },
      );
    }
    const ws = new WebSocket(`ws+unix:${target}:/`, {
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      followRedirects: false,
    });
    const client = new DaemonClient(socketPath, ws, options.requestTimeoutMs ?? 10_000);
    await client.#open(deadline);
    try {
      const raw = await client.request("initialize", {
        clientInfo: { name: options.clientName ?? "codexctl", title: "codexctl", version: VERSION },
        capabilities: { experimentalApi: true },
      }, { timeoutMs: Math.max(1, deadline - Date.now()) });
      const info = InitializeResultSchema.safeParse(raw);
      if (!info.success) {
        throw daemonError(
          DAEMON_ERROR_CODES.protocol,
          `the peer on ${socketPath} answered initialize with something that is not a Codex app-server result`,
          { suggestion: "check that the socket belongs to Codex 0.169 or later (codexctl doctor)" },
        );
      }
      client.info = info.data;
      client.version = versionFromUserAgent(info.data.userAgent);
      client.notify("initialized");
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  #open(deadline: number): Promise<void> {
    const ws = this.#ws;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err: CodexctlError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.#fail(err);
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(() => {
        settle(daemonError(
          DAEMON_ERROR_CODES.timeout,
          `the Codex daemon on ${this.socketPath} did not complete the WebSocket handshake in time`,
          { suggestion: "retry; if it persists restart the daemon: codex app-server daemon restart" },
        ));
      }, Math.max(1, deadline - Date.now()));
      ws.on("open", () => settle(null));
      ws.on("unexpected-response", (_req, res) => {
        settle(daemonError(
          DAEMON_ERROR_CODES.protocol,
          `the peer on ${this.socketPath} answered HTTP ${
            res.statusCode ?? "?"
          } instead of a WebSocket upgrade`,
          { suggestion: "check that the socket belongs to the Codex daemon (codexctl doctor)" },
        ));
      });
      ws.on("error", (err: Error & { code?: string }) => {
        const mapped = this.#mapSocketError(err);
        if (!settled) settle(mapped);
        else this.#fail(mapped);
      });
      ws.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
      ws.on("close", (code, reason) => {
        const why = reason?.toString().slice(0, 200);
        const err = daemonError(
          DAEMON_ERROR_CODES.closed,
          `the Codex daemon closed the connection (WebSocket close ${code}${why ? `: ${why}` : ""})`,
          { suggestion: "retry; the daemon may be restarting (codexctl doctor shows its state)" },
        );
        if (!settled) settle(err);
        this.#fail(err);
        this.#closed = true;
        this.#markClosed();
      });
    });
  }

  #mapSocketError(err: Error & { code?: string }): CodexctlError {
    const code = err.code ?? "";
    const text = String(err.message ?? err).slice(0, 200);
    if (code === "ECONNREFUSED") {
      return daemonError(
        DAEMON_ERROR_CODES.refused,
        `the Codex daemon socket ${this.socketPath} refused the connection (the daemon is not running or is restarting)`,
        { suggestion: "start the Codex TUI or run: codex app-server daemon start; then retry" },
      );
    }
    if (code === "ENOENT") {
      return daemonError(
        DAEMON_ERROR_CODES.down,
        `no Codex daemon is running: the control socket ${this.socketPath} disappeared`,
        { suggestion: "start the Codex TUI or run: codex app-server daemon start" },
      );
    }
    if (code === "EACCES" || code === "EPERM") {
      return daemonError(
        DAEMON_ERROR_CODES.refused,
        `no permission to connect to ${this.socketPath} (${code})`,
        { suggestion: "run codexctl as the user who runs Codex (the socket is mode 0600)" },
      );
    }
    if (code === "ECONNRESET" || code === "EPIPE" || /hang up/i.test(text)) {
      return daemonError(
        DAEMON_ERROR_CODES.closed,
        `the peer on ${this.socketPath} dropped the connection (${code || text})`,
        { suggestion: "retry; the daemon may be restarting (codexctl doctor shows its state)" },
      );
    }
    if (code === "ETIMEDOUT") {
      return daemonError(DAEMON_ERROR_CODES.timeout, `connecting to ${this.socketPath} timed out`, {
        suggestion: "retry; if it persists restart the daemon: codex app-server daemon restart",
      });
    }
    return daemonError(
      DAEMON_ERROR_CODES.protocol,
      `the peer on ${this.socketPath} does not speak the Codex app-server WebSocket protocol: ${text}`,
      { suggestion: "check that the socket belongs to Codex 0.169 or later (codexctl doctor)" },
    );
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#failure) return;
    if (isBinary) {
      this.#protocolViolation("a binary frame");
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(rawToString(data));
    } catch {
      this.#protocolViolation("a frame that is not JSON");
      return;
    }
    const message = classifyMessage(value);
    if (!message) {
      this.#protocolViolation("a JSON value that is not a JSON-RPC message");
      return;
    }
    this.#history.push({ message, at: Date.now() });
    if (this.#history.length > MAX_HISTORY) this.#history.splice(0, this.#history.length - MAX_HISTORY);
    switch (message.type) {
      case "response":
      case "error": {
        const call = message.id === null ? undefined : this.#calls.get(message.id);
        if (!call) break; // not ours (or already timed out): nothing waits for it
        this.#calls.delete(message.id!);
        clearTimeout(call.timer);
        if (message.type === "response") call.resolve(message.result);
        else call.reject(new DaemonRpcError(call.method, message.code, message.message, this.version));
        break;
      }
      case "request":
        if (this.#serverRequests.size < 1000) {
          this.#serverRequests.set(keyOf(message.id), {
            id: message.id,
            method: message.method,
            params: message.params,
            receivedAt: Date.now(),
            state: "pending",
          });
        }
        break;
      case "notification":
        if (message.method === "serverRequest/resolved") {
          const resolved = ServerRequestResolvedSchema.safeParse(message.params);
          if (resolved.success) {
            const known = this.#serverRequests.get(keyOf(resolved.data.requestId));
            if (known) known.state = "resolved";
          }
        }
        break;
    }
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch {
        // a listener's bug must not break the connection
      }
    }
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(message)) {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(message);
      }
    }
  }

  #protocolViolation(what: string): void {
    const err = daemonError(
      DAEMON_ERROR_CODES.protocol,
      `the peer on ${this.socketPath} sent ${what}; it does not speak the Codex app-server protocol`,
      { suggestion: "check that the socket belongs to Codex 0.169 or later (codexctl doctor)" },
    );
    this.#fail(err);
    try {
      this.#ws.terminate();
    } catch {
      // already gone
    }
  }

  /** Fails every call and waiter in flight with `err` (the first failure wins). */
  #fail(err: CodexctlError): void {
    if (!this.#failure) this.#failure = err;
    for (const [id, call] of this.#calls) {
      clearTimeout(call.timer);
      this.#calls.delete(id);
      call.reject(this.#failure);
    }
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.#failure);
    }
    this.#waiters.clear();
  }

  /** True while the connection is usable. */
  get isOpen(): boolean {
    return !this.#failure && !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  #ensureOpen(): void {
    if (this.#failure) throw this.#failure;
    if (!this.isOpen) {
      throw daemonError(DAEMON_ERROR_CODES.closed, "the connection to the Codex daemon is closed", {
        suggestion: "retry",
      });
    }
  }

  /**
   * Sends a request and resolves with its `result` (unparsed: validate it with a schema). Rejects
   * with `DAEMON_TIMEOUT` after `timeoutMs`, a {@linkcode DaemonRpcError} when the daemon answers
   * with an error, or the connection's failure.
   */
  request(method: string, params?: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
    try {
      this.#ensureOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(id);
        reject(daemonError(
          DAEMON_ERROR_CODES.timeout,
          `the Codex daemon did not answer ${method} within ${timeoutMs} ms`,
          { suggestion: "retry; the machine or the daemon may be busy" },
        ));
      }, timeoutMs);
      this.#calls.set(id, { method, resolve, reject, timer });
      this.#send(params === undefined ? { id, method } : { id, method, params }, (err) => {
        const call = this.#calls.get(id);
        if (!call) return;
        this.#calls.delete(id);
        clearTimeout(call.timer);
        call.reject(err);
      });
    });
  }

  /** Sends a notification (no answer expected). */
  notify(method: string, params?: unknown): void {
    this.#ensureOpen();
    this.#send(params === undefined ? { method } : { method, params }, (err) => this.#fail(err));
  }

  #send(message: Record<string, unknown>, onError: (err: CodexctlError) => void): void {
    this.#ws.send(JSON.stringify(message), (err?: Error) => {
      if (err) {
        onError(daemonError(
          DAEMON_ERROR_CODES.closed,
          `could not write to the Codex daemon: ${String(err.message).slice(0, 200)}`,
          { suggestion: "retry; the daemon may be restarting" },
        ));
      }
    });
  }

  /** The daemon's requests seen on this connection that nobody has answered yet (oldest first). */
  pendingServerRequests(): ServerRequest[] {
    return [...this.#serverRequests.values()].filter((r) => r.state === "pending");
  }

  /** The state of one server request, or null when this connection never received it. */
  serverRequestState(id: RpcId): ServerRequest["state"] | null {
    return this.#serverRequests.get(keyOf(id))?.state ?? null;
  }

  /**
   * Answers a server request with `result`. Refuses (returns false, sends nothing) unless the
   * request is still pending on this connection: a request already answered here or resolved
   * elsewhere (`serverRequest/resolved`) is stale and must never be answered.
   */
  respond(id: RpcId, result: unknown): boolean {
    this.#ensureOpen();
    const known = this.#serverRequests.get(keyOf(id));
    if (!known || known.state !== "pending") return false;
    known.state = "answered";
    this.#send({ id, result }, (err) => this.#fail(err));
    return true;
  }

  /** Every message received so far (bounded to the last 5000), oldest first. */
  history(): readonly ReceivedMessage[] {
    return this.#history;
  }

  /** Calls `listener` for each message received from now on; returns the unsubscribe function. */
  onMessage(listener: (m: IncomingMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the first message (already received, or arriving within `timeoutMs`) that
   * passes `test`. Rejects with `DAEMON_TIMEOUT` naming `what`, or with the connection's failure.
   */
  waitFor(
    test: (m: IncomingMessage) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<IncomingMessage> {
    const seen = this.#history.find((h) => test(h.message));
    if (seen) return Promise.resolve(seen.message);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(daemonError(
            DAEMON_ERROR_CODES.timeout,
            `the Codex daemon did not send ${what} within ${timeoutMs} ms`,
            { suggestion: "retry; the machine or the daemon may be busy" },
          ));
        }, Math.max(1, timeoutMs)),
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * Closes the connection: a WebSocket close, then a hard stop if the daemon does not finish the
   * closing handshake within `graceMs` (the 0.169 daemon drops the socket without a close frame).
   * Calls in flight fail with `DAEMON_CLOSED`. Idempotent.
   */
  async close(graceMs = 1000): Promise<void> {
    this.#fail(
      daemonError(DAEMON_ERROR_CODES.closed, "the connection to the Codex daemon was closed by codexctl"),
    );
    if (this.#closed) return;
    try {
      if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
      else if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000, "codexctl done");
    } catch {
      // already failing
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closedSignal,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    if (!this.#closed) {
      try {
        this.#ws.terminate();
      } catch {
        // gone
      }
      await Promise.race([
        this.#closedSignal,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
  }
}

function keyOf(id: RpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return new TextDecoder().decode(concat(data));
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(data));
  return new TextDecoder().decode(data as Uint8Array);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
