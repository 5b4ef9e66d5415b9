/**
 * `codexctl hook …` run as Claude Code runs it (a process with hook JSON on stdin), against session
 * records bound to recorded real Codex rollouts: what is delivered, exactly once; what Stop blocks,
 * once per state; the SessionStart brief and owner export; silence on garbage, on other owners'
 * sessions and on internal errors (with a line in the hook log).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/cli.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "./support/session_record.ts";
import { stateRoot } from "../src/store/paths.ts";
import { findStateRoot } from "../src/names.ts";
import { ownerKey } from "../src/fleet/targets.ts";
import { parseInput } from "../src/hook/run.ts";
import { seenVerdicts } from "../src/hook/seen.ts";
import {
  BRIEF_BUDGET,
  briefText,
  CONTEXT_BUDGET,
  contextText,
  LINE_MAX,
  type LineFacts,
  STOP_BUDGET,
  stopReason,
} from "../src/hook/render.ts";

const OWNER = "5b0c1d7e-0000-4000-8000-00000000c1a0";
const OTHER = "5b0c1d7e-0000-4000-8000-0000000000ff";

interface Rig {
  root: string;
  dir: string;
  hook(event: string, input?: Record<string, unknown> | string, env?: Record<string, string>): Promise<{
    code: number;
    stdout: string;
    json: Record<string, unknown> | undefined;
  }>;
  log(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-hook-" });
  const root = join(dir, "state");
  return {
    root,
    dir,
    async hook(event, input = {}, env = {}) {
      const r = await runCli(["hook", event], {
        env: { CODEXCTL_HOME: root, CODEX_HOME: join(dir, "codex-home"), HOME: dir, ...env },
        stdin: typeof input === "string"
          ? input
          : JSON.stringify({ session_id: OWNER, hook_event_name: event, ...input }),
      });
      return { code: r.code, stdout: r.stdout, json: r.json };
    },
    async log() {
      try {
        return (await Deno.readTextFile(join(root, "logs", "hooks.jsonl"))).split("\n").filter(Boolean).map((
          l,
        ) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

function context(out: { json: Record<string, unknown> | undefined }): string {
  const h = out.json?.hookSpecificOutput as { hookEventName: string; additionalContext: string } | undefined;
  assert.ok(h, "the hook printed hookSpecificOutput");
  return h.additionalContext;
}

/** A session bound to a fixture rollout cut before its turn end; returns a function appending the rest. */
async function boundSession(
  r: Rig,
  session: string,
  scenario: string,
  extra: { owner?: string | null; slug?: string; version?: string } = {},
): Promise<{ rollout: string; thread: string; finish(): Promise<void> }> {
  const split = splitFixture(extra.version ?? "0.169.0", scenario, BEFORE_TURN_END);
  const rollout = join(r.dir, `${session}.rollout.jsonl`);
  await Deno.writeTextFile(rollout, split.head);
  await writeSession(r.root, {
    session,
    owner: extra.owner === undefined ? OWNER : extra.owner,
    rollout_path: rollout,
    thread_id: split.thread,
    slug: extra.slug ?? null,
  });
  return {
    rollout,
    thread: split.thread,
    finish: () => Deno.writeTextFile(rollout, split.rest, { append: true }),
  };
}

const QUESTION_LINE =
  `codexctl: cdx-1a2b (cache) is awaiting_clarification (free_text_question). Codex asks: Before I continue I need a decision. Which database should I use for the cache: SQLite or Postgres? Next: codexctl reply --session cdx-1a2b --text "<answer>"`;

Deno.test("hook state root mirrors the store's (CODEXCTL_HOME, XDG_STATE_HOME, HOME), null where it would throw", () => {
  const cases: Record<string, string>[] = [
    { CODEXCTL_HOME: "/a", XDG_STATE_HOME: "/b", HOME: "/h" },
    { XDG_STATE_HOME: "/b/", HOME: "/h" },
    { HOME: "/h" },
    { CODEXCTL_HOME: "rel", XDG_STATE_HOME: "rel", HOME: "/h/" },
  ];
  for (const vars of cases) {
    const env = { get: (k: string) => vars[k] };
    assert.equal(findStateRoot(env), stateRoot(env), JSON.stringify(vars));
  }
  assert.equal(findStateRoot({ get: () => undefined }), null);
  assert.equal(ownerKey(OWNER), `o-${OWNER}`);
  assert.match(ownerKey("../../etc/passwd"), /^o-h[0-9a-f]{16}$/);
});

