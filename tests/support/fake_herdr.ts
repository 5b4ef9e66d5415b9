/**
 * A protocol-faithful fake herdr server for tests (reference/herdr.md §9): a Unix socket (mode 0600)
 * speaking herdr's newline-delimited JSON, one request per connection, with every pane a real tmux
 * pane on a private tmux server and agent status computed from the pane's screen as herdr does.
 *
 * Flavors: `0.8` (protocol 20, lifecycle subscriptions replay the retained ring), `0.9` (protocol
 * 22, no replay) and `0.6` (legacy positional ids that renumber on close, `HERDR_PANE_ID=p_N`).
 *
 * Every line the fake receives is checked against herdr's own JSON schema and answered the way
 * herdr's parser would (malformed → `invalid_request` with id ""; an unknown method's error lists
 * every valid method). Every line it sends is checked too, strictly; there is no switch to turn
 * that off: {@linkcode FakeHerdr.stop} throws when the fake ever produced an invalid frame.
 *
 * Fault switches: drop a connection after reading the request, never answer, corrupt replies (to
 * prove the schema check bites), close every subscription, crash (every connection and the
 * listener close at once, the socket file stays, like a killed process).
 *
 * Run standalone: `deno run -A tests/support/fake_herdr.ts --socket PATH [--flavor 0.8] [--hang METHOD]`.
 *
 * @module
 */
import { join } from "node:path";
import {
  FakeError,
  type FakeFlavor,
  FakeModel,
  FLAVORS,
  type Pane,
  type RingEvent,
} from "./fake_herdr_model.ts";
import { LONG_LIVED, ONE_SHOT } from "./fake_herdr_methods.ts";
import { TmuxEngine } from "./fake_herdr_tmux.ts";
import { type FrameKind, type HerdrSchema, herdrSchema } from "./herdr_schema.ts";

/** Options of {@linkcode FakeHerdr.start}. */
export interface FakeHerdrOptions {
  flavor?: FakeFlavor;
  /** Socket path (default: a new temporary directory's `herdr.sock`). */
  socketPath?: string;
  /** The shell every pane starts (default /bin/sh). */
  shell?: string;
  /** Detection poll interval (herdr: 100 ms). */
  pollMs?: number;
  /** How long a new connection may take to send its request line (herdr: 5 s). */
  firstLineTimeoutMs?: number;
  /** Mark a pane seen when it is read (herdr marks seen on focus only). */
  seenOnRead?: boolean;
}

/** One line on the fake's wire. */
export interface TrafficLine {
  direction: "in" | "out";
  line: string;
}

const MAX_LINE = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Connection {
  conn: Deno.UnixConn;
  closed: boolean;
  /** Aborted when the peer writes anything more, half-closes, or the connection closes. */
  peerGone: AbortController;
  queue: Promise<void>;
  subscription: boolean;
}

/** A running fake herdr. */
export class FakeHerdr {
  readonly socketPath: string;
  readonly flavor: FakeFlavor;
  readonly model: FakeModel;
  /** Every line received and sent, in order. */
  readonly traffic: TrafficLine[] = [];
  /** The fake's own frames that broke herdr's schema (fatal at {@linkcode stop}). */
  readonly violations: string[] = [];
  /** Requests herdr would accept but that carry properties its schema does not declare. */
  readonly clientViolations: string[] = [];
  /** Requests answered with `invalid_request` (malformed, unknown method, wrong shape). */
  readonly rejected: { line: string; message: string }[] = [];
  /** Methods received, in order. */
  readonly methods: string[] = [];

  #schema: HerdrSchema;
  #listener: Deno.Listener;
  #engine: TmuxEngine;
  #dir: string | null;
  #conns = new Set<Connection>();
  #pollMs: number;
  #firstLineTimeoutMs: number;
  #running = true;
  #poller: Promise<void>;
  #acceptor: Promise<void>;
  #drop: { method: string | null; count: number } | null = null;
  #hang = new Set<string | null>();
  #corrupt: ((value: Record<string, unknown>) => unknown) | null = null;
  #requestWaiters: { method: string; resolve: () => void }[] = [];
  #tickWaiters: (() => void)[] = [];

