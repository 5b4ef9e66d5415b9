/**
 * The daemon client against stand-in sockets: the handshake, timeouts, and every way a daemon can
 * be absent or broken (missing, refused, not WebSocket, garbage frames, silence, closing mid-call,
 * another version) — each a clear environment error, never a crash or a hang.
 */
import assert from "node:assert/strict";
import { DaemonClient } from "../src/codex/daemon/client.ts";
import { DaemonRpcError } from "../src/codex/daemon/errors.ts";
import {
  DaemonEvidenceSchema,
  DaemonUnavailableSchema,
  readDaemonEvidence,
} from "../src/codex/daemon/evidence.ts";
import { attachThread, pendingRequestsFor } from "../src/codex/daemon/operations.ts";
import { answerRequest } from "../src/substrate/daemon.ts";
import { replyOnThread } from "../src/driver/thread_reply.ts";
import { CodexctlError } from "../src/errors.ts";
import { DEFAULT_POLICY } from "../src/policy/config.ts";
import { Store } from "../src/store/store.ts";
import {
  approvalDaemon,
  FAKE_THREAD,
  fakeCodexHome,
  type FakeHandler,
  initializeOnly,
  makeRefusedSocket,
  startFakeDaemon,
  startHttpOnly,
  startRawGarbage,
} from "./support/fake_daemon.ts";

const THREAD = FAKE_THREAD;

async function expectDaemonError(promise: Promise<unknown>, codes: string[]): Promise<CodexctlError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CodexctlError, `expected a CodexctlError, got ${err}`);
    assert.equal(err.errorClass, "environment", err.message);
    assert.ok(
      codes.includes(err.code),
      `expected one of ${codes.join(", ")}, got ${err.code}: ${err.message}`,
    );
    assert.ok(err.suggestion, "every daemon error says what to do");
    return err;
  }
  assert.fail(`expected one of ${codes.join(", ")}, but it succeeded`);
}

Deno.test("daemon client: handshake over ws+unix, initialized sent, no jsonrpc field, version read", async () => {
  const fake = await startFakeDaemon(
    initializeOnly("codex-tui/0.169.0 (Debian 12; x86_64) tmux (codexctl; 0.1.0)"),
  );
  try {
    const client = await DaemonClient.connect(fake.path, { timeoutMs: 5000 });
    assert.equal(client.version, "0.169.0");
    assert.equal(client.isOpen, true);
    await client.close();
    await client.close(); // idempotent
    assert.equal(client.isOpen, false);
    assert.equal(fake.received[0].method, "initialize");
    const params = fake.received[0].params as { clientInfo: { name: string } };
    assert.equal(params.clientInfo.name, "codexctl");
    // the notification comes right after; allow it a moment to arrive
    const deadline = Date.now() + 5000;
    while (fake.received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fake.received[1].method, "initialized");
    assert.equal(fake.received[1].id, undefined);
    for (const m of fake.received) assert.equal("jsonrpc" in m, false);
  } finally {
    await fake.close();
  }
});

Deno.test("daemon absent: no socket file → environment/DAEMON_DOWN", async () => {
  const dir = await Deno.makeTempDir();
  await expectDaemonError(DaemonClient.connect(`${dir}/missing.sock`), ["DAEMON_DOWN"]);
  await Deno.remove(dir);
  const home = await fakeCodexHome("/nonexistent/dangling.sock"); // dangling symlink
  await expectDaemonError(
    DaemonClient.connect(`${home}/app-server-control/app-server-control.sock`),
    ["DAEMON_DOWN"],
  );
});

