/**
 * A JSON-RPC client for a `codex app-server` child speaking over its stdio (newline-delimited JSON,
 * the default `--listen stdio://`): spawn (argv only, stdin/stdout piped, stderr kept to a bound),
 * the `initialize`/`initialized` handshake, requests with a timeout, and notifications. A
 * server→client request (an approval, a question) is refused with a JSON-RPC error: the client is
 * unattended. Nothing the server writes can crash the caller: a line that is not JSON is skipped.
 *
 * @module
 */
import { VERSION } from "../../version.ts";
import { jsonObject } from "../../json.ts";

/** One message the server sent: a response, a notification or a request. */
export interface RpcMessage {
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string } | null;
}

/** Options of {@linkcode StdioAppServer.spawn}. */
export interface SpawnOptions {
  /** The codex binary and the arguments before `app-server` (usually none). */
  codex: string;
  cwd: string;
  env?: Record<string, string>;
  /** Budget of the `initialize` handshake (default 15 s). */
  timeoutMs?: number;
}

const MAX_STDERR = 64 * 1024;

/** A running `codex app-server` over stdio. */
export class StdioAppServer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<
    number,
    { resolve: (m: RpcMessage) => void; timer: ReturnType<typeof setTimeout> }
  >();
  readonly #listeners = new Set<(m: RpcMessage) => void>();
  #nextId = 1;
  #closed = false;
  #stderr = "";
  /** Resolves when the server's stdout ended (it exited or closed it). */
  readonly ended: Promise<void>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.ended = this.#read();
    this.#drainStderr();
  }

  /** Starts `codex app-server` in `cwd` and performs the handshake. Throws with Codex's stderr on failure. */
  static async spawn(options: SpawnOptions): Promise<StdioAppServer> {
    const child = new Deno.Command(options.codex, {
      args: ["app-server"],
      cwd: options.cwd,
      env: options.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = new StdioAppServer(child);
    const init = await server.request("initialize", {
      clientInfo: { name: "codexctl", title: "codexctl", version: VERSION },
      capabilities: { experimentalApi: true },
    }, options.timeoutMs ?? 15_000);
    if (init.error || init.result === undefined) {
      await server.close();
      throw new Error(`codex app-server did not initialize: ${init.error?.message ?? server.stderrTail()}`);
    }
    server.notify("initialized");
    return server;
  }

  /** The last of what the server wrote on stderr. */
  stderrTail(max = 2000): string {
    return this.#stderr.slice(-max).trim();
  }

  /** Calls `listener` with every message that is not a response to our request. */
  onMessage(listener: (m: RpcMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a request; resolves to the response (an `error` response too), or to a timeout error. */
  request(method: string, params: unknown, timeoutMs = 30_000): Promise<RpcMessage> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      if (this.#closed) return resolve({ id, error: { message: "codex app-server is gone" } });
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({
          id,
          error: { message: `codex app-server did not answer ${method} within ${timeoutMs} ms` },
        });
      }, timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** Sends a notification. */
  notify(method: string, params?: unknown): void {
    this.#send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  /** Closes stdin, asks the server to stop, and waits for it (killing it after `graceMs`). */
  async close(graceMs = 3000): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#writer.close().catch(() => {});
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, graceMs);
    try {
      this.#child.kill("SIGTERM");
    } catch { /* gone */ }
    await this.#child.status.catch(() => {});
    clearTimeout(timer);
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.resolve({ error: { message: "codex app-server closed" } });
    }
    this.#pending.clear();
  }

  #send(message: Record<string, unknown>): void {
    if (this.#closed) return;
    this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n")).catch(() => {});
  }

  async #read(): Promise<void> {
    let buffer = "";
    try {
      for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) this.#dispatch(line);
        }
        if (buffer.length > 64 * 1024 * 1024) buffer = ""; // a runaway line: drop it
      }
    } catch {
      // the stream broke: treated as the end
    }
    this.#closed = true;
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.resolve({ error: { message: `codex app-server exited: ${this.stderrTail(300)}` } });
    }
    this.#pending.clear();
  }

  #dispatch(line: string): void {
    const message = jsonObject(line) as RpcMessage | null;
    if (!message) return;
    const isResponse = message.method === undefined && typeof message.id === "number";
    if (isResponse) {
      const pending = this.#pending.get(message.id as number);
      if (pending) {
        clearTimeout(pending.timer);
        this.#pending.delete(message.id as number);
        pending.resolve(message);
      }
      return;
    }
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      // a server→client request (approval, question): nobody is there to answer it
      this.#send({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: -32000, message: "codexctl runs this review unattended and answers no requests" },
      });
    }
    for (const listener of this.#listeners) listener(message);
  }

  async #drainStderr(): Promise<void> {
    try {
      for await (const chunk of this.#child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr = (this.#stderr + chunk).slice(-MAX_STDERR);
      }
    } catch {
      // gone
    }
  }
}
