/**
 * The herdr client's own rules, against fixed inputs and a scripted raw socket server: id grammar,
 * socket discovery order, key vocabularies, flavor detection, quoting, framing, id correlation,
 * timeouts, the frame cap, error mapping, and subscription decoding in both naming styles.
 */
import assert from "node:assert/strict";
import { isCodexctlError } from "./support/errors.ts";
import { join } from "node:path";
import type { CodexctlError } from "../src/errors.ts";
import { HerdrClient } from "../src/herdr/client.ts";
import { decodeIdNumber, encodeIdNumber, isLegacyPaneId, paneIdStyle } from "../src/herdr/ids.ts";
import { checkKeys, isValidKey } from "../src/herdr/keys.ts";
import { flavorOf, serverInfo } from "../src/herdr/server_info.ts";
import { quoteArgv } from "../src/herdr/shell_quote.ts";
import { discoverSocket } from "../src/herdr/socket_path.ts";
import { decodeEvent } from "../src/herdr/subscription.ts";

function env(vars: Record<string, string>) {
  return { get: (k: string) => vars[k] };
}

/** A raw Unix-socket server that hands each connection to `handle`. */
async function rawServer(handle: (conn: Deno.Conn, line: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-raw-" });
  const path = join(dir, "herdr.sock");
  const listener = Deno.listen({ transport: "unix", path });
  const conns = new Set<Deno.Conn>();
  const served: Promise<void>[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      served.push((async () => {
        const buf = new Uint8Array(65536);
        let text = "";
        while (!text.includes("\n")) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) return;
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
        await handle(conn, text.slice(0, text.indexOf("\n"))).catch(() => {});
      })());
    }
  })().catch(() => {});
  return {
    path,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await Promise.all(served);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const write = (conn: Deno.Conn, value: unknown) =>
  conn.write(new TextEncoder().encode(JSON.stringify(value) + "\n"));

Deno.test("ids: herdr's bijective base-32 digits run p9 → pA … pZ → p0 → p11", () => {
  assert.equal(encodeIdNumber(9), "9");
  assert.equal(encodeIdNumber(10), "A");
  assert.equal(encodeIdNumber(31), "Z");
  assert.equal(encodeIdNumber(32), "0");
  assert.equal(encodeIdNumber(33), "11");
  for (const n of [1, 9, 10, 31, 32, 33, 1024, 99_999]) assert.equal(decodeIdNumber(encodeIdNumber(n)), n);
  assert.equal(decodeIdNumber("I"), null, "I is not a herdr digit");
  assert.throws(() => encodeIdNumber(0));
});

Deno.test("ids: current, positional and raw pane ids are told apart (pA is a current id)", () => {
  assert.equal(paneIdStyle("w1:p1"), "current");
  assert.equal(paneIdStyle("w1:pA"), "current");
  assert.equal(paneIdStyle("w654fdb7:p12"), "current");
  assert.equal(paneIdStyle("1-2"), "positional");
  assert.equal(paneIdStyle("wa101f3-3"), "positional");
  assert.equal(paneIdStyle("p_5"), "raw");
  assert.equal(paneIdStyle("p_1_5"), "raw");
  assert.equal(paneIdStyle("term_abc"), "opaque");
  assert.ok(isLegacyPaneId("p_5"));
  assert.ok(!isLegacyPaneId("w1:pA"));
});

Deno.test("socket discovery: the plugin's order, first existing wins, else the first candidate", () => {
  const all = env({
    HERDR_SOCKET_PATH: "/s/explicit.sock",
    HERDR_SESSION: "work",
    XDG_RUNTIME_DIR: "/run/user/1",
    XDG_CONFIG_HOME: "/cfg",
    HOME: "/home/u",
  });
  const found = discoverSocket(all, { exists: () => false });
  assert.deepEqual(found.candidates.map((c) => c.path), [
    "/s/explicit.sock",
    "/cfg/herdr/sessions/work/herdr.sock",
    "/run/user/1/herdr.sock",
    "/cfg/herdr/herdr.sock",
    "/home/u/.config/herdr/herdr.sock",
    "/tmp/herdr.sock",
  ]);
  assert.equal(found.path, "/s/explicit.sock");
  assert.equal(found.found, false);
  const runtime = discoverSocket(all, {
    exists: (p) => p === "/run/user/1/herdr.sock" || p === "/tmp/herdr.sock",
  });
  assert.equal(runtime.path, "/run/user/1/herdr.sock");
  assert.equal(runtime.source, "XDG_RUNTIME_DIR");
  assert.equal(runtime.found, true);
  const bare = discoverSocket(env({ HOME: "/home/u", XDG_RUNTIME_DIR: "relative/dir" }), {
    exists: () => false,
  });
  assert.deepEqual(bare.candidates.map((c) => c.source), ["HOME", "TMP"], "relative directories are ignored");
  assert.equal(bare.path, "/home/u/.config/herdr/herdr.sock");
  const sneaky = discoverSocket(env({ HOME: "/h", HERDR_SESSION: "../../etc" }), { exists: () => false });
  assert.ok(!sneaky.candidates.some((c) => c.source === "HERDR_SESSION"), "a session name cannot escape");
});

Deno.test("keys: ≥0.7 takes names, modifiers and punctuation; 0.6 only its eight names, C-c and characters", () => {
  for (
    const k of ["Enter", "enter", "Esc", "shift+tab", "ctrl+c", "C-c", "alt+x", "f5", "semicolon", "x", "Y"]
  ) {
    assert.ok(isValidKey(k, "current"), k);
  }
  for (const k of ["Home", "PageUp", "bogus+x", "f99", ""]) assert.ok(!isValidKey(k, "current"), k);
  for (const k of ["Enter", "Tab", "Esc", "Backspace", "Up", "Down", "Left", "Right", "C-c", "ctrl+c", "y"]) {
    assert.ok(isValidKey(k, "legacy"), k);
  }
  for (const k of ["Escape", "Return", "Space", "F1", "Home", "Alt+x", "shift+tab", "enter"]) {
    assert.ok(!isValidKey(k, "legacy"), k);
  }
  assert.throws(() => checkKeys(["Enter", "Home"], "current"), isCodexctlError("BAD_KEY", 2));
});

Deno.test("flavor: below 0.7 is legacy by version; an unparseable version falls back to the protocol number", () => {
  assert.equal(flavorOf("0.6.0", 10), "legacy");
  assert.equal(flavorOf("0.5.12", 7), "legacy");
  assert.equal(flavorOf("0.7.0", 14), "current");
  assert.equal(flavorOf("0.9.1", 22), "current");
  assert.equal(flavorOf("1.2.0", 40), "current");
  assert.equal(flavorOf("dev", 13), "legacy");
  assert.equal(flavorOf("dev", 20), "current");
  assert.equal(serverInfo({ type: "pong", version: "0.8.2", protocol: 20 }).tested, true);
  assert.equal(serverInfo({ type: "pong", version: "0.9.1", protocol: 22 }).tested, true);
  assert.equal(serverInfo({ type: "pong", version: "0.8.0", protocol: 19 }).tested, false);
});

Deno.test("quoting: an argv typed into a shell reads back unchanged; control characters are refused", async () => {
  const argv = ["printf", "%s|", "it's", "two words", "$HOME", "`x`", "a\\b", ""];
  const line = quoteArgv(argv);
  const out = await new Deno.Command("sh", { args: ["-c", line] }).output();
  assert.equal(new TextDecoder().decode(out.stdout), "it's|two words|$HOME|`x`|a\\b||");
  assert.throws(() => quoteArgv(["echo", "a\nb"]), isCodexctlError("BAD_COMMAND", 2));
  assert.throws(() => quoteArgv([]), isCodexctlError("BAD_COMMAND", 2));
});

Deno.test("wire: one request per connection, id echoed, params present, nothing written after the request", async () => {
  const seen: unknown[] = [];
  const server = await rawServer(async (conn, line) => {
    const req = JSON.parse(line);
    seen.push(req);
    await write(conn, { id: req.id, result: { type: "pong", version: "0.8.2", protocol: 20 } });
    conn.close();
  });
  try {
    const client = new HerdrClient({ socketPath: server.path });
    const pong = await client.ping();
    assert.equal(pong.protocol, 20);
    await client.ping();
    assert.equal(seen.length, 2);
    const [a, b] = seen as { id: string; method: string; params: unknown }[];
    assert.match(a.id, /^req_[0-9a-f]+$/);
    assert.notEqual(a.id, b.id);
    assert.equal(a.method, "ping");
    assert.deepEqual(a.params, {});
  } finally {
    await server.close();
  }
});

Deno.test("wire: a reply to another id, non-JSON, or a wrong result type is HERDR_BAD_REPLY (exit 3)", async () => {
  let mode = "";
  const server = await rawServer(async (conn, line) => {
    const req = JSON.parse(line);
    if (mode === "id") {
      await write(conn, { id: "someone-else", result: { type: "pong", version: "1", protocol: 20 } });
    }
    if (mode === "json") await conn.write(new TextEncoder().encode("not json\n"));
    if (mode === "type") await write(conn, { id: req.id, result: { type: "ok" } });
    if (mode === "shape") {
      await write(conn, { id: req.id, result: { type: "pong", version: 8, protocol: "x" } });
    }
    conn.close();
  });
  try {
    const client = new HerdrClient({ socketPath: server.path });
    for (mode of ["id", "json", "type", "shape"]) {
      await assert.rejects(client.ping(), isCodexctlError("HERDR_BAD_REPLY", 3), mode);
    }
  } finally {
    await server.close();
  }
});

Deno.test('wire: an unparseable request\'s error (id "") is accepted; herdr codes map to exit codes', async () => {
  let reply: (id: string) => unknown = () => null;
  const server = await rawServer(async (conn, line) => {
    await write(conn, reply(JSON.parse(line).id));
    conn.close();
  });
  try {
    const client = new HerdrClient({ socketPath: server.path });
    reply = (id) => ({ id, error: { code: "pane_not_found", message: "pane w1:p9 not found" } });
    await assert.rejects(client.paneGet("w1:p9"), isCodexctlError("PANE_NOT_FOUND", 4));
    reply = (id) => ({ id, error: { code: "agent_not_found", message: "no such agent" } });
    await assert.rejects(client.agentGet("x"), isCodexctlError("AGENT_NOT_FOUND", 4));
    reply = () => ({
      id: "",
      error: { code: "invalid_request", message: "unknown variant `x`, expected one of `ping`" },
    });
    await assert.rejects(client.ping(), isCodexctlError("HERDR_UNSUPPORTED_METHOD", 3));
    reply = (id) => ({ id, error: { code: "invalid_key", message: "invalid key: Home" } });
    await assert.rejects(client.paneSendKeys("w1:p1", ["Home"]), (err) => {
      isCodexctlError("HERDR_INVALID_KEY", 3)(err);
      assert.equal((err as { herdrCode: string }).herdrCode, "invalid_key");
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("wire: no socket, a silent server and a dropped connection are HERDR_DOWN (exit 3), within the timeout", async () => {
  const missing = new HerdrClient({ socketPath: "/nonexistent/dir/herdr.sock" });
  await assert.rejects(missing.ping(), (err) => {
    isCodexctlError("HERDR_DOWN", 3)(err);
    assert.match((err as Error).message, /\/nonexistent\/dir\/herdr\.sock/);
    assert.ok((err as CodexctlError).retryable);
    return true;
  });
  let mode = "silent";
  const server = await rawServer(async (conn) => {
    if (mode === "drop") conn.close();
    else await conn.read(new Uint8Array(1)).catch(() => null); // silent until the client gives up
  });
  try {
    const client = new HerdrClient({ socketPath: server.path, timeoutMs: 400 });
    const started = Date.now();
    await assert.rejects(client.ping(), (err) => {
      isCodexctlError("HERDR_DOWN", 3)(err);
      assert.match((err as Error).message, /did not answer ping within 400 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 4_000, "the timeout bounds the wait");
    mode = "drop";
    await assert.rejects(client.ping(), isCodexctlError("HERDR_DOWN", 3));
  } finally {
    await server.close();
  }
});

Deno.test("wire: a reply line above the frame cap is refused, not buffered", async () => {
  const server = await rawServer(async (conn, line) => {
    const id = JSON.parse(line).id;
    await write(conn, { id, result: { type: "pong", version: "x".repeat(10_000), protocol: 20 } });
    conn.close();
  });
  try {
    const client = new HerdrClient({ socketPath: server.path, maxFrameBytes: 4096 });
    await assert.rejects(client.ping(), (err) => {
      isCodexctlError("HERDR_BAD_REPLY", 3)(err);
      assert.match((err as Error).message, /4096-byte frame cap/);
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("events: snake_case lifecycle and dotted per-pane events decode to one shape", () => {
  const closed = decodeEvent({
    event: "pane_closed",
    data: { type: "pane_closed", pane_id: "w1:p2", workspace_id: "w1" },
  });
  assert.equal(closed?.name, "pane_closed");
  assert.equal(closed?.pane_id, "w1:p2");
  const created = decodeEvent({
    event: "pane_created",
    data: { type: "pane_created", pane: { pane_id: "w1:pA" } },
  });
  assert.equal(created?.pane_id, "w1:pA");
  const status = decodeEvent({
    event: "pane.agent_status_changed",
    data: { pane_id: "w1:p1", workspace_id: "w1", agent_status: "blocked", agent: "codex" },
  });
  assert.equal(status?.name, "pane_agent_status_changed");
  assert.equal(status?.wireName, "pane.agent_status_changed");
  assert.equal(status?.agent_status, "blocked");
  assert.equal(
    decodeEvent({ event: "pane.agent_status_changed", data: { agent_status: "busy" } })?.agent_status,
    null,
  );
  assert.equal(decodeEvent({ id: "x", result: {} }), null);
});

Deno.test("subscription: ack first, events after; a read timeout loses nothing; the client never writes or half-closes", async () => {
  let afterRequest = "";
  const server = await rawServer(async (conn, line) => {
    const req = JSON.parse(line);
    assert.equal(req.method, "events.subscribe");
    await write(conn, { id: req.id, result: { type: "subscription_started" } });
    await new Promise((r) => setTimeout(r, 300));
    await write(conn, { event: "pane_created", data: { type: "pane_created", pane: { pane_id: "w1:p2" } } });
    await write(conn, {
      event: "pane.agent_status_changed",
      data: { pane_id: "w1:p1", workspace_id: "w1", agent_status: "working" },
    });
    // anything the client sends now (a byte, or EOF from a half-close) would end herdr's subscription
    afterRequest = await Promise.race([
      conn.read(new Uint8Array(16)).then((n) => (n === null ? "eof" : "data"), () => "error"),
      new Promise<string>((r) => setTimeout(() => r("nothing"), 600)),
    ]);
    conn.close();
  });
  try {
    const client = new HerdrClient({ socketPath: server.path });
    const sub = await client.subscribe([{ type: "pane.created" }]);
    assert.equal((await sub.next(50)).type, "timeout", "nothing yet");
    const first = await sub.next(5_000);
    assert.equal(first.type === "event" && first.event.name, "pane_created");
    const second = await sub.next(5_000);
    assert.equal(second.type === "event" && second.event.agent_status, "working");
    const end = await sub.next(5_000);
    assert.equal(end.type, "closed");
    assert.equal((await sub.next(10)).type, "closed", "stays closed");
    assert.equal(afterRequest, "nothing", "the client wrote nothing and kept its write side open");
    sub.close();
  } finally {
    await server.close();
  }
});