  private constructor(
    init: {
      socketPath: string;
      flavor: FakeFlavor;
      model: FakeModel;
      listener: Deno.Listener;
      engine: TmuxEngine;
      dir: string | null;
      pollMs: number;
      firstLineTimeoutMs: number;
    },
  ) {
    this.socketPath = init.socketPath;
    this.flavor = init.flavor;
    this.model = init.model;
    this.#listener = init.listener;
    this.#engine = init.engine;
    this.#dir = init.dir;
    this.#pollMs = init.pollMs;
    this.#firstLineTimeoutMs = init.firstLineTimeoutMs;
    this.#schema = herdrSchema();
    this.#acceptor = this.#accept();
    this.#poller = this.#pollLoop();
  }

  /** Starts a fake herdr. */
  static async start(options: FakeHerdrOptions = {}): Promise<FakeHerdr> {
    const flavor = options.flavor ?? "0.8";
    const spec = FLAVORS[flavor];
    herdrSchema(); // fail before anything starts when the schema is missing
    const dir = options.socketPath ? null : await Deno.makeTempDir({ prefix: "codexctl-fakeherdr-" });
    const socketPath = options.socketPath ?? join(dir!, "herdr.sock");
    const binDir = dir ?? await Deno.makeTempDir({ prefix: "codexctl-fakeherdr-bin-" });
    const binPath = join(binDir, "herdr");
    await Deno.writeTextFile(binPath, "#!/bin/sh\necho 'the fake herdr has no CLI' >&2\nexit 2\n", {
      mode: 0o755,
    });
    const engine = await TmuxEngine.start(spec.width, spec.height);
    const listener = Deno.listen({ transport: "unix", path: socketPath });
    await Deno.chmod(socketPath, 0o600);
    const model = new FakeModel({
      flavor: spec,
      engine,
      socketPath,
      binPath,
      shell: options.shell ?? "/bin/sh",
      seenOnRead: options.seenOnRead ?? false,
    });
    return new FakeHerdr({
      socketPath,
      flavor,
      model,
      listener,
      engine,
      dir: dir ?? binDir,
      pollMs: options.pollMs ?? 150,
      firstLineTimeoutMs: options.firstLineTimeoutMs ?? 5_000,
    });
  }

  /** What `server.stop` does after answering: by default the fake goes down like a stopped server. */
  onServerStop: () => Promise<void> = () => this.crash();

  /** The private tmux server's socket (to clean up after a killed standalone fake). */
  get tmuxSocket(): string {
    return this.#engine.socket;
  }

