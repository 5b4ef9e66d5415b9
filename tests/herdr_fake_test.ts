/**
 * The fake herdr's own protocol behaviour (what herdr does at the socket, so a client tested
 * against the fake meets the same rules), its fault switches and how the client reports each
 * fault, the schema self-test, and agent detection driven by a fake `codex` executable.
 */
import assert from "node:assert/strict";
import { isCodexctlError } from "./support/errors.ts";
import { join } from "node:path";
import { HerdrClient } from "../src/herdr/client.ts";
import { connectHerdr, type Herdr, refOf, type WaitOutcome } from "../src/herdr/herdr.ts";
import { FakeHerdr, type FakeHerdrOptions, withFakeHerdr } from "./support/fake_herdr.ts";
import {
  assertPassesThrough,
  connectChecked,
  eventually,
  recordStatuses,
  waitForShell,
  waitForText,
} from "./support/herdr_contract.ts";
import { REPO_ROOT } from "./support/paths.ts";

/** Sends raw bytes on a fresh connection; returns the lines received until the server closes (or `waitMs`). */
async function raw(
  path: string,
  bytes: string | Uint8Array,
  waitMs = 3_000,
): Promise<{ lines: string[]; closed: boolean }> {
  const conn = await Deno.connect({ transport: "unix", path });
  await conn.write(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  let text = "";
  let closed = false;
  const deadline = Date.now() + waitMs;
  const buf = new Uint8Array(1 << 20);
  while (Date.now() < deadline) {
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"wait">((r) => setTimeout(() => r("wait"), deadline - Date.now())),
    ]);
    if (n === "wait") break;
    if (n === null) {
      closed = true;
      break;
    }
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return { lines: text.split("\n").filter((l) => l !== ""), closed };
}

async function statusOf(wait: Promise<WaitOutcome>): Promise<string> {
  const outcome = await wait;
  return outcome.kind === "status" ? outcome.status : outcome.kind;
}

