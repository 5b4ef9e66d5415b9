/**
 * The one progress record of watch and the hooks (src/observe/progress.ts), and upgrades from
 * codexctl 0.1.0's files: its v1 watch record, the hooks' bare progress, a fold state that still
 * judged failures itself, and the verdict signatures its cursor indexes hold — an upgrade neither
 * re-reports a change nor loses one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ProgressRecordSchema } from "../src/observe/progress.ts";
import type { ThreadProgress } from "../src/codex/rollout/reader.ts";
import { freshProgress } from "../src/codex/rollout/reader.ts";
import { verdictSignature } from "../src/verdict/change.ts";
import { rolloutStatus, turnError } from "../src/verdict/rollout_status.ts";
import { decide } from "../src/verdict/machine.ts";
import type { Verdict } from "../src/envelope.ts";
import { fnv64 } from "../src/names.ts";
import { evidenceOf, foldLines, foldUntil, homeFromFixtures, rolloutLines } from "./support/fixtures.ts";
import { spawnCli } from "./support/cli_stream.ts";
import { runCli } from "./support/cli.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "./support/session_record.ts";

const OWNER = "5b0c1d7e-0000-4000-8000-00000000c1a1";

/** A fold state as codexctl 0.1.0 saved it: with its `status`, and failures judged in the fold. */
function asSavedBy010(progress: ThreadProgress): ThreadProgress {
  const state = structuredClone(progress.state) as ThreadProgress["state"] & { status?: string };
  state.status = rolloutStatus(progress.state);
  if (state.last_turn) {
    const failed = rolloutStatus(progress.state) === "failed";
    state.last_turn = {
      id: state.last_turn.id,
      outcome: failed ? "failed" : state.last_turn.outcome,
      error: turnError(progress.state.last_turn),
      reason: state.last_turn.reason,
      at: state.last_turn.at,
    };
  }
  return { ...progress, state };
}

Deno.test("progress records: the current one, 0.1.0's watch record and its bare hook progress all read as one", () => {
  const folded = foldLines(rolloutLines("0.169.0", "marker", "exec"));
  const progress: ThreadProgress = {
    cursor: { offset: 1234, ino: 77, skipping: false },
    state: folded.state,
    stats: folded.stats,
  };
  const current = ProgressRecordSchema.parse({
    v: 2,
    thread_id: folded.state.thread_id,
    path: "/r.jsonl",
    progress,
    stalled: true,
    head: "abc",
    updated: "2026-01-01T00:00:00.000Z",
  });
  assert.equal(current.stalled, true);
  assert.equal(current.progress.cursor.offset, 1234);
  const watchV1 = ProgressRecordSchema.parse({
    v: 1,
    thread_id: folded.state.thread_id,
    path: "/r.jsonl",
    progress: asSavedBy010(progress),
    head: "def",
    stalled: false,
    updated: "2026-01-01T00:00:00.000Z",
  });
  assert.deepEqual(
    [watchV1.v, watchV1.path, watchV1.head, watchV1.progress.cursor.offset],
    [2, "/r.jsonl", "def", 1234],
  );
  const bare = ProgressRecordSchema.parse(asSavedBy010(progress));
  assert.deepEqual([bare.v, bare.path, bare.thread_id, bare.progress.cursor.ino], [
    2,
    null,
    folded.state.thread_id,
    77,
  ]);
  for (const garbage of [null, 3, {}, { v: 3 }, { cursor: { offset: -1 } }]) {
    assert.equal(ProgressRecordSchema.safeParse(garbage).success, false, JSON.stringify(garbage));
  }
});

Deno.test("a fold state saved by 0.1.0 is judged as before: its failed and completed turns keep their outcome", () => {
  for (
    const [version, scenario, status] of [
      ["0.169.0", "failure", "failed"],
      ["0.130.0", "failure", "failed"],
      ["0.169.0", "marker", "completed"],
      ["0.130.0", "interrupt", "aborted"],
    ] as const
  ) {
    const old = asSavedBy010({
      ...freshProgress(),
      state: foldLines(rolloutLines(version, scenario, "exec")).state,
    });
    assert.equal(rolloutStatus(old.state), status, `${version}/${scenario}`);
    const verdict = decide(evidenceOf({ ...foldLines([]), state: old.state })).verdict;
    const now = decide(evidenceOf(foldLines(rolloutLines(version, scenario, "exec")))).verdict;
    assert.deepEqual([verdict.state, verdict.reason, verdict.summary], [now.state, now.reason, now.summary]);
  }
});

