/**
 * Stand-ins for the Codex daemon's control socket, for the failure cases a real daemon cannot be
 * made to produce on demand: a scripted WebSocket server on a temporary Unix socket (garbage frames,
 * silence, closing mid-call, unknown methods, server requests), a socket nobody listens on (refused),
 * an HTTP server that refuses the upgrade, and a raw socket that answers bytes that are not HTTP.
 *
 * @module
 */
import { join } from "node:path";

const created: string[] = [];

// The scratch directories live until the test process ends (tests may still hold their sockets).
globalThis.addEventListener("unload", () => {
  for (const dir of created.splice(0)) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  }
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  created.push(dir);
  return dir;
}

/** What a scripted fake does with one client message. */
export type FakeHandler = (
  message: Record<string, unknown>,
  peer: { send(data: string | Uint8Array): void; close(code?: number): void },
) => void;

/** A fake daemon listening on a Unix socket. */
export interface FakeDaemon {
  /** The socket path. */
  path: string;
  /** Every client message received, parsed. */
  received: Record<string, unknown>[];
  /** Sends a frame to every connected client. */
  broadcast(data: string): void;
  close(): Promise<void>;
}

/** A handler that answers `initialize` like Codex 0.169 does and ignores the rest. */
export function initializeOnly(userAgent = "codex-tui/0.169.0 (fake)"): FakeHandler {
  return (m, peer) => {
    if (m.method === "initialize") {
      peer.send(JSON.stringify({
        id: m.id,
        result: { userAgent, codexHome: "/fake", platformFamily: "unix", platformOs: "linux" },
      }));
    }
  };
}

/** The thread id the scripted fakes know. */
export const FAKE_THREAD = "01a1feeb-2f02-7e61-bb70-b597135eab2b";

/** A handler whose daemon has one loaded thread ({@linkcode FAKE_THREAD}) waiting on a command approval, like Codex 0.169 (recorded shape). */
export function approvalDaemon(opts: { resolveAfterResume?: boolean } = {}): FakeHandler {
  return (m, peer) => {
    initializeOnly()(m, peer);
    if (m.method === "thread/loaded/list") {
      peer.send(JSON.stringify({ id: m.id, result: { data: [FAKE_THREAD], nextCursor: null } }));
    }
    if (m.method === "thread/resume") {
      peer.send(JSON.stringify({
        method: "item/commandExecution/requestApproval",
        id: 0,
        params: {
          kind: "command",
          threadId: FAKE_THREAD,
          turnId: "turn-1",
          itemId: "call_1",
          startedAtMs: 1795278218510,
          environmentId: "local",
          reason: "The mock model needs to write outside the sandbox",
          command: "/bin/bash -lc 'touch x.txt'",
          cwd: "/tmp/repo",
          commandActions: [{ type: "unknown", command: "touch x.txt" }],
          proposedExecpolicyAmendment: ["touch", "x.txt"],
          availableDecisions: [
            "accept",
            { acceptWithExecpolicyAmendment: { execpolicy_amendment: ["touch", "x.txt"] } },
            "cancel",
          ],
        },
      }));
      peer.send(JSON.stringify({
        id: m.id,
        result: {
          thread: {
            id: FAKE_THREAD,
            status: { type: "active", activeFlags: ["waitingOnApproval"] },
            path: "/tmp/home/sessions/rollout.jsonl",
            cwd: "/tmp/repo",
            model: "mock-model",
            modelProvider: "mock",
            cliVersion: "0.169.0",
            turns: [],
          },
          approvalPolicy: "on-request",
        },
      }));
      if (opts.resolveAfterResume) {
        setTimeout(() =>
          peer.send(JSON.stringify({
            method: "serverRequest/resolved",
            params: { threadId: FAKE_THREAD, requestId: 0 },
          })), 50);
      }
    }
    if (m.id === 0 && "result" in m) {
      peer.send(
        JSON.stringify({ method: "serverRequest/resolved", params: { threadId: FAKE_THREAD, requestId: 0 } }),
      );
    }
  };
}

/** Starts a WebSocket server on `path` (a fresh temporary one when omitted). */
export async function startFakeDaemon(handler: FakeHandler, path?: string): Promise<FakeDaemon> {
  const socketPath = path ?? join(await tempDir("codexctl-fake-"), "d.sock");
  const received: Record<string, unknown>[] = [];
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ path: socketPath, onListen() {} }, (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("not a websocket request", { status: 400 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    sockets.add(socket);
    socket.onclose = () => sockets.delete(socket);
    socket.onerror = () => {};
    socket.onmessage = (e) => {
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(String(e.data));
      } catch {
        return;
      }
      received.push(m);
      handler(m, {
        send: (data) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(data);
        },
        close: (code) => socket.close(code ?? 1000),
      });
    };
    return response;
  });
  return {
    path: socketPath,
    received,
    broadcast(data) {
      for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(data);
    },
    async close() {
      for (const s of sockets) {
        try {
          s.close();
        } catch { /* closed */ }
      }
      await server.shutdown();
    },
  };
}

/** An HTTP server on a Unix socket that answers every request with `status` and never upgrades. */
export async function startHttpOnly(status = 404): Promise<{ path: string; close(): Promise<void> }> {
  const path = join(await tempDir("codexctl-fake-"), "h.sock");
  const server = Deno.serve({ path, onListen() {} }, () => new Response("nope", { status }));
  return { path, close: () => server.shutdown() };
}

/** A raw Unix socket server that writes `bytes` to each connection and closes it. */
export async function startRawGarbage(
  bytes = "\x00\xffthis is not HTTP\r\n\r\n",
): Promise<{ path: string; close(): Promise<void> }> {
  const path = join(await tempDir("codexctl-fake-"), "r.sock");
  const listener = Deno.listen({ path, transport: "unix" });
  const done = (async () => {
    for await (const conn of listener) {
      try {
        await conn.write(new TextEncoder().encode(bytes));
        // read what the client sent, then hang up
        await conn.read(new Uint8Array(4096)).catch(() => null);
      } catch { /* client gone */ }
      try {
        conn.close();
      } catch { /* closed */ }
    }
  })();
  return {
    path,
    async close() {
      listener.close();
      await done.catch(() => {});
    },
  };
}

/**
 * A socket file nobody listens on (connect → ECONNREFUSED): a child process binds it and is killed
 * with SIGKILL, which leaves the socket file behind, as a crashed daemon does.
 */
export async function makeRefusedSocket(path?: string): Promise<string> {
  const socketPath = path ?? join(await tempDir("codexctl-fake-"), "dead.sock");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ path: ${
        JSON.stringify(socketPath)
      }, transport: "unix" }); console.log("up"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  return socketPath;
}

/** A CODEX_HOME whose control socket path is a symlink to `socketPath` (as Codex lays it out). */
export async function fakeCodexHome(socketPath: string | null): Promise<string> {
  const home = await tempDir("codexctl-fakehome-");
  await Deno.mkdir(join(home, "app-server-control"), { recursive: true });
  if (socketPath) await Deno.symlink(socketPath, join(home, "app-server-control", "app-server-control.sock"));
  return home;
}