async function withFake(
  options: FakeHerdrOptions,
  fn: (fake: FakeHerdr, h: Herdr, cwd: string) => Promise<void>,
): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "codexctl-fake-" });
  try {
    await withFakeHerdr(
      options,
      async (fake) => fn(fake, await connectHerdr({ socketPath: fake.socketPath }), cwd),
    );
  } finally {
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

for (const flavor of ["0.8", "0.6"] as const) {
  Deno.test(`fake ${flavor}: the socket is 0600 and every pane gets herdr's variables`, async () => {
    await withFake({ flavor }, async (fake, h, cwd) => {
      assert.equal((await Deno.stat(fake.socketPath)).mode! & 0o777, 0o600);
      const ws = await h.client.workspaceCreate({
        cwd,
        env: { CODEXCTL_PROBE: "yes", HERDR_PANE_ID: "spoofed" },
      });
      const root = refOf(ws.root_pane);
      await waitForShell(h, root);
      await h.run(root, ["sh", "-c", "env | grep -E '^(HERDR_|CODEXCTL_PROBE)' | sort; echo env-done"]);
      const text = await waitForText(h, root, "\nenv-done");
      const vars = Object.fromEntries(
        text.split("\n").filter((l) => /^(HERDR_|CODEXCTL_PROBE)\w*=/.test(l)).map((l) =>
          l.split(/=(.*)/s).slice(0, 2)
        ),
      );
      assert.equal(vars.HERDR_ENV, "1");
      assert.equal(vars.HERDR_SOCKET_PATH, fake.socketPath);
      assert.equal(vars.HERDR_WORKSPACE_ID, ws.workspace.workspace_id);
      assert.equal(vars.HERDR_TAB_ID, ws.tab.tab_id);
      assert.equal(
        vars.HERDR_PANE_ID,
        flavor === "0.6" ? "p_1" : ws.root_pane.pane_id,
        "herdr's own ids win",
      );
      assert.ok(vars.HERDR_BIN_PATH);
      assert.equal(vars.CODEXCTL_PROBE, "yes", "the caller's env reaches the pane");
      const self = await h.client.paneGet(vars.HERDR_PANE_ID);
      assert.equal(
        self.terminal_id,
        root.terminal_id,
        "pane.get accepts the id a pane sees in HERDR_PANE_ID",
      );
    });
  });
}

Deno.test('fake: malformed JSON, a missing params, a numeric id are invalid_request with id ""', async () => {
  await withFake({}, async (fake) => {
    for (
      const bad of [
        '{"id":"1","method":"ping"',
        '{"id":"1","method":"ping"}',
        '{"id":1,"method":"ping","params":{}}',
      ]
    ) {
      const res = await raw(fake.socketPath, bad + "\n");
      assert.equal(res.lines.length, 1, bad);
      const reply = JSON.parse(res.lines[0]);
      assert.equal(reply.id, "");
      assert.equal(reply.error.code, "invalid_request");
      assert.ok(res.closed);
    }
    assert.equal(fake.rejected.length, 3);
  });
});

Deno.test("fake: an unknown method's error lists every valid method; the client calls it HERDR_UNSUPPORTED_METHOD", async () => {
  await withFake({}, async (fake) => {
    const res = await raw(
      fake.socketPath,
      JSON.stringify({ id: "x", method: "pane.teleport", params: {} }) + "\n",
    );
    const reply = JSON.parse(res.lines[0]);
    assert.equal(reply.error.code, "invalid_request");
    assert.match(
      reply.error.message,
      /unknown variant `pane\.teleport`, expected one of `ping`, `server\.stop`/,
    );
    for (const m of ["pane.send_input", "pane.release_agent", "events.subscribe", "events.wait"]) {
      assert.ok(reply.error.message.includes(`\`${m}\``), m);
    }
    const client = new HerdrClient({ socketPath: fake.socketPath });
    await assert.rejects(
      client.call("pane.teleport", {}, "ok"),
      isCodexctlError("HERDR_UNSUPPORTED_METHOD", 3),
    );
    const gap = await raw(
      fake.socketPath,
      JSON.stringify({ id: "w", method: "worktree.list", params: {} }) + "\n",
    );
    assert.equal(JSON.parse(gap.lines[0]).error.code, "not_implemented", "unmodelled methods fail loudly");
  });
});

Deno.test("fake: one request per connection — a pipelined second request is never answered", async () => {
  await withFake({}, async (fake) => {
    const two = [{ id: "a", method: "ping", params: {} }, { id: "b", method: "ping", params: {} }]
      .map((r) => JSON.stringify(r) + "\n").join("");
    const res = await raw(fake.socketPath, two);
    assert.equal(res.lines.length, 1);
    assert.equal(JSON.parse(res.lines[0]).id, "a");
    assert.ok(res.closed);
  });
});

Deno.test("fake: the request line must arrive in time and fit in 1 MiB, else the connection is dropped", async () => {
  await withFake({ firstLineTimeoutMs: 300 }, async (fake) => {
    const silent = await raw(fake.socketPath, "", 3_000);
    assert.deepEqual(silent, { lines: [], closed: true });
    const huge = await raw(fake.socketPath, "x".repeat(1024 * 1024 + 10), 3_000);
    assert.deepEqual(huge, { lines: [], closed: true });
  });
});

Deno.test("fake: a byte written on a subscription ends it (herdr treats it as a disconnect)", async () => {
  await withFake({}, async (fake) => {
    const conn = await Deno.connect({ transport: "unix", path: fake.socketPath });
    const req = {
      id: "s",
      method: "events.subscribe",
      params: { subscriptions: [{ type: "pane.created" }] },
    };
    await conn.write(new TextEncoder().encode(JSON.stringify(req) + "\n"));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    assert.match(new TextDecoder().decode(buf.subarray(0, n!)), /"subscription_started"/);
    await conn.write(new TextEncoder().encode("x"));
    const after = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"open">((r) => setTimeout(() => r("open"), 3_000)),
    ]);
    assert.equal(after, null, "the fake closed the subscription");
    conn.close();
  });
});

