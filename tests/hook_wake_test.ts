/**
 * The wake-up hook (`codexctl hook wake`, run by Claude Code with `asyncRewake` at every Stop) and
 * the Stop rules it works with, as subprocesses from source the way the launcher runs them, on
 * session records bound to recorded real Codex rollouts that are completed by appending the rest of
 * the recording (Codex writing). What a real Claude Code does with exit 2 is in
 * tests/claude_wake_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hookContext, type HookRig, hookRig, wakeWaiting } from "./support/hook_rig.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "./support/session_record.ts";

const OWNER = "7a1e0b5c-0000-4000-8000-00000000a4e0";

type Rig = HookRig;
const rig = () => hookRig(OWNER, "codexctl-wake-");

async function boundSession(
  r: Rig,
  session: string,
  scenario: string,
  slug: string | null = null,
): Promise<{ finish(): Promise<void> }> {
  const split = splitFixture("0.169.0", scenario, BEFORE_TURN_END);
  const rollout = join(r.dir, `${session}.rollout.jsonl`);
  await Deno.writeTextFile(rollout, split.head);
  await writeSession(r.root, { session, owner: OWNER, rollout_path: rollout, thread_id: split.thread, slug });
  return { finish: () => Deno.writeTextFile(rollout, split.rest, { append: true }) };
}

Deno.test("wake: Claude may stop while Codex works; the wake-up waits and wakes it once with the verdict line when Codex completes", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "marker", "cache");
    const stop = await r.hook("stop", { stop_hook_active: false });
    assert.equal(stop.code, 0);
    assert.equal(stop.stdout, "", "a session still working no longer blocks the Stop");
    const wake = r.hook("wake", { stop_hook_active: false });
    await wakeWaiting(r.root);
    await new Promise((res) => setTimeout(res, 300));
    const before = Date.now();
    await s.finish();
    const woke = await wake;
    const latency = Date.now() - before;
    assert.equal(woke.code, 2, woke.stderr);
    assert.equal(woke.stdout, "");
    assert.match(
      woke.stderr,
      /^codexctl: cdx-1a2b \(cache\) is completed \(marker_verified\)\. .*Details: codexctl status --session cdx-1a2b/,
    );
    assert.equal(woke.stderr.trim().split("\n").length, 1, "one line");
    assert.ok(latency < 5000, `woke ${latency} ms after Codex wrote`);
    // told once: no other path repeats it
    assert.equal((await r.hook("post-tool-use", { hook_event_name: "PostToolUse" })).stdout, "");
    assert.equal((await r.hook("stop", { stop_hook_active: false })).stdout, "");
    const again = await r.hook("wake", { stop_hook_active: true });
    assert.equal(again.code, 0, "nothing works any more: nothing to wait for");
    const log = await r.log();
    assert.ok(log.some((l) => l.hook === "wake" && Array.isArray(l.woke)));
    assert.ok(log.some((l) => l.hook === "wake" && l.left === "no owned session still works"));
  } finally {
    await r.cleanup();
  }
});

Deno.test("wake: a question wakes Claude with the reply command", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-2b3c", "question");
    const wake = r.hook("wake");
    await wakeWaiting(r.root);
    await s.finish();
    const woke = await wake;
    assert.equal(woke.code, 2);
    assert.match(
      woke.stderr,
      /^codexctl: cdx-2b3c is awaiting_clarification \(free_text_question\)\. Codex asks: .*Next: codexctl reply --session cdx-2b3c --text "<answer>"\n$/,
    );
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: blocks only for what needs Claude now and nobody told; then never again for it", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-3c4d", "question", "db");
    await s.finish();
    const first = await r.hook("stop", { stop_hook_active: false });
    assert.equal(first.json?.decision, "block");
    assert.match(String(first.json?.reason), /cdx-3c4d \(db\) is awaiting_clarification/);
    // told once: a later Stop, a tool call and the wake-up stay quiet about it
    assert.equal((await r.hook("stop", { stop_hook_active: false })).stdout, "");
    assert.equal((await r.hook("post-tool-use", { hook_event_name: "PostToolUse" })).stdout, "");
    const wake = await r.hook("wake");
    assert.equal(wake.code, 0);
    assert.equal(wake.stderr, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: a question already told after a tool call does not block (Claude may leave it to the user)", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-4d5e", "question");
    await s.finish();
    assert.match(
      hookContext(await r.hook("post-tool-use", { hook_event_name: "PostToolUse" })),
      /awaiting_clarification/,
    );
    assert.equal((await r.hook("stop", { stop_hook_active: false })).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: CODEXCTL_STOP_WORKING=block keeps the old once-per-state block for a working session; allow stops the wake-up too", async () => {
  const r = await rig();
  try {
    await boundSession(r, "cdx-5e6f", "marker");
    const blocked = await r.hook("stop", { stop_hook_active: false }, { CODEXCTL_STOP_WORKING: "block" });
    assert.equal(blocked.json?.decision, "block");
    assert.match(
      String(blocked.json?.reason),
      /cdx-5e6f is still working .* codexctl await --session cdx-5e6f/,
    );
    const t0 = Date.now();
    const allowed = await r.hook("wake", {}, { CODEXCTL_STOP_WORKING: "allow" });
    assert.equal(allowed.code, 0);
    assert.ok(Date.now() - t0 < 10_000, "allow: the wake-up does not wait");
  } finally {
    await r.cleanup();
  }
});

Deno.test("wake: the Stop hook of the same Stop blocks for one session; the wake-up steps aside at once", async () => {
  const r = await rig();
  try {
    const asks = await boundSession(r, "cdx-6f70", "question");
    await boundSession(r, "cdx-7081", "marker"); // still working
    await asks.finish();
    const input = JSON.stringify({
      session_id: OWNER,
      hook_event_name: "Stop",
      stop_hook_active: false,
      n: 1,
    });
    const stop = await r.hook("stop", input);
    assert.equal(stop.json?.decision, "block");
    const t0 = Date.now();
    const wake = await r.hook("wake", input);
    assert.equal(wake.code, 0, wake.stderr);
    assert.ok(Date.now() - t0 < 10_000, "it did not wait for the working session");
    assert.ok(
      (await r.log()).some((l) => l.hook === "wake" && /Stop hook of this Stop blocks/.test(String(l.left))),
    );
    // a later Stop (another event) that lets Claude stop arms a waiting wake-up again
    const later = r.hook("wake", { stop_hook_active: true, n: 2 });
    await wakeWaiting(r.root);
    assert.equal(
      await Promise.race([
        later.then(() => "ended"),
        new Promise((res) => setTimeout(() => res("waits"), 1500)),
      ]),
      "waits",
    );
    await r.hook("user-prompt-submit", { hook_event_name: "UserPromptSubmit", prompt: "go on" });
    const ended = await later;
    assert.equal(ended.code, 0, "UserPromptSubmit ends a waiting wake-up");
  } finally {
    await r.cleanup();
  }
});

Deno.test("wake: a newer wake-up takes over the lease; the older leaves quietly", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-8192", "marker");
    const older = r.hook("wake", { n: 1 });
    await wakeWaiting(r.root);
    const lease = JSON.parse(await Deno.readTextFile(join(r.root, "leases", `wake-o-${OWNER}.json`)));
    const newer = r.hook("wake", { n: 2 });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const now = JSON.parse(await Deno.readTextFile(join(r.root, "leases", `wake-o-${OWNER}.json`)));
      if (now.token !== lease.token) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const old = await older;
    assert.equal(old.code, 0);
    await s.finish();
    const woke = await newer;
    assert.equal(woke.code, 2);
    assert.match(woke.stderr, /cdx-8192 is completed/);
  } finally {
    await r.cleanup();
  }
});

Deno.test("wake: racing PostToolUse hooks and the wake-up for the same change — it is told exactly once", async () => {
  for (let round = 0; round < 3; round++) {
    const r = await rig();
    try {
      const s = await boundSession(r, "cdx-9a0b", "marker");
      const wake = r.hook("wake");
      await wakeWaiting(r.root);
      await s.finish();
      const posts = await Promise.all(
        Array.from({ length: 4 }, () => r.hook("post-tool-use", { hook_event_name: "PostToolUse" })),
      );
      const woke = await wake;
      const told = [woke.stderr, ...posts.map(hookContext)].filter((t) => /cdx-9a0b is completed/.test(t));
      assert.equal(told.length, 1, `told ${told.length} times in round ${round}`);
      assert.equal(woke.code, /completed/.test(woke.stderr) ? 2 : 0);
    } finally {
      await r.cleanup();
    }
  }
});

Deno.test("wake: garbage stdin, no session, or no owner's session working: exit 0 at once, silent", async () => {
  const r = await rig();
  try {
    for (const input of ["", "not json", "[]", JSON.stringify({ hook_event_name: "Stop" })]) {
      const out = await r.hook("wake", input);
      assert.equal(out.code, 0);
      assert.equal(out.stdout + out.stderr, "");
    }
    assert.equal((await r.hook("wake")).code, 0, "no sessions at all");
    const other = "7a1e0b5c-0000-4000-8000-0000000000ff";
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const rollout = join(r.dir, "other.jsonl");
    await Deno.writeTextFile(rollout, split.head);
    await writeSession(r.root, {
      session: "cdx-0c1d",
      owner: other,
      rollout_path: rollout,
      thread_id: split.thread,
    });
    const t0 = Date.now();
    assert.equal((await r.hook("wake")).code, 0, "another owner's working session is not ours to wait for");
    assert.ok(Date.now() - t0 < 10_000);
  } finally {
    await r.cleanup();
  }
});

Deno.test("wake: its time is bounded (CODEXCTL_WAKE_SEC); it leaves quietly", async () => {
  const r = await rig();
  try {
    await boundSession(r, "cdx-1d2e", "marker");
    const t0 = Date.now();
    const out = await r.hook("wake", {}, { CODEXCTL_WAKE_SEC: "1" });
    assert.equal(out.code, 0);
    assert.ok(Date.now() - t0 < 15_000);
    assert.ok((await r.log()).some((l) => l.hook === "wake" && /no change within 1 s/.test(String(l.left))));
  } finally {
    await r.cleanup();
  }
});

Deno.test("launcher: the wake-up's exit 2 and its stderr pass through bin/codexctl; other hooks still exit 0", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-2e3f", "marker");
    const run = (args: string[]) =>
      new Deno.Command(join(REPO_ROOT, "bin", "codexctl"), {
        args,
        env: { ...r.env, PATH: `${join(Deno.execPath(), "..")}:/usr/bin:/bin` },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const child = run(["hook", "wake"]);
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify({ session_id: OWNER, hook_event_name: "Stop" })));
    await w.close();
    await wakeWaiting(r.root);
    await s.finish();
    const out = await child.output();
    assert.equal(out.code, 2);
    assert.match(new TextDecoder().decode(out.stderr), /cdx-2e3f is completed/);
    assert.equal(new TextDecoder().decode(out.stdout), "");
  } finally {
    await r.cleanup();
  }
});