  /** Directories the fake created and {@linkcode stop} removes. */
  get scratchDirs(): string[] {
    return [this.#engine.dir, ...(this.#dir ? [this.#dir] : [])];
  }

  /** Environment that points a client at this fake (and out of any real herdr). */
  env(): Record<string, string> {
    return { HERDR_SOCKET_PATH: this.socketPath };
  }

  // ---- fault switches

  /** Drops the next `count` requests (of `method`, or any) after reading them, without an answer. */
  dropNext(method: string | null = null, count = 1): void {
    this.#drop = { method, count };
  }

  /** Never answers requests of `method` (or any request with null) until {@linkcode clearFaults}. */
  hang(method: string | null = null): void {
    this.#hang.add(method);
  }

  /** Passes every outgoing reply through `fn` (still schema-checked) until cleared with null. */
  corruptReplies(fn: ((value: Record<string, unknown>) => unknown) | null): void {
    this.#corrupt = fn;
  }

  /** Clears drop, hang and corrupt switches. */
  clearFaults(): void {
    this.#drop = null;
    this.#hang.clear();
    this.#corrupt = null;
  }

  /** Closes every open subscription connection; returns how many. */
  closeSubscriptions(): number {
    let n = 0;
    for (const c of this.#conns) {
      if (c.subscription && !c.closed) {
        this.#close(c);
        n++;
      }
    }
    return n;
  }

  /** Resolves once a request of `method` has arrived (counting from now). */
  waitForRequest(method: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake herdr: no ${method} request within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#requestWaiters.push({
        method,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves after the next complete detection pass. */
  tick(): Promise<void> {
    return new Promise((resolve) => this.#tickWaiters.push(resolve));
  }

  /** Like a killed process: the listener and every connection close at once; the socket file stays. */
  async crash(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    try {
      this.#listener.close();
    } catch {
      // closed
    }
    for (const c of this.#conns) this.#close(c);
    await this.#acceptor;
    // a killed server leaves its socket file behind; Deno unlinks it once the listener is gone, so
    // put a stand-in there (connecting to it is refused, just as with a dead socket)
    try {
      Deno.writeTextFileSync(this.socketPath, "", { createNew: true, mode: 0o600 });
    } catch {
      // still there
    }
  }

  /** Stops everything and removes the fake's files; throws if the fake ever sent an invalid frame. */
  async stop(): Promise<void> {
    await this.crash();
    await this.#poller;
    for (const w of this.#tickWaiters.splice(0)) w();
    await this.#engine.stop();
    await Deno.remove(this.socketPath).catch(() => {});
    if (this.#dir) await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    if (this.violations.length > 0) {
      throw new Error(
        `fake herdr sent ${this.violations.length} frame(s) that break herdr's schema:\n${
          this.violations.join("\n")
        }`,
      );
    }
  }

  // ---- transport

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        const c: Connection = {
          conn: conn as Deno.UnixConn,
          closed: false,
          peerGone: new AbortController(),
          queue: Promise.resolve(),
          subscription: false,
        };
        this.#conns.add(c);
        this.#serve(c).catch(() => this.#close(c));
      }
    } catch {
      // listener closed
    }
  }

  #close(c: Connection): void {
    if (c.closed) return;
    c.closed = true;
    c.peerGone.abort();
    this.#conns.delete(c);
    try {
      c.conn.close();
    } catch {
      // closed
    }
  }

  /** Reads the request line: at most 1 MiB within the first-line timeout, else null (dropped). */
  async #readRequest(c: Connection): Promise<{ line: string; rest: Uint8Array } | null> {
    let buffer = new Uint8Array(0);
    const timer = setTimeout(() => this.#close(c), this.#firstLineTimeoutMs);
    try {
      for (;;) {
        const at = buffer.indexOf(0x0a);
        if (at >= 0) return { line: decoder.decode(buffer.subarray(0, at)), rest: buffer.slice(at + 1) };
        if (buffer.length > MAX_LINE) return null;
        const chunk = new Uint8Array(64 * 1024);
        const n = await c.conn.read(chunk).catch(() => null);
        if (n === null) return null;
        const grown = new Uint8Array(buffer.length + n);
        grown.set(buffer);
        grown.set(chunk.subarray(0, n), buffer.length);
        buffer = grown;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** On a long-lived connection any further byte, or EOF, means the peer is gone. */
  #watchPeer(c: Connection, rest: Uint8Array): void {
    if (rest.length > 0) {
      this.#close(c);
      return;
    }
    c.conn.read(new Uint8Array(1)).then(() => this.#close(c), () => this.#close(c));
  }

  /** Writes one frame after checking it against the schema (and applying the corrupt switch). */
  #send(c: Connection, value: Record<string, unknown>, kind: FrameKind): Promise<void> {
    const out = this.#corrupt ? this.#corrupt(structuredClone(value)) as Record<string, unknown> : value;
    const check = this.#schema.check(kind, out, "strict");
    if (!check.ok) {
      this.violations.push(
        `${kind}: ${check.errors.slice(0, 3).join("; ")} in ${JSON.stringify(out).slice(0, 300)}`,
      );
    }
    const line = JSON.stringify(out);
    c.queue = c.queue.then(async () => {
      if (c.closed) return;
      this.traffic.push({ direction: "out", line });
      const bytes = encoder.encode(line + "\n");
      let offset = 0;
      try {
        while (offset < bytes.length) offset += await c.conn.write(bytes.subarray(offset));
      } catch {
        this.#close(c);
      }
    });
    return c.queue;
  }

  #reply(c: Connection, id: string, result: Record<string, unknown>): Promise<void> {
    return this.#send(c, { id, result }, "success_response");
  }

  #error(c: Connection, id: string, code: string, message: string): Promise<void> {
    return this.#send(c, { id, error: { code, message } }, "error_response");
  }

  async #serve(c: Connection): Promise<void> {
    const request = await this.#readRequest(c);
    if (!request) return this.#close(c);
    this.traffic.push({ direction: "in", line: request.line });
    let value: unknown;
    try {
      value = JSON.parse(request.line);
    } catch (err) {
      return await this.#reject(c, request.line, `invalid request: ${(err as Error).message}`);
    }
    const frame = value as { id?: unknown; method?: unknown; params?: unknown };
    if (frame && typeof frame === "object" && typeof frame.method === "string") {
      this.methods.push(frame.method);
      for (const w of this.#requestWaiters.filter((x) => x.method === frame.method)) {
        this.#requestWaiters.splice(this.#requestWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
    const loose = this.#schema.check("request", value, "herdr");
    if (!loose.ok) {
      if (frame && typeof frame.method === "string" && !this.#schema.methods.includes(frame.method)) {
        const list = this.#schema.methods.map((m) => `\`${m}\``).join(", ");
        return await this.#reject(
          c,
          request.line,
          `invalid request: unknown variant \`${frame.method}\`, expected one of ${list}`,
        );
      }
      return await this.#reject(c, request.line, `invalid request: ${loose.errors.slice(0, 2).join("; ")}`);
    }
    const strict = this.#schema.check("request", value, "strict");
    if (!strict.ok) this.clientViolations.push(`${frame.method}: ${strict.errors.join("; ")}`);
    const id = frame.id as string;
    const method = frame.method as string;
    const params = frame.params as Record<string, unknown>;

    if (this.#drop && (this.#drop.method === null || this.#drop.method === method)) {
      if (--this.#drop.count <= 0) this.#drop = null;
      return this.#close(c);
    }
    if (this.#hang.has(null) || this.#hang.has(method)) {
      this.#watchPeer(c, request.rest);
      return; // never answered; closed by the peer or a crash
    }

    try {
      if (LONG_LIVED.has(method)) {
        this.#watchPeer(c, request.rest);
        await this.#longLived(c, id, method, params);
        return;
      }
      if (method === "server.stop") {
        await this.#reply(c, id, { type: "ok" });
        this.#close(c);
        await this.onServerStop();
        return;
      }
      const handler = ONE_SHOT[method];
      if (!handler) {
        await this.#error(c, id, "not_implemented", `the fake herdr does not implement ${method}`);
      } else {
        await this.#reply(c, id, await handler(this.model, params));
      }
    } catch (err) {
      if (err instanceof FakeError) await this.#error(c, id, err.code, err.message);
      else await this.#error(c, id, "internal_error", (err as Error).message);
    }
    this.#close(c);
  }

  async #reject(c: Connection, line: string, message: string): Promise<void> {
    this.rejected.push({ line, message });
    await this.#error(c, "", "invalid_request", message);
    this.#close(c);
  }

  // ---- long-lived methods

  async #longLived(
    c: Connection,
    id: string,
    method: string,
    params: Record<string, unknown>,
  ): Promise<void> {
    if (method === "events.subscribe") return await this.#subscribe(c, id, params);
    let outcome: { result: Record<string, unknown> } | { code: string; message: string } | null;
    try {
      if (method === "events.wait") outcome = await this.#eventsWait(c, params);
      else if (method === "agent.wait") outcome = await this.#agentWait(c, params);
      else outcome = await this.#waitForOutput(c, params);
    } catch (err) {
      if (!(err instanceof FakeError)) throw err;
      outcome = { code: err.code, message: err.message };
    }
    if (outcome === null || c.closed) return this.#close(c);
    if ("result" in outcome) await this.#reply(c, id, outcome.result);
    else await this.#error(c, id, outcome.code, outcome.message);
    this.#close(c);
  }