Deno.test("schema self-test: a deliberately wrong reply fails the client, the observer and the fake's own stop()", async () => {
  const fake = await FakeHerdr.start({});
  const cwd = await Deno.makeTempDir({ prefix: "codexctl-fake-" });
  try {
    const checked = await connectChecked({
      socketPath: fake.socketPath,
      serverLevel: "strict",
      replays: true,
      cwd,
    });
    const ws = await checked.herdr.client.workspaceCreate({ cwd });
    fake.corruptReplies((reply) => {
      const result = reply.result as { type?: string; pane?: Record<string, unknown> } | undefined;
      if (result?.type === "pane_info" && result.pane) result.pane.agent_status = "busy";
      return reply;
    });
    await assert.rejects(
      checked.herdr.client.paneGet(ws.root_pane.pane_id),
      isCodexctlError("HERDR_BAD_REPLY", 3),
    );
    assert.throws(() => checked.assertValid(), /agent_status/);
    assert.equal(fake.violations.length, 1);
    assert.match(fake.violations[0], /agent_status/);
  } finally {
    await assert.rejects(fake.stop(), /fake herdr sent 1 frame\(s\) that break herdr's schema/);
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
});

Deno.test("faults: a dropped request and a never-answered one are HERDR_DOWN (exit 3); clearing them heals", async () => {
  await withFake({}, async (fake) => {
    const client = new HerdrClient({ socketPath: fake.socketPath, timeoutMs: 500 });
    fake.dropNext("pane.list");
    await assert.rejects(client.paneList(), isCodexctlError("HERDR_DOWN", 3));
    assert.deepEqual(await client.paneList(), [], "only the next request was dropped");
    fake.hang("pane.list");
    const started = Date.now();
    await assert.rejects(client.paneList(), (err) => {
      isCodexctlError("HERDR_DOWN", 3)(err);
      assert.match((err as Error).message, /did not answer pane\.list within 500 ms/);
      return true;
    });
    assert.ok(Date.now() - started >= 450, "it waited for the timeout");
    fake.clearFaults();
    assert.deepEqual(await client.paneList(), []);
  });
});

Deno.test("faults: the fake crashing mid-request is HERDR_DOWN at once, long before the timeout", async () => {
  const fake = await FakeHerdr.start({});
  try {
    const client = new HerdrClient({ socketPath: fake.socketPath, timeoutMs: 30_000 });
    fake.hang("session.snapshot");
    const arrived = fake.waitForRequest("session.snapshot");
    const started = Date.now();
    const pending = client.snapshot();
    await arrived;
    await fake.crash();
    await assert.rejects(pending, isCodexctlError("HERDR_DOWN", 3));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    await assert.rejects(client.ping(), isCodexctlError("HERDR_DOWN", 3), "and nothing answers afterwards");
  } finally {
    await fake.stop();
  }
});

Deno.test("faults: killing the fake herdr process mid-request is HERDR_DOWN (exit 3) within the timeout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-fakeproc-" });
  const socket = join(dir, "herdr.sock");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(REPO_ROOT, "tests", "support", "fake_herdr.ts"),
      "--socket",
      socket,
      "--hang",
      "pane.list",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let tmuxSocket = "";
  let scratch: string[] = [];
  try {
    const first = await reader.read();
    const info = JSON.parse(first.value!.split("\n")[0]);
    tmuxSocket = info.tmux;
    scratch = info.scratch;
    const client = new HerdrClient({ socketPath: socket, timeoutMs: 20_000 });
    assert.equal((await client.ping()).protocol, 20);
    const started = Date.now();
    const pending = client.paneList();
    await new Promise((r) => setTimeout(r, 500)); // the request is in the fake's hands
    child.kill("SIGKILL");
    await assert.rejects(pending, isCodexctlError("HERDR_DOWN", 3));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already dead */ }
    await child.status;
    await reader.cancel().catch(() => {});
    if (tmuxSocket) await new Deno.Command("tmux", { args: ["-S", tmuxSocket, "kill-server"] }).output();
    for (const d of [dir, ...scratch]) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
});

