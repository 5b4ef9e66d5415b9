/**
 * Ended records (issue 16, item 3): the verdict an ended session reports (pure), the claim that
 * only one ender writes, a session record that is gone is never written back, and a session read
 * after it ended — by a process that held it before, or one that loads it afterwards — reports how
 * it ended without asking its substrate. On a recorded real Codex rollout (the marker scenario).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Verdict, VerdictSchema } from "../src/envelope.ts";
import { endedVerdict } from "../src/verdict/ended.ts";
import { claimEnded, ENDED_KIND, readEnded, sweepEnded } from "../src/session/ended.ts";
import { Session } from "../src/driver/session.ts";
import { endSession } from "../src/driver/end.ts";
import { Store } from "../src/store/store.ts";
import type { Substrate } from "../src/substrate/substrate.ts";
import { writeSession } from "./support/session_record.ts";
import { rolloutPath } from "./support/fixtures.ts";
import { isCodexctlError } from "./support/errors.ts";

const ENV = { get: (_: string) => undefined };

function completed(summary = "Codex printed the completion marker."): Verdict {
  return {
    state: "completed",
    reason: "marker_verified",
    summary,
    plan: null,
    questions: [],
    options: [],
    marker_found: true,
    artifacts: [],
    transcript_tail: "Done.",
    next_action: { intent: "end", command: "codexctl end --session cdx-1a2b", why: "verified" },
  };
}

/** A substrate that fails the test if anything asks it (an ended session touches no pane). */
const untouchable: Substrate = {
  name: "tmux",
  can: { screen: true, keys: true, message: false, own: true },
  start: () => Promise.reject(new Error("start asked of an ended session")),
  read: () => Promise.reject(new Error("the pane of an ended session was read")),
  deliver: () => Promise.reject(new Error("input was delivered to an ended session")),
  stop: () => Promise.reject(new Error("the pane of an ended session was stopped")),
} as unknown as Substrate;