  /**
   * Re-runs `check` on every event, status change and poll tick until it returns non-null (its value),
   * throws (`{thrown}`), the timeout passes (`"timeout"`) or the peer goes (null).
   */
  #until<T>(
    c: Connection,
    timeoutMs: number | null,
    check: () => Promise<T | null> | T | null,
  ): Promise<T | "timeout" | null | { thrown: unknown }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: T | "timeout" | null | { thrown: unknown }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        offEvent();
        offStatus();
        c.peerGone.signal.removeEventListener("abort", onGone);
        clearInterval(interval);
        resolve(v);
      };
      const run = async () => {
        if (done) return;
        try {
          const v = await check();
          if (v !== null) finish(v);
        } catch (thrown) {
          finish({ thrown });
        }
      };
      const onGone = () => finish(null);
      c.peerGone.signal.addEventListener("abort", onGone);
      const timer = timeoutMs === null ? undefined : setTimeout(() => finish("timeout"), timeoutMs);
      const offEvent = this.model.onEvent(() => void run());
      const offStatus = this.model.onStatus(() => void run());
      const interval = setInterval(() => void run(), this.#pollMs);
      if (c.peerGone.signal.aborted) finish(null);
      else void run();
    });
  }

  /** Maps a `#until` outcome: null (peer gone), timeout, a thrown FakeError, or the value. */
  #outcome<T>(
    got: T | "timeout" | null | { thrown: unknown },
    what: string,
    ok: (v: T) => Record<string, unknown>,
  ): { result: Record<string, unknown> } | { code: string; message: string } | null {
    if (got === null) return null;
    if (got === "timeout") return { code: "timeout", message: `timed out waiting for ${what}` };
    if (typeof got === "object" && got !== null && "thrown" in got) {
      if (got.thrown instanceof FakeError) return { code: got.thrown.code, message: got.thrown.message };
      throw got.thrown;
    }
    return { result: ok(got as T) };
  }

  async #agentWait(c: Connection, p: Record<string, unknown>) {
    const pane = this.model.agent(p.target as string);
    const until = new Set((p.until as string[] | undefined) ?? ["idle", "done", "blocked"]);
    const got = await this.#until(c, (p.timeout_ms as number | null) ?? null, () => {
      if (!this.model.allPanes().includes(pane)) {
        throw new FakeError("agent_not_running", "the agent's pane is gone");
      }
      return until.has(this.model.status(pane)) ? this.model.agentInfo(pane) : null;
    });
    return this.#outcome(got, "the agent", (agent) => ({ type: "agent_info", agent }));
  }

  async #eventsWait(c: Connection, p: Record<string, unknown>) {
    const match = p.match_event as Record<string, unknown>;
    const from = this.model.seq;
    const got = await this.#until(c, (p.timeout_ms as number | null) ?? null, () => {
      return this.model.ring.find((e) => e.seq > from && eventMatches(e, match)) ?? null;
    });
    return this.#outcome(
      got,
      "the event",
      (e) => ({ type: "wait_matched", event: { event: e.event, data: e.data } }),
    );
  }

  async #waitForOutput(c: Connection, p: Record<string, unknown>) {
    const pane = this.model.pane(p.pane_id as string);
    const test = matcher(p.match as { type: string; value: string });
    const got = await this.#until(c, (p.timeout_ms as number | null) ?? null, async () => {
      if (!this.model.allPanes().includes(pane)) throw new FakeError("pane_not_found", "the pane is gone");
      const read = await this.model.read(pane, {
        source: p.source as "recent",
        lines: p.lines as number | null,
        strip_ansi: p.strip_ansi as boolean | undefined,
      });
      const line = (read.text as string).split("\n").findLast(test);
      return line === undefined ? null : { line, read };
    });
    return this.#outcome(got, "output", (g) => ({
      type: "output_matched",
      pane_id: this.model.paneId(pane),
      revision: 0,
      matched_line: g.line,
      read: g.read,
    }));
  }

  async #subscribe(c: Connection, id: string, params: Record<string, unknown>): Promise<void> {
    const entries = params.subscriptions as Record<string, unknown>[];
    const lifecycle = new Set<string>();
    const status: { pane: Pane; filter: string | null }[] = [];
    const outputs: {
      pane: Pane;
      p: Record<string, unknown>;
      test: (l: string) => boolean;
      matched: boolean;
    }[] = [];
    try {
      for (const e of entries) {
        const type = e.type as string;
        if (type === "pane.agent_status_changed") {
          status.push({
            pane: this.model.pane(e.pane_id as string),
            filter: (e.agent_status as string | null) ?? null,
          });
        } else if (type === "pane.output_matched") {
          outputs.push({
            pane: this.model.pane(e.pane_id as string),
            p: e,
            test: matcher(e.match as { type: string; value: string }),
            matched: false,
          });
        } else if (type === "pane.scroll_changed") {
          this.model.pane(e.pane_id as string);
        } else lifecycle.add(type.replace(".", "_"));
      }
    } catch (err) {
      if (!(err instanceof FakeError)) throw err;
      await this.#error(c, id, err.code, err.message);
      return this.#close(c);
    }
    c.subscription = true;
    await this.#reply(c, id, { type: "subscription_started" });
    const event = (e: RingEvent) => {
      if (lifecycle.has(e.event)) void this.#send(c, { event: e.event, data: e.data }, "event");
    };
    if (this.model.flavor.replay) { for (const e of this.model.ring) event(e); }
    const statusData = (pane: Pane, s: string) => ({
      pane_id: this.model.paneId(pane),
      workspace_id: pane.tab.workspace.id,
      agent_status: s,
      agent: this.model.agentOf(pane),
    });
    for (const s of status) {
      if (s.filter !== null && this.model.status(s.pane) === s.filter) {
        void this.#send(
          c,
          { event: "pane.agent_status_changed", data: statusData(s.pane, s.filter) },
          "subscription_event",
        );
      }
    }
    const offEvent = this.model.onEvent(event);
    const offStatus = this.model.onStatus((pane, now) => {
      for (const s of status) {
        if (s.pane === pane && (s.filter === null || s.filter === now)) {
          void this.#send(
            c,
            { event: "pane.agent_status_changed", data: statusData(pane, now) },
            "subscription_event",
          );
        }
      }
    });
    const checkOutputs = async () => {
      for (const o of outputs) {
        if (c.closed || !this.model.allPanes().includes(o.pane)) continue;
        const read = await this.model.read(o.pane, {
          source: o.p.source as "recent",
          lines: o.p.lines as number | null,
          strip_ansi: o.p.strip_ansi as boolean | undefined,
        }).catch(() => null);
        if (!read) continue;
        const line = (read.text as string).split("\n").findLast(o.test);
        if (line !== undefined && !o.matched) {
          await this.#send(c, {
            event: "pane.output_matched",
            data: { pane_id: this.model.paneId(o.pane), matched_line: line, read },
          }, "subscription_event");
        }
        o.matched = line !== undefined;
      }
    };
    const interval = outputs.length ? setInterval(() => void checkOutputs(), this.#pollMs) : undefined;
    await new Promise<void>((resolve) => {
      if (c.peerGone.signal.aborted) resolve();
      else c.peerGone.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    offEvent();
    offStatus();
    clearInterval(interval);
  }

  // ---- detection

  async #pollLoop(): Promise<void> {
    while (this.#running) {
      try {
        await this.model.poll();
      } catch {
        // tmux hiccup or shutting down: try again next pass
      }
      for (const w of this.#tickWaiters.splice(0)) w();
      await new Promise((r) => setTimeout(r, this.#pollMs));
    }
  }
}

/**
 * Runs `fn` with a fresh fake and always stops it. A failure of `fn` is rethrown with any stop
 * failure (e.g. schema violations) appended, so neither hides the other.
 */
export async function withFakeHerdr<T>(
  options: FakeHerdrOptions,
  fn: (fake: FakeHerdr) => Promise<T>,
): Promise<T> {
  const fake = await FakeHerdr.start(options);
  let result: T;
  try {
    result = await fn(fake);
  } catch (err) {
    await fake.stop().catch((stopErr: Error) => {
      if (err instanceof Error) err.message += `\n(and when the fake stopped: ${stopErr.message})`;
    });
    throw err;
  }
  await fake.stop();
  return result;
}

function matcher(match: { type: string; value: string }): (line: string) => boolean {
  if (match.type === "regex") {
    let re: RegExp;
    try {
      re = new RegExp(match.value);
    } catch {
      throw new FakeError("invalid_regex", `invalid regex ${match.value}`);
    }
    return (line) => re.test(line);
  }
  return (line) => line.includes(match.value);
}

/** Does a ring event satisfy an `events.wait` match? Every given filter must equal the event's. */
function eventMatches(e: RingEvent, match: Record<string, unknown>): boolean {
  if (e.event !== match.event) return false;
  const data = e.data as Record<string, Record<string, unknown> & { [k: string]: unknown }>;
  for (const [key, want] of Object.entries(match)) {
    if (key === "event" || want === null || want === undefined) continue;
    const have = data[key] ?? data.pane?.[key] ?? data.tab?.[key] ?? data.workspace?.[key];
    if (have !== want) return false;
  }
  return true;
}

if (import.meta.main) {
  const args = Deno.args;
  const get = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const fake = await FakeHerdr.start({
    socketPath: get("--socket"),
    flavor: (get("--flavor") ?? "0.8") as FakeFlavor,
  });
  const hang = get("--hang");
  if (hang) fake.hang(hang);
  console.log(JSON.stringify({
    socket: fake.socketPath,
    flavor: fake.flavor,
    pid: Deno.pid,
    tmux: fake.tmuxSocket,
    scratch: fake.scratchDirs,
  }));
  const stop = async () => {
    await fake.stop().catch((err) => console.error(err.message));
    Deno.exit(0);
  };
  fake.onServerStop = stop;
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