Deno.test("verdict signatures keep 0.1.0's format (its cursor indexes hold them): a stall is working/working/stalled", () => {
  /** The signature as codexctl 0.1.0's hooks computed it. */
  const signed010 = (v: Verdict, turn: number, stalled: boolean) =>
    `${v.state}/${v.reason}${stalled ? "/stalled" : ""}#${
      fnv64(JSON.stringify([
        v.questions,
        v.options.map((o) => o.key),
        v.marker_found,
        v.plan !== null && v.plan !== "",
        turn,
        stalled,
      ]))
    }`;
  const open = foldUntil(rolloutLines("0.169.0", "shell", "exec"), (l) => l.includes('"function_call"'));
  const working = decide(evidenceOf(open)).verdict;
  const quiet = evidenceOf(open, { stall_ms: 60_000 });
  quiet.thread!.quiet_ms = 600_000;
  const stalled = decide(quiet).verdict;
  assert.equal(stalled.reason, "stalled");
  assert.equal(verdictSignature(stalled, 1), signed010(working, 1, true));
  assert.equal(verdictSignature(working, 1), signed010(working, 1, false));
  for (const scenario of ["marker", "question", "failure", "interrupt"]) {
    const v = decide(evidenceOf(foldLines(rolloutLines("0.169.0", scenario, "exec")))).verdict;
    assert.equal(verdictSignature(v, 2), signed010(v, 2, false), scenario);
  }
});

type Line = { event: string; reason: string };
const parse = (text: string): Line => JSON.parse(text).result as Line;

Deno.test("watch: a cursor saved by 0.1.0 (v1 record) is continued, nothing reported twice, nothing lost", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  const state = await Deno.makeTempDir({ prefix: "codexctl-state-" });
  const env = { CODEX_HOME: home, CODEXCTL_HOME: state };
  const id = threads[0].id;
  let w = spawnCli(["watch", "--thread", id, "--timeout", "1"], env);
  assert.deepEqual((await w.lines.rest()).map(parse).map((l) => l.event), ["snapshot", "ended"]);
  await w.exit();
  // the record as 0.1.0 wrote it
  const file = join(state, "watch", `${id}.json`);
  const saved = JSON.parse(await Deno.readTextFile(file));
  assert.equal(saved.v, 2);
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      v: 1,
      thread_id: id,
      path: saved.path,
      progress: asSavedBy010(saved.progress),
      head: saved.head,
      stalled: false,
      updated: saved.updated,
    }),
  );
  w = spawnCli(["watch", "--thread", id, "--timeout", "1"], env);
  assert.deepEqual(
    (await w.lines.rest()).map(parse).map((l) => l.event),
    ["ended"],
    "no snapshot, nothing again",
  );
  await w.exit();
  const turn = rolloutLines("0.169.0", "shell", "exec").slice(1);
  await Deno.writeTextFile(threads[0].path, turn.join("\n") + "\n", { append: true });
  w = spawnCli(
    ["watch", "--thread", id, "--timeout", "20", "--until", "completed", "--min-interval", "0"],
    env,
  );
  const events = (await w.lines.rest()).map(parse);
  assert.equal(await w.exit(), 0);
  assert.deepEqual(events.map((l) => l.event), ["turn_started", "turn_completed", "ended"]);
  assert.equal(JSON.parse(await Deno.readTextFile(file)).v, 2, "saved back as the current record");
});

Deno.test("hooks: progress saved by 0.1.0 (bare) is continued, and the change after it is delivered once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-hook-upgrade-" });
  const root = join(dir, "state");
  const hook = () =>
    runCli(["hook", "post-tool-use"], {
      env: { CODEXCTL_HOME: root, CODEX_HOME: join(dir, "codex-home"), HOME: dir },
      stdin: JSON.stringify({ session_id: OWNER, hook_event_name: "PostToolUse" }),
    });
  try {
    const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
    const rollout = join(dir, "rollout.jsonl");
    await Deno.writeTextFile(rollout, split.head);
    await writeSession(root, { session: "cdx-0a1b", owner: OWNER, rollout_path: rollout, pid: Deno.pid });
    assert.equal((await hook()).stdout, "", "a working session is no news");
    const dirOf = join(root, "hook-progress");
    const name = [...Deno.readDirSync(dirOf)].map((e) => e.name).find((n) => n.endsWith("--cdx-0a1b.json"))!;
    const saved = JSON.parse(await Deno.readTextFile(join(dirOf, name)));
    assert.equal(saved.v, 2);
    // 0.1.0 saved the bare progress; a marked turn count shows whether the next pass continues it
    const bare = asSavedBy010(saved.progress);
    bare.state.turn_count = 41;
    await Deno.writeTextFile(join(dirOf, name), JSON.stringify(bare));
    await Deno.writeTextFile(rollout, split.rest, { append: true });
    const out = await hook();
    const text = (out.json?.hookSpecificOutput as { additionalContext: string }).additionalContext;
    assert.match(text, /^codexctl: cdx-0a1b is completed \(marker_verified\)/);
    const after = JSON.parse(await Deno.readTextFile(join(dirOf, name)));
    assert.equal(after.v, 2);
    assert.equal(after.path, rollout);
    assert.equal(after.progress.state.turn_count, 41, "continued from the saved progress, not re-read");
    assert.equal(after.progress.cursor.offset, (await Deno.stat(rollout)).size);
    assert.equal((await hook()).stdout, "", "delivered once");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