Deno.test("hook input: anything but a JSON object with a session_id is garbage", () => {
  for (const text of ["", "garbage", "[]", "null", "42", '{"session_id":""}', '{"session_id":7}', "{"]) {
    assert.equal(parseInput(text), null, text);
  }
  assert.equal(parseInput(null), null);
  const ok = parseInput(
    '{"session_id":" s1 ","stop_hook_active":true,"background_tasks":[{"command":"codexctl watch","status":"running"},3]}',
  );
  assert.equal(ok?.session_id, "s1");
  assert.equal(ok?.stop_hook_active, true);
  assert.equal(ok?.tool_stdout, null);
  assert.equal(parseInput('{"session_id":"s","tool_response":{"stdout":"hi"}}')?.tool_stdout, "hi");
  assert.deepEqual(ok?.background_tasks, [{
    type: null,
    status: "running",
    command: "codexctl watch",
    description: null,
  }]);
});

Deno.test("texts stay within their budgets whatever the number of sessions, and name every one left out", () => {
  const facts = (i: number): LineFacts => ({
    kind: "session",
    session: `cdx-${(0x2000 + i).toString(16)}`,
    thread: null,
    label: `cdx-${(0x2000 + i).toString(16)} (${"a-very-long-slug-".repeat(3)}${i})`,
    stalled: false,
    verdict: {
      state: "awaiting_clarification",
      reason: "free_text_question",
      summary: `Codex asks: ${"why ".repeat(80)}?`,
      next: `codexctl reply --session cdx-${(0x2000 + i).toString(16)} --text "<answer>"`,
      intent: "answer",
    },
  });
  const many = Array.from({ length: 40 }, (_, i) => facts(i));
  const ctx = contextText(many);
  assert.ok(ctx.length <= CONTEXT_BUDGET, `${ctx.length}`);
  for (const line of ctx.split("\n")) assert.ok(line.length <= LINE_MAX, `${line.length}`);
  assert.match(
    ctx.split("\n")[0],
    /Next: codexctl reply --session cdx-2000 --text "<answer>"$/,
    "the command survives whole",
  );
  assert.match(ctx.split("\n").at(-1)!, /^codexctl: \d+ more: /);
  const brief = briefText(many)!;
  assert.ok(brief.length <= BRIEF_BUDGET, `${brief.length}`);
  assert.equal(briefText([]), null);
  const reason = stopReason(many.map((f) => ({ facts: f, why: "awaiting" as const })));
  assert.ok(reason.length <= STOP_BUDGET, `${reason.length}`);
  assert.match(reason, /\(codexctl says this once per state\.\)$/);
});

Deno.test("hook: garbage stdin, an empty one and an unknown event exit 0 with no output (logged)", async () => {
  const r = await rig();
  try {
    await boundSession(r, "cdx-1a2b", "question");
    for (const input of ["garbage", "", "[1,2]", '{"no_session":true}', "\u0000\u00ff"]) {
      const out = await r.hook("post-tool-use", input);
      assert.equal(out.code, 0);
      assert.equal(out.stdout, "", `no output for ${JSON.stringify(input)}`);
    }
    const stop = await r.hook("stop", "not json");
    assert.equal(stop.code, 0);
    assert.equal(stop.stdout, "");
    const unknown = await r.hook("pre-tool-use");
    assert.equal(unknown.code, 0);
    assert.equal(unknown.stdout, "");
    const log = await r.log();
    assert.ok(log.filter((l) => /not hook JSON/.test(String(l.note))).length >= 5, JSON.stringify(log));
    assert.ok(log.some((l) => /expected one of post-tool-use/.test(String(l.error))));
  } finally {
    await r.cleanup();
  }
});

Deno.test("post-tool-use: a change is delivered once as one exact line; no change prints nothing", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
    const first = await r.hook("post-tool-use");
    assert.equal(first.code, 0);
    assert.equal(first.stdout, "", "working is not a change worth telling");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await s.finish();
    const changed = await r.hook("post-tool-use");
    assert.equal(changed.code, 0);
    assert.deepEqual(Object.keys(changed.json!), ["hookSpecificOutput"]);
    assert.equal((changed.json!.hookSpecificOutput as Record<string, unknown>).hookEventName, "PostToolUse");
    assert.equal(context(changed), QUESTION_LINE);
    for (let i = 0; i < 2; i++) assert.equal((await r.hook("post-tool-use")).stdout, "", "delivered once");
    const log = await r.log();
    assert.equal(log.filter((l) => Array.isArray(l.delivered)).length, 1);
  } finally {
    await r.cleanup();
  }
});