async function rig() {
  const root = await Deno.makeTempDir({ prefix: "codexctl-ended-" });
  const store = new Store(root);
  const rollout = rolloutPath("0.169.0", "marker", "exec");
  const written = await writeSession(root, { session: "cdx-e0d1", owner: null, rollout_path: rollout });
  // a session in tmux (never asked here: an ended session touches no pane)
  const record = { ...written, substrate: "tmux" as const };
  await store.write("sessions", record.session, record);
  return { root, store, record, recordPath: join(root, "sessions", "cdx-e0d1.json") };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test("endedVerdict: the final verdict with who ended it and nothing left to do; without one, the last state", () => {
  const v = endedVerdict({
    session: "cdx-1a2b",
    ended: "2026-01-02T03:04:05.000Z",
    by: "watch",
    final: completed(),
  });
  assert.equal(VerdictSchema.safeParse(v).success, true);
  assert.deepEqual([v.state, v.reason, v.marker_found, v.transcript_tail], [
    "completed",
    "marker_verified",
    true,
    "Done.",
  ]);
  assert.equal(
    v.summary,
    "Session cdx-1a2b ended by the watch, on a verified completion at 2026-01-02T03:04:05.000Z: Codex printed the completion marker.",
  );
  assert.deepEqual(v.next_action, {
    intent: "nothing",
    command: null,
    why: "the session has ended and takes no more input; this is how it ended",
  });
  assert.deepEqual(v.ended, { at: "2026-01-02T03:04:05.000Z", by: "watch" });
  const long = endedVerdict({
    session: "cdx-1a2b",
    ended: "x",
    by: "end",
    final: completed("word ".repeat(39).trim()),
  });
  assert.ok(
    long.summary.length <= 200 &&
      long.summary.startsWith("Session cdx-1a2b ended by codexctl end at x: word"),
  );
  const bare = endedVerdict({
    session: "cdx-1a2b",
    ended: "x",
    last: { state: "working", reason: "working" },
  });
  assert.deepEqual([bare.state, bare.reason], ["ended", "cleaned_up"]);
  assert.equal(bare.summary, "Session cdx-1a2b ended at x (last seen working/working)");
  assert.deepEqual(bare.ended, { at: "x", by: null });
  // a final verdict that is not a verdict is not trusted
  const junk = endedVerdict({
    session: "cdx-1a2b",
    ended: "x",
    by: "sessions",
    final: { state: "nonsense" },
  });
  assert.deepEqual([junk.state, junk.summary], [
    "ended",
    "Session cdx-1a2b ended by codexctl sessions (its Codex was gone) at x",
  ]);
});

Deno.test("claimEnded: one ender writes the ended record; a stale one from before the session is replaced; sweepEnded keeps a week", async () => {
  const { root, store, record } = await rig();
  try {
    assert.equal(await claimEnded(store, record, "watch", completed()), true);
    assert.equal(await claimEnded(store, record, "end", null), false, "the second ender stands back");
    assert.equal((await readEnded(store, record.session))!.by, "watch");
    const later = { ...record, created: new Date(Date.now() + 60_000).toISOString() };
    assert.equal(
      await claimEnded(store, later, "end", null),
      true,
      "an ended record older than the session is stale",
    );
    assert.equal(await sweepEnded(store), 0);
    assert.equal(await sweepEnded(store, Date.now() + 8 * 24 * 3600 * 1000), 1);
    assert.equal(await readEnded(store, record.session), null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a session record that is gone is never written back: save and remember after an end", async () => {
  const { root, store, record, recordPath } = await rig();
  try {
    const session = new Session(store, record, untouchable, ENV);
    // ended behind this process's back, without an ended record (the worst case)
    await Deno.remove(recordPath);
    await session.remember(completed());
    await session.save({ expect: ["out.md"] });
    assert.equal(await exists(recordPath), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a session that ended while this process held it: observed as how it ended, its pane untouched, nothing written", async () => {
  const { root, store, record, recordPath } = await rig();
  try {
    const session = new Session(store, record, untouchable, ENV);
    assert.equal(await claimEnded(store, record, "watch", completed()), true);
    await store.remove("sessions", record.session);
    const obs = await session.observe();
    assert.equal(obs.rule, "session.ended");
    assert.deepEqual([obs.verdict.state, obs.verdict.reason], ["completed", "marker_verified"]);
    assert.equal(obs.verdict.ended?.by, "watch");
    assert.equal(obs.pane.alive, false);
    assert.ok(session.ended);
    await session.remember(obs.verdict);
    assert.equal(await exists(recordPath), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("end: the ended record keeps the final verdict; Session.load then reads it; a second end says already; a 0.1.0 tombstone is NO_SESSION naming when", async () => {
  const { root, store, record, recordPath } = await rig();
  try {
    const done = await endSession(store, record.session, ENV, { final: completed() });
    assert.deepEqual([done.already, done.pane], [false, "none"]);
    assert.equal(await exists(recordPath), false);
    const ended = (await readEnded(store, record.session))!;
    assert.equal(ended.by, "end");
    assert.equal((ended.final as Verdict).state, "completed");
    assert.equal(ended.record?.session, record.session);
    const later = await Session.load(store, record.session, ENV);
    assert.ok(later.ended);
    const v = (await later.observe()).verdict;
    assert.equal(v.state, "completed");
    assert.match(v.summary, /^Session cdx-e0d1 ended by codexctl end at /);
    assert.equal((await endSession(store, record.session, ENV)).already, true);
    // records written by 0.1.0 hold no record: the session cannot be shown, but it did end
    await store.write(ENDED_KIND, "cdx-01d1", { session: "cdx-01d1", ended: "2026-01-01T00:00:00.000Z" });
    await assert.rejects(Session.load(store, "cdx-01d1", ENV), (err: Error) => {
      isCodexctlError("NO_SESSION", 4)(err);
      assert.match(err.message, /^session cdx-01d1 ended at 2026-01-01T00:00:00.000Z$/);
      return true;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