Deno.test("socket refused: a dead daemon's socket file → environment/DAEMON_REFUSED (retryable)", async () => {
  const path = await makeRefusedSocket();
  const err = await expectDaemonError(DaemonClient.connect(path, { timeoutMs: 5000 }), ["DAEMON_REFUSED"]);
  assert.equal(err.retryable, true);
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/plain`, "not a socket");
  await expectDaemonError(DaemonClient.connect(`${dir}/plain`), ["DAEMON_REFUSED"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("not WebSocket: an HTTP server that refuses the upgrade → environment/DAEMON_PROTOCOL", async () => {
  const http = await startHttpOnly(404);
  try {
    const err = await expectDaemonError(DaemonClient.connect(http.path, { timeoutMs: 5000 }), [
      "DAEMON_PROTOCOL",
    ]);
    assert.match(err.message, /HTTP 404/);
  } finally {
    await http.close();
  }
});

Deno.test("not HTTP at all: raw garbage bytes on the socket → a clear environment error", async () => {
  const raw = await startRawGarbage();
  try {
    await expectDaemonError(DaemonClient.connect(raw.path, { timeoutMs: 5000 }), [
      "DAEMON_PROTOCOL",
      "DAEMON_CLOSED",
    ]);
  } finally {
    await raw.close();
  }
});

Deno.test("garbage frames: non-JSON, binary or non-RPC frames → environment/DAEMON_PROTOCOL", async () => {
  const cases: [string, FakeHandler][] = [
    ["not JSON", (m, peer) => m.method === "initialize" && peer.send("{this is not json")],
    ["binary", (m, peer) => m.method === "initialize" && peer.send(new Uint8Array([1, 2, 3]))],
    ["not RPC", (m, peer) => m.method === "initialize" && peer.send(JSON.stringify([1, 2, 3]))],
    ["no id/method", (m, peer) => m.method === "initialize" && peer.send(JSON.stringify({ hello: "world" }))],
  ];
  for (const [name, handler] of cases) {
    const fake = await startFakeDaemon(handler);
    try {
      const err = await expectDaemonError(DaemonClient.connect(fake.path, { timeoutMs: 5000 }), [
        "DAEMON_PROTOCOL",
      ]);
      assert.match(err.message, /does not speak the Codex app-server protocol/, name);
    } finally {
      await fake.close();
    }
  }
});

Deno.test("garbage mid-session fails the calls in flight with DAEMON_PROTOCOL and closes", async () => {
  const fake = await startFakeDaemon((m, peer) => {
    initializeOnly()(m, peer);
    if (m.method === "thread/loaded/list") peer.send("\u0000garbage");
  });
  try {
    const client = await DaemonClient.connect(fake.path);
    await expectDaemonError(client.request("thread/loaded/list", {}), ["DAEMON_PROTOCOL"]);
    assert.equal(client.isOpen, false);
    await expectDaemonError(client.request("thread/loaded/list", {}), ["DAEMON_PROTOCOL"]);
    await client.close();
  } finally {
    await fake.close();
  }
});

Deno.test("a silent peer: the handshake and each request are bounded (DAEMON_TIMEOUT)", async () => {
  const silent = await startFakeDaemon(() => {});
  try {
    await expectDaemonError(DaemonClient.connect(silent.path, { timeoutMs: 400 }), ["DAEMON_TIMEOUT"]);
  } finally {
    await silent.close();
  }
  const partial = await startFakeDaemon((m, peer) => {
    initializeOnly()(m, peer);
    if (m.method === "thread/loaded/list") peer.send(JSON.stringify({ id: m.id, result: { data: [] } }));
  });
  try {
    const client = await DaemonClient.connect(partial.path);
    await expectDaemonError(client.request("thread/read", {}, { timeoutMs: 300 }), ["DAEMON_TIMEOUT"]);
    // a timed-out call does not poison the connection
    assert.deepEqual(await client.request("thread/loaded/list", {}), { data: [] });
    await client.close();
  } finally {
    await partial.close();
  }
});

Deno.test("the daemon closing mid-call (restart) → DAEMON_CLOSED, retryable", async () => {
  const fake = await startFakeDaemon((m, peer) => {
    initializeOnly()(m, peer);
    if (m.method === "thread/loaded/list") peer.close(1012);
  });
  try {
    const client = await DaemonClient.connect(fake.path);
    const err = await expectDaemonError(client.request("thread/loaded/list", {}), ["DAEMON_CLOSED"]);
    assert.equal(err.retryable, true);
    await client.close();
  } finally {
    await fake.close();
  }
});

Deno.test("another Codex version: an unknown method is DAEMON_INCOMPATIBLE naming the version", async () => {
  const fake = await startFakeDaemon((m, peer) => {
    initializeOnly("codex-tui/0.150.0 (old)")(m, peer);
    if (m.method === "thread/loaded/list") {
      peer.send(JSON.stringify({
        id: m.id,
        error: {
          code: -32600,
          message: "Invalid request: unknown variant `thread/loaded/list`, expected one of …",
        },
      }));
    }
    if (m.method === "thread/resume") {
      peer.send(
        JSON.stringify({ id: m.id, error: { code: -32600, message: "no rollout found for thread id x" } }),
      );
    }
  });
  try {
    const client = await DaemonClient.connect(fake.path);
    const err = await expectDaemonError(client.request("thread/loaded/list", {}), ["DAEMON_INCOMPATIBLE"]);
    assert.ok(err instanceof DaemonRpcError);
    assert.match(err.message, /0\.150\.0/);
    const other = await expectDaemonError(client.request("thread/resume", {}), ["DAEMON_ERROR"]);
    assert.match(other.message, /no rollout found/);
    await client.close();
  } finally {
    await fake.close();
  }
});

Deno.test("evidence from a daemon: status, flags and the pending approval in full", async () => {
  const fake = await startFakeDaemon(approvalDaemon());
  try {
    const home = await fakeCodexHome(fake.path);
    const reading = await readDaemonEvidence(home, THREAD, { timeoutMs: 10_000 });
    assert.equal(reading.available, true, JSON.stringify(reading));
    const evidence = DaemonEvidenceSchema.parse(reading);
    assert.equal(evidence.status, "active");
    assert.equal(evidence.waiting_on_approval, true);
    assert.equal(evidence.waiting_on_user_input, false);
    assert.equal(evidence.daemon_version, "0.169.0");
    assert.equal(evidence.thread?.rollout_path, "/tmp/home/sessions/rollout.jsonl");
    const request = evidence.request!;
    assert.equal(request.kind, "command_approval");
    if (request.kind !== "command_approval") return;
    assert.equal(request.command, "/bin/bash -lc 'touch x.txt'");
    assert.equal(request.command_text, "touch x.txt");
    assert.equal(request.cwd, "/tmp/repo");
    assert.equal(request.reason, "The mock model needs to write outside the sandbox");
    assert.equal(request.key, "call_1");
    assert.deepEqual(request.options.map((o) => o.key), ["1", "2", "3"]);
    assert.match(request.options[1].label, /don't ask again for commands that start with `touch x.txt`/);
    // a thread the daemon does not have loaded is reported, never resumed
    const other = await readDaemonEvidence(home, "01a1feeb-0000-7e61-bb70-b597135eab2b", {
      timeoutMs: 10_000,
    });
    assert.equal(other.available, true);
    if (other.available) assert.equal(other.status, "notLoaded");
    assert.equal(fake.received.filter((m) => m.method === "thread/resume").length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("evidence when the daemon is absent, refused or garbled: a structured unavailable record", async () => {
  const absent = await fakeCodexHome(null);
  const r1 = await readDaemonEvidence(absent, THREAD, { timeoutMs: 3000 });
  assert.equal(r1.available, false);
  DaemonUnavailableSchema.parse(r1);
  if (!r1.available) {
    assert.equal(r1.error.code, "DAEMON_DOWN");
    assert.equal(r1.reachable, false);
  }
  const refused = await fakeCodexHome(await makeRefusedSocket());
  const r2 = await readDaemonEvidence(refused, THREAD, { timeoutMs: 3000 });
  assert.equal(r2.available, false);
  if (!r2.available) assert.equal(r2.error.code, "DAEMON_REFUSED");
  const garbage = await startFakeDaemon((m, peer) => m.method === "initialize" && peer.send("garbage"));
  try {
    const r3 = await readDaemonEvidence(await fakeCodexHome(garbage.path), THREAD, { timeoutMs: 3000 });
    assert.equal(r3.available, false);
    if (!r3.available) assert.equal(r3.error.code, "DAEMON_PROTOCOL");
  } finally {
    await garbage.close();
  }
});

Deno.test("stale: a request resolved elsewhere (serverRequest/resolved seen) is never answered", async () => {
  const fake = await startFakeDaemon(approvalDaemon({ resolveAfterResume: true }));
  try {
    const client = await DaemonClient.connect(fake.path);
    const attached = await attachThread(client, THREAD);
    const [request] = pendingRequestsFor(client, THREAD);
    assert.equal(request?.key, "call_1");
    await client.waitFor(
      (m) => m.type === "notification" && m.method === "serverRequest/resolved",
      5000,
      "resolved",
    );
    assert.equal(client.serverRequestState(0), "resolved");
    assert.equal(pendingRequestsFor(client, attached.threadId).length, 0);
    try {
      await answerRequest(client, request, { decision: "accept" }, 1000);
      assert.fail("a stale request was answered");
    } catch (err) {
      assert.ok(err instanceof CodexctlError);
      assert.equal(err.code, "STALE_REQUEST");
      assert.equal(err.errorClass, "not_found");
    }
    assert.equal(client.respond(0, { decision: "accept" }), false);
    await client.close();
    assert.equal(fake.received.some((m) => m.id === 0 && "result" in m), false, "nothing was sent");
  } finally {
    await fake.close();
  }
});

Deno.test("answering a pending request sends it once and is confirmed by serverRequest/resolved", async () => {
  const fake = await startFakeDaemon(approvalDaemon());
  try {
    const client = await DaemonClient.connect(fake.path);
    await attachThread(client, THREAD);
    const [request] = pendingRequestsFor(client, THREAD);
    const outcome = await answerRequest(client, request, { decision: "accept" }, 5000);
    assert.equal(outcome.confirmed, true);
    assert.equal(client.serverRequestState(0), "resolved");
    await client.close();
    const answers = fake.received.filter((m) => m.id === 0 && "result" in m);
    assert.deepEqual(answers, [{ id: 0, result: { decision: "accept" } }]);
  } finally {
    await fake.close();
  }
});

Deno.test("a daemon restarting under a status read: the evidence reader retries once and succeeds", async () => {
  let connections = 0;
  const inner = approvalDaemon();
  const fake = await startFakeDaemon((m, peer) => {
    if (m.method === "initialize") connections++;
    if (m.method === "thread/loaded/list" && connections === 1) {
      peer.close(1012); // "service restart"
      return;
    }
    inner(m, peer);
  });
  try {
    const reading = await readDaemonEvidence(await fakeCodexHome(fake.path), THREAD, { timeoutMs: 10_000 });
    assert.equal(reading.available, true, JSON.stringify(reading));
    assert.equal(connections, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("reply when Codex says it waits but the request never arrives: REQUEST_NOT_DELIVERED, nothing sent", async () => {
  const fake = await startFakeDaemon((m, peer) => {
    initializeOnly()(m, peer);
    if (m.method === "thread/loaded/list") {
      peer.send(JSON.stringify({ id: m.id, result: { data: [THREAD] } }));
    }
    if (m.method === "thread/resume") {
      peer.send(JSON.stringify({
        id: m.id,
        result: { thread: { id: THREAD, status: { type: "active", activeFlags: ["waitingOnApproval"] } } },
      }));
    }
  });
  try {
    const client = await DaemonClient.connect(fake.path);
    try {
      await assert.rejects(
        () =>
          replyOnThread(client, THREAD, { kind: "approve" }, {
            timeoutMs: 1500,
            loadPolicy: () => Promise.resolve({ ...DEFAULT_POLICY }),
            store: new Store("/nonexistent/never-written"),
            by: "test",
          }),
        (e) => e instanceof CodexctlError && e.code === "REQUEST_NOT_DELIVERED" && e.retryable,
      );
    } finally {
      await client.close();
    }
  } finally {
    await fake.close();
  }
});