Deno.test("faults: a status watch survives the server closing its subscription, and a crash is HERDR_DOWN", async () => {
  await withFake({}, async (fake, h, cwd) => {
    const root = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
    const watch = await h.watchStatus(root);
    try {
      assert.equal((await watch.next(5_000)).kind, "status");
      assert.equal(fake.closeSubscriptions(), 1);
      await h.reportAgent(root, { source: "custom:t", agent: "t", state: "working" });
      const next = await watch.next(10_000);
      assert.equal(next.kind === "status" && next.status, "working", "re-subscribed and saw the change");
      await fake.crash();
      await assert.rejects(watch.next(10_000), isCodexctlError("HERDR_DOWN", 3));
    } finally {
      watch.close();
    }
  });
});

Deno.test("fake: typed before the shell's prompt, output joins the prompt line; waitForShell keeps it apart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-slowsh-" });
  try {
    // a shell that starts only once the test says so
    const shell = join(dir, "held-sh");
    const go = join(dir, "go");
    await Deno.writeTextFile(
      shell,
      `#!/bin/sh\nwhile [ ! -e '${go}' ]; do sleep 0.05; done\nexec /bin/sh "$@"\n`,
      { mode: 0o755 },
    );
    await withFake({ shell }, async (_fake, h, cwd) => {
      const early = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
      await h.run(early, ["echo", "typed-early"]);
      await waitForText(h, early, "echo typed-early");
      await Deno.writeTextFile(go, "");
      const joined = await waitForText(h, early, "typed-early\n");
      assert.match(
        joined,
        /^[$#] typed-early$/m,
        "the tty echoed the line before the shell printed its prompt",
      );
      await Deno.remove(go);
      const later = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
      const ready = waitForShell(h, later);
      await new Promise((r) => setTimeout(r, 500)); // the shell is still held: waitForShell must wait
      await Deno.writeTextFile(go, "");
      await ready;
      await h.run(later, ["echo", "typed-late"]);
      assert.match(await waitForText(h, later, "typed-late\n"), /^typed-late$/m);
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("fake: a pane created while a detection pass lists tmux is not taken for one that exited", async () => {
  await withFake({}, async (fake, h, cwd) => {
    // Hold one `list-panes` answer (taken before the workspace exists) until the workspace is made.
    const engine = fake.model.engine;
    const list = engine.list.bind(engine);
    let listed!: () => void;
    const taken = new Promise<void>((r) => listed = r);
    let release!: () => void;
    const held = new Promise<void>((r) => release = r);
    let armed = true;
    engine.list = async () => {
      const panes = await list();
      if (!armed) return panes;
      armed = false;
      listed();
      await held;
      return panes;
    };
    const sub = await h.client.subscribe([{ type: "pane.exited" }, { type: "pane.closed" }]);
    try {
      await taken;
      const created = await h.client.workspaceCreate({ cwd });
      release();
      await fake.tick();
      await fake.tick();
      const root = refOf(created.root_pane);
      assert.equal(
        (await h.client.paneGet(root.pane_id)).terminal_id,
        root.terminal_id,
        "the new pane lives",
      );
      const read = await sub.next(300);
      assert.equal(
        read.type === "event" ? read.event.name : read.type,
        "timeout",
        "no pane_exited/pane_closed",
      );
    } finally {
      release();
      sub.close();
    }
  });
});

Deno.test("fake: a pane whose program exits is gone (pane_exited, pane_closed) and a watch on it ends", async () => {
  await withFake({}, async (_fake, h, cwd) => {
    const root = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
    const leaving = refOf(await h.client.paneSplit({ target_pane_id: root.pane_id, direction: "down" }));
    const sub = await h.client.subscribe([{ type: "pane.exited" }, { type: "pane.closed" }]);
    const watch = await h.watchStatus(leaving);
    try {
      await watch.next(1_000);
      await h.run(leaving, ["exit"]);
      assert.deepEqual(await watch.next(15_000), { kind: "gone" });
      const names: string[] = [];
      await eventually("pane_exited then pane_closed", async () => {
        const read = await sub.next(200);
        if (read.type === "event" && read.event.pane_id === leaving.pane_id) names.push(read.event.name);
        return names.length >= 2;
      });
      assert.deepEqual(names, ["pane_exited", "pane_closed"]);
    } finally {
      watch.close();
      sub.close();
    }
  });
});

Deno.test("fake: seenOnRead makes a read (not only focus) turn done into idle", async () => {
  await withFake({ seenOnRead: true }, async (_fake, h, cwd) => {
    const root = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
    const report = { source: "custom:t", agent: "t" };
    await h.reportAgent(root, { ...report, state: "working" });
    await h.reportAgent(root, { ...report, state: "idle" });
    assert.equal((await h.status(root)).status, "done");
    await h.read(root, { source: "visible" });
    assert.equal((await h.status(root)).status, "idle");
  });
});

/** A fake `codex`: ready prompt, then on Enter a working line, an approval dialog, and done. */
const FAKE_CODEX = `#!/bin/sh
printf '\\033[2J\\033[H› Ask Codex to do anything\\n'
read task
printf '\\033[2J\\033[H› %s\\n\\n• Working (0s • esc to interrupt)\\n' "$task"
sleep 2
printf '\\033[2J\\033[H  Would you like to run the following command?\\n\\n  $ touch x\\n\\n  Press enter to confirm or esc to cancel\\n'
read answer
printf '\\033[2J\\033[H• done\\n\\n› Ask Codex to do anything\\n'
while read line; do :; done
`;

Deno.test("fake: agent.start launches a codex by name; detection moves idle → working → blocked → done", async () => {
  await withFake({}, async (_fake, h, cwd) => {
    const bin = join(cwd, "bin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(join(bin, "codex"), FAKE_CODEX, { mode: 0o755 });
    const ws = await h.client.workspaceCreate({ cwd, env: { PATH: `${bin}:${Deno.env.get("PATH")}` } });
    const root = refOf(ws.root_pane);
    const started = await h.startAgent(root, { name: "fakex", kind: "codex" });
    assert.equal(started.launch_pending, true);
    assert.equal(started.name, "fakex");
    const ready = await eventually("interactive_ready", async () => {
      const a = await h.client.agentGet("fakex");
      return a.interactive_ready ? a : undefined;
    });
    assert.equal(ready.agent, "codex");
    assert.equal(ready.agent_status, "idle");
    assert.ok((await h.client.agentList()).some((a) => a.name === "fakex"));
    const seen = await recordStatuses(h, root, async () => {
      await h.sendInput(root, { text: "do it", keys: ["Enter"] });
      assert.equal(await statusOf(h.waitForStatus(root, ["blocked"], 20_000)), "blocked");
      assert.match((await h.client.agentRead("fakex", { source: "visible" })).text, /Would you like to run/);
      await h.sendKeys(root, ["Enter"]);
      assert.equal(await statusOf(h.waitForStatus(root, ["idle"], 20_000)), "done");
    });
    assertPassesThrough(seen, ["idle", "working", "blocked", "done"]);
    assert.ok(!seen.includes("unknown"), "the agent stayed detected");
    await assert.rejects(
      h.startAgent(root, { name: "fakex", kind: "codex" }),
      isCodexctlError("HERDR_AGENT_NAME_TAKEN", 3),
    );
  });
});

Deno.test("fake 0.6: codexctl does not send the protocol-20 agent.start to herdr ≤0.6 (HERDR_TOO_OLD, exit 3)", async () => {
  await withFake({ flavor: "0.6" }, async (fake, h, cwd) => {
    const root = refOf((await h.client.workspaceCreate({ cwd })).root_pane);
    await assert.rejects(
      h.startAgent(root, { name: "x", kind: "codex" }),
      isCodexctlError("HERDR_TOO_OLD", 3),
    );
    assert.ok(!fake.methods.includes("agent.start"));
  });
});