Deno.test("user-prompt-submit: a change that happened while Claude was idle arrives with the prompt, once", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
    assert.equal((await r.hook("user-prompt-submit", { prompt: "any news?" })).stdout, "");
    await s.finish();
    const out = await r.hook("user-prompt-submit", { prompt: "any news?" });
    const h = out.json?.hookSpecificOutput as Record<string, string>;
    assert.equal(h.hookEventName, "UserPromptSubmit");
    assert.equal(h.additionalContext, QUESTION_LINE);
    assert.equal((await r.hook("post-tool-use")).stdout, "", "the same cursor: not again after a tool call");
  } finally {
    await r.cleanup();
  }
});

Deno.test("a verdict Claude just saw in a codexctl tool result is marked delivered, not repeated", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
    const other = await boundSession(r, "cdx-2b3c", "failure");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await s.finish();
    await other.finish();
    // the tool call was `codexctl await --session cdx-1a2b`: its envelope showed the question
    const envelope = {
      ok: true,
      schema_version: "v1",
      command: "await",
      session: "cdx-1a2b",
      result: { state: "awaiting_clarification", reason: "free_text_question", summary: "…" },
      error: null,
    };
    const out = await r.hook("post-tool-use", {
      tool_name: "Bash",
      tool_response: { stdout: JSON.stringify(envelope, null, 2), stderr: "", interrupted: false },
    });
    const text = context(out);
    assert.doesNotMatch(text, /cdx-1a2b/, "already seen in the tool result");
    assert.match(text, /^codexctl: cdx-2b3c is failed/);
    assert.equal((await r.hook("post-tool-use")).stdout, "", "and not later either");
    assert.ok((await r.log()).some((l) => JSON.stringify(l.seen_in_tool_output) === '["cdx-1a2b"]'));
  } finally {
    await r.cleanup();
  }
});

Deno.test("seen verdicts: one pretty envelope or watch lines; the last per session and thread wins", () => {
  const line = (session: string | null, state: string, thread?: string) =>
    JSON.stringify({
      ok: true,
      schema_version: "v1",
      command: "watch",
      session,
      result: { event: "x", state, reason: state, ...(thread ? { thread } : {}) },
      error: null,
    });
  const seen = seenVerdicts(
    [line("cdx-1", "working"), "noise", line("cdx-1", "completed"), line(null, "failed", "t-1")].join("\n"),
  );
  assert.deepEqual(seen.get("cdx-1"), { state: "completed", reason: "completed" });
  assert.deepEqual(seen.get("thread:t-1"), { state: "failed", reason: "failed" });
  assert.equal(seenVerdicts("plain text").size, 0);
  assert.equal(seenVerdicts(null).size, 0);
  assert.equal(seenVerdicts('{"ok":false,"schema_version":"v1","session":"cdx-1","result":null}').size, 0);
});

Deno.test("a change a Stop pass observed but did not tell (a followed thread) is delivered at the next tool call", async () => {
  const r = await rig();
  try {
    const codexHome = join(r.dir, "codex-home");
    const split = splitFixture("0.169.0", "interrupt", BEFORE_TURN_END);
    const day = join(codexHome, "sessions", "2026", "11", "21");
    await Deno.mkdir(day, { recursive: true });
    const rollout = join(day, `rollout-2026-11-21T16-00-00-${split.thread}.jsonl`);
    await Deno.writeTextFile(rollout, split.head);
    const env = { CODEXCTL_HOME: r.root, CODEX_HOME: codexHome, HOME: r.dir, CODEXCTL_OWNER: OWNER };
    assert.equal((await runCli(["follow", "--thread", split.thread], { env })).code, 0);
    await boundSession(r, "cdx-3c4d", "marker"); // an owned session, so Stop has work
    await Deno.writeTextFile(rollout, split.rest, { append: true });
    const stop = await r.hook("stop", { stop_hook_active: false }, { CODEXCTL_STOP_WORKING: "allow" });
    assert.equal(stop.stdout, "", "followed threads never block");
    assert.match(context(await r.hook("post-tool-use")), /^codexctl: followed thread .* is interrupted/);
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("post-tool-use: a second finished turn is a new change even when no hook saw it working", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-2b3c", "marker");
    await s.finish();
    const done = await r.hook("post-tool-use");
    assert.match(
      context(done),
      /^codexctl: cdx-2b3c is completed \(marker_verified\)\. Codex finished and printed the marker: Wrote the summary as asked\. Details: codexctl status --session cdx-2b3c; when done with it: codexctl end --session cdx-2b3c$/,
    );
    // the same thread runs another turn that ends the same way: append the whole turn again
    const text = await Deno.readTextFile(s.rollout);
    const turn = text.split("\n").filter((l) => l && !l.includes('"session_meta"'));
    await Deno.writeTextFile(s.rollout, turn.join("\n") + "\n", { append: true });
    const again = await r.hook("post-tool-use");
    assert.match(context(again), /cdx-2b3c is completed \(marker_verified\)/);
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("post-tool-use: several changes in one context, each line with its next command, under 2,000 characters", async () => {
  const r = await rig();
  try {
    const sessions = [];
    for (let i = 0; i < 12; i++) {
      const scenario = ["question", "failure", "interrupt", "marker"][i % 4];
      sessions.push(
        await boundSession(r, `cdx-${(0x1000 + i).toString(16)}`, scenario, { slug: `task-${i}` }),
      );
    }
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    for (const s of sessions) await s.finish();
    const out = context(await r.hook("post-tool-use"));
    assert.ok(out.length <= 2000, `${out.length} chars`);
    const lines = out.split("\n");
    assert.ok(lines.length >= 4);
    assert.match(lines[0], /^codexctl: cdx-1000 \(task-0\) is awaiting_clarification/);
    assert.match(
      lines[1],
      /^codexctl: cdx-1001 \(task-1\) is failed \(turn_failed\)\. The turn failed: .* Next: codexctl send --session cdx-1001 --message "<retry or adjust the task>"$/,
    );
    assert.match(
      lines[2],
      /^codexctl: cdx-1002 \(task-2\) is interrupted \(interrupted\)\..* Next: codexctl send --session cdx-1002/,
    );
    // whatever did not fit is named in a last line, never dropped silently
    const last = lines.at(-1)!;
    assert.match(
      last,
      /^codexctl: \d+ more: .*cdx-100b \(task-11\)\. Details: codexctl status --session <id>/,
    );
    assert.equal((await r.hook("post-tool-use")).stdout, "", "all of them count as delivered");
  } finally {
    await r.cleanup();
  }
});

Deno.test("a session added later, or a record rebound to another rollout, is picked up at the next hook", async () => {
  const r = await rig();
  try {
    const a = await boundSession(r, "cdx-aaaa", "question");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await a.finish();
    assert.match(context(await r.hook("post-tool-use")), /cdx-aaaa is awaiting_clarification/);
    const b = await boundSession(r, "cdx-bbbb", "failure");
    await b.finish();
    assert.match(context(await r.hook("post-tool-use")), /^codexctl: cdx-bbbb is failed/);
    // the driver rebinds cdx-aaaa to another rollout (a finished marker turn)
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const other = join(r.dir, "rebound.jsonl");
    await Deno.writeTextFile(other, split.head + split.rest);
    await writeSession(r.root, {
      session: "cdx-aaaa",
      owner: OWNER,
      rollout_path: other,
      thread_id: split.thread,
    });
    assert.match(
      context(await r.hook("post-tool-use")),
      /^codexctl: cdx-aaaa is completed \(marker_verified\)/,
    );
  } finally {
    await r.cleanup();
  }
});

Deno.test("hooks never speak about sessions another Claude Code session owns (or nobody owns)", async () => {
  const r = await rig();
  try {
    const mine = await boundSession(r, "cdx-aaaa", "question");
    const theirs = await boundSession(r, "cdx-bbbb", "failure", { owner: OTHER });
    const nobody = await boundSession(r, "cdx-cccc", "marker", { owner: null });
    await r.hook("post-tool-use");
    for (const s of [mine, theirs, nobody]) await s.finish();
    const text = context(await r.hook("post-tool-use"));
    assert.match(text, /cdx-aaaa/);
    assert.doesNotMatch(text, /cdx-bbbb|cdx-cccc/);
    const stop = await r.hook("stop", { session_id: OWNER, stop_hook_active: false });
    assert.doesNotMatch(String(stop.json?.reason), /cdx-bbbb|cdx-cccc/);
    // the other owner hears about its own session only
    const other = await r.hook("post-tool-use", { session_id: OTHER });
    assert.match(context(other), /^codexctl: cdx-bbbb is failed/);
    assert.doesNotMatch(context(other), /cdx-aaaa/);
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: stop_hook_active always allows; awaiting an answer blocks once per state with the command", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
    await s.finish();
    const active = await r.hook("stop", { stop_hook_active: true });
    assert.equal(active.code, 0);
    assert.equal(active.stdout, "", "the re-check after a block is always allowed");
    const first = await r.hook("stop", { stop_hook_active: false });
    assert.equal(first.json?.decision, "block");
    const reason = String(first.json?.reason);
    assert.ok(reason.length <= 2000);
    assert.match(reason, /cdx-1a2b \(cache\) is awaiting_clarification/);
    assert.match(reason, /Next: codexctl reply --session cdx-1a2b --text "<answer>"/);
    const again = await r.hook("stop", { stop_hook_active: false });
    assert.equal(again.stdout, "", "once per (session, state): no loop");
    assert.equal((await r.hook("stop", { stop_hook_active: true })).stdout, "");
    // the block told Claude: post-tool-use has nothing new
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: a finished result nobody was told blocks once and counts as delivered", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-2b3c", "marker");
    await r.hook("post-tool-use");
    await s.finish();
    const stop = await r.hook("stop", { stop_hook_active: false });
    assert.equal(stop.json?.decision, "block");
    assert.match(String(stop.json?.reason), /cdx-2b3c is completed \(marker_verified\)/);
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    assert.equal((await r.hook("stop", { stop_hook_active: false })).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: a result already delivered after a tool call does not block", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-2b3c", "marker");
    await s.finish();
    assert.match(context(await r.hook("post-tool-use")), /completed/);
    assert.equal((await r.hook("stop", { stop_hook_active: false })).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("stop: a session still working lets Claude stop (the wake-up waits); with CODEXCTL_STOP_WORKING=block it blocks once with await/watch, unless already watched", async () => {
  const r = await rig();
  try {
    await boundSession(r, "cdx-3c4d", "marker");
    assert.equal(
      (await r.hook("stop", { stop_hook_active: false })).stdout,
      "",
      "the default: wake, not block",
    );
    const block = { CODEXCTL_STOP_WORKING: "block" };
    const watched = await r.hook("stop", {
      stop_hook_active: false,
      background_tasks: [{
        type: "monitor",
        status: "running",
        command: "codexctl watch --session cdx-3c4d",
      }],
    }, block);
    assert.equal(watched.stdout, "", "a running Monitor on the session is enough");
    const allowed = await r.hook("stop", { stop_hook_active: false }, { CODEXCTL_STOP_WORKING: "allow" });
    assert.equal(allowed.stdout, "");
    const blocked = await r.hook("stop", { stop_hook_active: false }, block);
    assert.equal(blocked.json?.decision, "block");
    assert.match(
      String(blocked.json?.reason),
      /cdx-3c4d is still working .* To wait for it: codexctl await --session cdx-3c4d; or arm the Monitor tool with: codexctl watch --session cdx-3c4d/,
    );
    assert.equal((await r.hook("stop", { stop_hook_active: false }, block)).stdout, "", "once");
  } finally {
    await r.cleanup();
  }
});

Deno.test("session-start: exports CODEXCTL_OWNER once and briefs the sessions; the brief counts as delivered", async () => {
  const r = await rig();
  try {
    const envFile = join(r.dir, "session-env.sh");
    const empty = await r.hook("session-start", { source: "startup" }, { CLAUDE_ENV_FILE: envFile });
    assert.equal(empty.stdout, "", "nothing to brief");
    assert.equal(await Deno.readTextFile(envFile), `export CODEXCTL_OWNER='${OWNER}'\n`);
    const q = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
    await boundSession(r, "cdx-3c4d", "marker");
    await q.finish();
    const brief = await r.hook("session-start", { source: "compact" }, { CLAUDE_ENV_FILE: envFile });
    const h = brief.json?.hookSpecificOutput as Record<string, string>;
    assert.equal(h.hookEventName, "SessionStart");
    assert.ok(h.additionalContext.length <= 1500);
    assert.equal(
      h.additionalContext,
      [
        "codexctl: Codex sessions of this conversation, as of now:",
        "- " + QUESTION_LINE.replace(/^codexctl: /, ""),
        "- cdx-3c4d is working (working). Codex is working on its turn. Next: codexctl await --session cdx-3c4d",
      ].join("\n"),
    );
    assert.equal(await Deno.readTextFile(envFile), `export CODEXCTL_OWNER='${OWNER}'\n`, "exported once");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("post-tool-use: a dead Codex process mid-turn is reported exited; a silent open turn as stalled, once", async () => {
  const r = await rig();
  try {
    const dead = new Deno.Command("true").spawn();
    const pid = dead.pid;
    await dead.status;
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const gone = join(r.dir, "gone.jsonl");
    await Deno.writeTextFile(gone, split.head);
    await writeSession(r.root, { session: "cdx-dead", owner: OWNER, rollout_path: gone, pid });
    const quiet = join(r.dir, "quiet.jsonl");
    await Deno.writeTextFile(quiet, split.head);
    const old = new Date(Date.now() - 5 * 60_000);
    await Deno.utime(quiet, old, old);
    await writeSession(r.root, { session: "cdx-5117", owner: OWNER, rollout_path: quiet, pid: Deno.pid });
    const out = context(
      await r.hook("post-tool-use", { session_id: OWNER }, { CODEXCTL_HOOK_STALL_SEC: "60" }),
    );
    const lines = out.split("\n");
    assert.equal(lines.length, 2, out);
    assert.match(
      lines[0],
      /^codexctl: cdx-5117 is stalled \(its turn is open but the rollout has been silent\): No rollout activity for 5 min while the turn is open/,
    );
    assert.match(lines[0], /Details: codexctl status --session cdx-5117$/);
    assert.match(
      lines[1],
      /^codexctl: cdx-dead is exited \(process_exited\)\. The Codex process is gone while its turn was still open/,
    );
    assert.equal(
      (await r.hook("post-tool-use", { session_id: OWNER }, { CODEXCTL_HOOK_STALL_SEC: "60" })).stdout,
      "",
    );
  } finally {
    await r.cleanup();
  }
});

Deno.test("post-tool-use: a Codex process that dies mid-turn is reported exited at the next pid probe", async () => {
  const r = await rig();
  try {
    const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const rollout = join(r.dir, "live.jsonl");
    await Deno.writeTextFile(rollout, split.head);
    await writeSession(r.root, { session: "cdx-11fe", owner: OWNER, rollout_path: rollout, pid: child.pid });
    const probeAlways = { CODEXCTL_HOOK_PID_CHECK_SEC: "0" };
    assert.equal((await r.hook("post-tool-use", {}, probeAlways)).stdout, "", "alive and working");
    assert.equal((await r.hook("post-tool-use", {}, probeAlways)).stdout, "");
    child.kill("SIGKILL");
    await child.status;
    assert.match(
      context(await r.hook("post-tool-use", {}, probeAlways)),
      /^codexctl: cdx-11fe is exited \(process_exited\)\. The Codex process is gone while its turn was still open/,
    );
    assert.equal((await r.hook("post-tool-use", {}, probeAlways)).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("hook: an internal error exits 0 with no output and writes the hook log", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b", "question");
    await s.finish();
    // the index cannot be written: its directory is a file
    await Deno.mkdir(r.root, { recursive: true });
    await Deno.writeTextFile(join(r.root, "hooks"), "not a directory");
    const out = await r.hook("post-tool-use");
    assert.equal(out.code, 0);
    assert.equal(out.stdout, "");
    const log = await r.log();
    assert.ok(log.some((l) => l.event === "PostToolUse" && typeof l.error === "string"), JSON.stringify(log));
    // repaired, the change is still there to deliver (nothing was committed)
    await Deno.remove(join(r.root, "hooks"));
    assert.equal(context(await r.hook("post-tool-use")), QUESTION_LINE.replace(" (cache)", ""));
  } finally {
    await r.cleanup();
  }
});

Deno.test("follow: a followed thread is reported like an owned session (never blocks Stop); --unfollow stops it", async () => {
  const r = await rig();
  try {
    const codexHome = join(r.dir, "codex-home");
    const split = splitFixture("0.169.0", "failure", BEFORE_TURN_END);
    const dir = join(codexHome, "sessions", "2026", "11", "21");
    await Deno.mkdir(dir, { recursive: true });
    const rollout = join(dir, `rollout-2026-11-21T16-00-00-${split.thread}.jsonl`);
    await Deno.writeTextFile(rollout, split.head);
    const env = { CODEXCTL_HOME: r.root, CODEX_HOME: codexHome, HOME: r.dir };
    const none = await runCli(["follow", "--thread", split.thread], { env });
    assert.equal(none.code, 2);
    assert.equal((none.json?.error as Record<string, unknown>).code, "NO_OWNER");
    const url = `codex://threads/${split.thread}`;
    const followed = await runCli(["follow", "--thread", url], {
      env: { ...env, CLAUDE_CODE_SESSION_ID: OWNER },
    });
    assert.equal(followed.code, 0, followed.stdout);
    const result = followed.json?.result as Record<string, unknown>;
    assert.equal((result.current as Record<string, unknown>).state, "working");
    assert.deepEqual((result.following as { thread: string }[]).map((f) => f.thread), [split.thread]);
    assert.equal((await r.hook("post-tool-use")).stdout, "", "following showed the current state already");
    await Deno.writeTextFile(rollout, split.rest, { append: true });
    assert.match(
      context(await r.hook("post-tool-use")),
      new RegExp(
        `^codexctl: followed thread ${split.thread} is failed \\(turn_failed\\)\\..* Next: codexctl send --thread ${split.thread} `,
      ),
    );
    assert.equal(
      (await r.hook("stop", { stop_hook_active: false })).stdout,
      "",
      "followed threads never block",
    );
    const un = await runCli(["follow", "--thread", split.thread, "--unfollow"], {
      env: { ...env, CODEXCTL_OWNER: OWNER },
    });
    assert.equal(un.code, 0);
    assert.deepEqual((un.json?.result as Record<string, unknown>).following, []);
    await Deno.writeTextFile(rollout, split.rest, { append: true });
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("follow: a followed thread whose rollout is archived is found again, then the hot path stays quiet", async () => {
  const r = await rig();
  try {
    const codexHome = join(r.dir, "codex-home");
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const day = join(codexHome, "sessions", "2026", "11", "21");
    await Deno.mkdir(day, { recursive: true });
    const name = `rollout-2026-11-21T16-00-00-${split.thread}.jsonl`;
    await Deno.writeTextFile(join(day, name), split.head + split.rest);
    const env = { CODEXCTL_HOME: r.root, CODEX_HOME: codexHome, HOME: r.dir, CODEXCTL_OWNER: OWNER };
    assert.equal((await runCli(["follow", "--thread", split.thread], { env })).code, 0);
    const trace = { CODEXCTL_HOOK_TRACE: "1" };
    assert.equal((await r.hook("post-tool-use", {}, trace)).stdout, "", "following counted as delivered");
    await Deno.mkdir(join(codexHome, "archived_sessions"), { recursive: true });
    await Deno.rename(join(day, name), join(codexHome, "archived_sessions", name));
    assert.equal((await r.hook("post-tool-use", {}, trace)).stdout, "", "moved, not changed");
    const passes = async () => (await r.log()).filter((l) => l.trace === "delivery pass").length;
    const before = await passes();
    for (let i = 0; i < 2; i++) assert.equal((await r.hook("post-tool-use", {}, trace)).stdout, "");
    assert.equal(await passes(), before, "the located path is used: no delivery pass without a change");
    // another whole turn lands in the archived file
    const turn = (split.head + split.rest).split("\n").filter((l) => l && !l.includes('"session_meta"'));
    await Deno.writeTextFile(join(codexHome, "archived_sessions", name), turn.join("\n") + "\n", {
      append: true,
    });
    assert.match(
      context(await r.hook("post-tool-use", {}, trace)),
      /^codexctl: followed thread .* is completed/,
    );
  } finally {
    await r.cleanup();
  }
});

Deno.test("follow --session adopts a session of another owner; follow --everyone reaches every owner", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-ad0b", "question", { owner: OTHER });
    const env = { CODEXCTL_HOME: r.root, CODEX_HOME: join(r.dir, "codex-home"), HOME: r.dir };
    const missing = await runCli(["follow", "--session", "cdx-ffff", "--owner", OWNER], { env });
    assert.equal(missing.code, 4);
    const adopt = await runCli(["follow", "--session", "cdx-ad0b", "--owner", OWNER], { env });
    assert.equal(adopt.code, 0, adopt.stdout);
    assert.equal(adopt.json?.session, "cdx-ad0b");
    await s.finish();
    assert.match(context(await r.hook("post-tool-use")), /^codexctl: cdx-ad0b is awaiting_clarification/);
    assert.match(context(await r.hook("post-tool-use", { session_id: OTHER })), /cdx-ad0b/);
    const third = "5b0c1d7e-0000-4000-8000-0000000000dd";
    const everyone = await runCli(["follow", "--session", "cdx-ad0b", "--everyone"], { env });
    assert.equal(everyone.code, 0, everyone.stdout);
    assert.match(context(await r.hook("post-tool-use", { session_id: third })), /cdx-ad0b/);
    const list = await runCli(["follow", "--owner", OWNER], { env });
    assert.deepEqual(
      (list.json?.result as { following: { scope: string }[] }).following.map((f) => f.scope),
      ["owner", "everyone"],
    );
  } finally {
    await r.cleanup();
  }
});

// ── issue 15 item 13: a corrupt hook index or follow list is moved aside, said once, nothing re-delivered ──

for (
  const [what, content] of [
    ["empty", ""],
    ["torn JSON", '{"v":1,"owner":"x","entries":{"cdx-1a2b":{"kind":"sess'],
    ["an entry that is not one", '{"v":1,"owner":"x","updated":"","entries":{"cdx-1a2b":5}}'],
  ]
) {
  Deno.test(`[item 13] a corrupt hook index (${what}) is moved aside and said once; what it told is not told again`, async () => {
    const { indexPath } = await import("../src/fleet/cursor.ts");
    const r = await rig();
    try {
      const s = await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
      assert.equal((await r.hook("post-tool-use")).stdout, "");
      await s.finish();
      assert.equal(context(await r.hook("post-tool-use")), QUESTION_LINE, "told once");
      const path = indexPath(r.root, OWNER);
      await Deno.writeTextFile(path, content);
      const after = await r.hook("post-tool-use");
      assert.equal(after.code, 0);
      assert.equal(after.json?.hookSpecificOutput, undefined, "the question is not told again");
      assert.match(String(after.json?.systemMessage), /delivery index .* was corrupt .*moved to .*\.corrupt/);
      assert.equal(await Deno.readTextFile(`${path}.corrupt`), content, "kept for a person to read");
      assert.equal(JSON.parse(await Deno.readTextFile(path)).v, 1, "a fresh index in its place");
      assert.equal((await r.hook("post-tool-use")).stdout, "", "said once");
      // later changes are still told: a session that finishes after the repair
      const later = await boundSession(r, "cdx-2b3c", "question", { slug: "later" });
      assert.equal((await r.hook("post-tool-use")).stdout, "");
      await later.finish();
      assert.match(
        context(await r.hook("post-tool-use")),
        /^codexctl: cdx-2b3c \(later\) is awaiting_clarification/,
      );
    } finally {
      await r.cleanup();
    }
  });
}

Deno.test("[item 13] a zero-byte follow list is never a silent empty list: follow names it, moves it aside; a hook says so once", async () => {
  const { ownerKey: key } = await import("../src/fleet/targets.ts");
  const r = await rig();
  try {
    const env = { CODEXCTL_HOME: r.root, CODEX_HOME: join(r.dir, "codex-home"), HOME: r.dir };
    const file = join(r.root, "follows", `${key(OWNER)}.json`);
    await Deno.mkdir(join(r.root, "follows"), { recursive: true });
    // the verb: listing what is followed
    await Deno.writeTextFile(file, "");
    const listed = await runCli(["follow"], { env: { ...env, CLAUDE_CODE_SESSION_ID: OWNER } });
    assert.equal(listed.code, 0, listed.stdout);
    const result = listed.json?.result as Record<string, unknown>;
    assert.deepEqual(result.following, []);
    assert.deepEqual(
      (result.quarantined as { path: string; moved_to: string; why: string }[]).map((q) => [q.path, q.why]),
      [[file, "it is empty"]],
    );
    assert.match(listed.stderr, /follow list .* was corrupt \(it is empty\)/);
    assert.equal(await Deno.stat(`${file}.corrupt`).then((s) => s.size), 0);
    // the hooks: a torn list is said once (with an owned session present, and with none)
    for (const withSession of [false, true]) {
      if (withSession) await boundSession(r, "cdx-1a2b", "question", { slug: "cache" });
      await Deno.writeTextFile(file, '{"v":1,"follows":[{"kind":"thr');
      const first = await r.hook("post-tool-use");
      assert.equal(first.code, 0);
      assert.match(String(first.json?.systemMessage), /follow list .* was corrupt \(it is not JSON\)/);
      assert.equal((await r.hook("post-tool-use")).stdout, "", "said once");
    }
    // a valid list is never moved
    await Deno.writeTextFile(file, JSON.stringify({ v: 1, owner: OWNER, updated: "", follows: [] }));
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    assert.equal(await Deno.stat(file).then((s) => s.isFile), true);
  } finally {
    await r.cleanup();
  }
});
