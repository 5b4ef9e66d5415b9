/**
 * `watch --thread`: lines ≤ 500 characters, coalesced bursts, the persisted cursor (no event twice,
 * none lost), archive moves — and a live rollout appended by the real Codex.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { RateLimiter } from "../src/watch/rate.ts";
import { MAX_LINE, renderLine } from "../src/watch/line.ts";
import { coalesce, transitionChange } from "../src/verdict/change.ts";
import { EnvelopeSchema, WatchEventSchema } from "../src/envelope.ts";
import { decide } from "../src/verdict/machine.ts";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { runExec } from "./support/codex_exec.ts";
import { spawnCli } from "./support/cli_stream.ts";
import { evidenceOf, foldLines, homeFromFixtures, rolloutLines } from "./support/fixtures.ts";
import { MockModel } from "./support/mock_model.ts";
import { wrapTask } from "../src/codex/prompt.ts";

type Line = {
  event: string;
  state: string;
  reason: string;
  summary: string;
  offset: number;
  next: string | null;
  detail: string;
  coalesced?: number;
};

function parse(text: string): Line {
  assert.ok(text.length <= MAX_LINE, `line of ${text.length} characters: ${text}`);
  const env = EnvelopeSchema.parse(JSON.parse(text));
  assert.equal(env.command, "watch");
  return WatchEventSchema.parse(env.result) as Line;
}

Deno.test("rate limiter: a burst of 3, then one line per interval", () => {
  const r = new RateLimiter(2000, 3, 0);
  assert.deepEqual([r.take(0), r.take(0), r.take(0), r.take(0)], [true, true, true, false]);
  assert.equal(r.waitMs(0), 2000);
  assert.equal(r.take(1999), false);
  assert.equal(r.take(2000), true);
  assert.equal(r.take(2500), false);
  let lines = 0;
  for (let t = 2500; t <= 62_500; t += 100) if (r.take(t)) lines++;
  assert.ok(lines >= 29 && lines <= 31, `sustained: ${lines} lines in 60 s`);
  const free = new RateLimiter(0);
  assert.ok(Array.from({ length: 50 }, () => free.take(0)).every(Boolean));
});

Deno.test("coalescing keeps the most important change and says how many it stands for", () => {
  const c = coalesce([
    { event: "turn_started", summary: "a", priority: 1 },
    { event: "turn_completed", summary: "b", priority: 5 },
    { event: "goal", summary: "c", priority: 3 },
  ]);
  assert.equal(c.event, "turn_completed");
  assert.equal(c.coalesced, 3);
});

Deno.test("every line fits in 500 characters, even with a long multi-byte final message", () => {
  const folded = foldLines(rolloutLines("0.169.0", "marker", "exec"));
  const verdict = decide(evidenceOf(folded)).verdict;
  for (const text of ["x".repeat(5000), "東京 — ’quote’ ".repeat(400), '"\\'.repeat(3000)]) {
    const { text: line } = renderLine(
      { event: "turn_completed", summary: text, priority: 5, coalesced: 4 },
      verdict,
      { session: null, thread: folded.state.thread_id },
      123456789,
      `codexctl status --thread ${folded.state.thread_id}`,
    );
    const parsed = parse(line);
    assert.ok(parsed.summary.length > 40, `the summary is cut, not dropped (${parsed.summary.length})`);
    assert.match(parsed.detail, /^codexctl status --thread /);
  }
  const t = transitionChange({
    t: "turn_ended",
    end: { id: "t", outcome: "completed", error: null, reason: null, at: 0 },
    last_agent_message: "m".repeat(1000),
    plan: null,
    offset: 0,
  });
  assert.equal(t.summary.length, 300, "the last message is cut to 300 characters");
});

function turnLines(): string[] {
  // one more complete turn, taken from a real 0.169 rollout (everything after session_meta)
  return rolloutLines("0.169.0", "shell", "exec").slice(1);
}

Deno.test("a re-armed watch continues exactly where the last one stopped, and follows an archive move", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  const state = await Deno.makeTempDir({ prefix: "codexctl-state-" });
  const env = { CODEX_HOME: home, CODEXCTL_HOME: state };
  const id = threads[0].id;
  // 1. first watch: a snapshot, then it ends
  let w = spawnCli(["watch", "--thread", id, "--timeout", "1"], env);
  const first = (await w.lines.rest()).map(parse);
  assert.equal(await w.exit(), 0);
  assert.deepEqual(first.map((l) => l.event), ["snapshot", "ended"]);
  assert.equal(first[0].reason, "turn_complete");
  // 2. re-armed with nothing new: no event twice
  w = spawnCli(["watch", "--thread", id, "--timeout", "1"], env);
  assert.deepEqual((await w.lines.rest()).map(parse).map((l) => l.event), ["ended"]);
  await w.exit();
  // 3. a turn lands while nobody watches; the file is then archived: the re-armed watch reports it
  await Deno.writeTextFile(threads[0].path, turnLines().join("\n") + "\n", { append: true });
  await Deno.mkdir(join(home, "archived_sessions"));
  const archived = join(home, "archived_sessions", threads[0].path.split("/").at(-1)!);
  await Deno.rename(threads[0].path, archived);
  w = spawnCli(
    ["watch", "--thread", id, "--timeout", "20", "--until", "completed", "--min-interval", "0"],
    env,
  );
  const events = (await w.lines.rest()).map(parse);
  assert.equal(await w.exit(), 0);
  assert.deepEqual(events.map((l) => l.event), ["turn_started", "turn_completed", "ended"]);
  assert.equal(events[1].reason, "marker_verified");
  assert.equal(events[1].offset, (await Deno.stat(archived)).size);
  // 4. a watch running while the archived file grows follows it too
  w = spawnCli(
    ["watch", "--thread", id, "--timeout", "20", "--until", "completed", "--min-interval", "0"],
    env,
  );
  await new Promise((r) => setTimeout(r, 700));
  await Deno.writeTextFile(archived, turnLines().join("\n") + "\n", { append: true });
  assert.deepEqual((await w.lines.rest()).map(parse).map((l) => l.event), [
    "turn_started",
    "turn_completed",
    "ended",
  ]);
  await w.exit();
  // --fresh starts over with a snapshot
  w = spawnCli(["watch", "--thread", id, "--timeout", "1", "--fresh"], env);
  assert.equal(parse((await w.lines.rest())[0]).event, "snapshot");
  await w.exit();
});

Deno.test("bursts are coalesced: many turns at once give at most 3 immediate lines", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  const env = { CODEX_HOME: home, CODEXCTL_HOME: await Deno.makeTempDir() };
  const w = spawnCli(["watch", "--thread", threads[0].id, "--timeout", "3"], env);
  await w.lines.next(20_000); // snapshot
  const many = Array.from({ length: 6 }, turnLines).flat();
  await Deno.writeTextFile(threads[0].path, many.join("\n") + "\n", { append: true });
  const lines = (await w.lines.rest()).map(parse);
  await w.exit();
  const body = lines.filter((l) => l.event !== "ended");
  assert.ok(body.length <= 3, `${body.length} lines for a burst of 12 changes`);
  assert.ok(body.some((l) => (l.coalesced ?? 1) > 1), "a line says it stands for several changes");
  assert.equal(lines.at(-1)?.event, "ended");
});

Deno.test("bad watch input is one JSON line (exit 2 / 4), never a multi-line document", async () => {
  const { home } = await homeFromFixtures([{ version: "0.169.0", scenario: "message", kind: "exec" }]);
  for (
    const [args, code] of [[["watch", "--thread", "nope"], 2], [[
      "watch",
      "--thread",
      "01a1fee2-0000-7000-8000-000000000000",
    ], 4], [["watch", "--thread", "x", "--until", "later"], 2]] as const
  ) {
    const w = spawnCli([...args], { CODEX_HOME: home, CODEXCTL_HOME: await Deno.makeTempDir() });
    const lines = await w.lines.rest();
    assert.equal(await w.exit(), code);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(JSON.parse(lines[0]).ok, false);
  }
});

Deno.test(`live: codexctl watch follows a rollout the real Codex ${CODEX_VERSIONS.current} appends (turns, a commit, a stall)`, async () => {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const mock = await MockModel.start();
  const repo = await Deno.makeTempDir({ prefix: "codexctl-watch-repo-" });
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args: ["-C", repo, ...args],
      env: {
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@x",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@x",
      },
    }).output();
  await git("init", "-q");
  await git("commit", "-q", "--allow-empty", "-m", "first");
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo] });
  const env = { CODEX_HOME: home.dir, CODEXCTL_HOME: await Deno.makeTempDir() };
  try {
    const first = await runExec(install, home, "{{say ready}}", { cwd: repo });
    assert.equal(first.code, 0, first.stderr);
    const id = first.threadId!;
    const args = [
      "watch",
      "--thread",
      `codex://threads/${id}`,
      "--until",
      "completed",
      "--stall",
      "2",
      "--min-interval",
      "0",
      "--timeout",
      "90",
    ];
    // a new watch of the finished thread: it already is where --until asks, so it says so and stops
    // at once (it used to wait out its whole timeout)
    const t0 = Date.now();
    const finished = spawnCli(args, env);
    const said = (await finished.lines.rest(30_000)).map(parse);
    assert.equal(await finished.exit(), 0);
    assert.deepEqual(said.map((l) => l.event), ["snapshot", "ended"]);
    assert.equal(said[1].summary, "watch ended: the thread is already completed (--until completed)");
    assert.ok(Date.now() - t0 < 20_000, "stopped without waiting for the timeout");
    // re-armed (its cursor saved), the watch follows the thread's next turn: nothing is lost even if
    // the turn starts before it reads
    const w = spawnCli(args, env);
    const resumed = runExec(
      install,
      home,
      wrapTask("{{pause 5}} {{shell echo watched}} {{done Watched turn done.}}", "CDX_DONE_WATCH1"),
      {
        cwd: repo,
        args: [],
        resumeId: id,
      },
    ).catch((e) => e);
    assert.equal(parse(await w.lines.until((l) => l.includes('"turn_started"'), 30_000)).state, "working");
    await git("commit", "-q", "--allow-empty", "-m", "made while Codex works");
    const rest = (await w.lines.rest(60_000)).map(parse);
    assert.equal(await w.exit(), 0);
    const events = rest.map((l) => l.event);
    assert.ok(events.includes("commit"), events.join(","));
    assert.ok(rest.find((l) => l.event === "commit")!.summary.includes("made while Codex works"));
    assert.ok(
      events.indexOf("stalled") >= 0 && events.indexOf("resumed") > events.indexOf("stalled"),
      events.join(","),
    );
    const done = rest.find((l) => l.event === "turn_completed")!;
    assert.equal(done.reason, "marker_verified");
    assert.match(done.summary, /Watched turn done\./);
    assert.equal(events.at(-1), "ended");
    const exec = await resumed;
    assert.equal(exec.code, 0);
  } finally {
    await mock.close();
    await home.cleanup();
  }
});

Deno.test("a new watch of a thread already where --until asks says so and stops (finished, waiting, failed, interrupted); one still working waits", async () => {
  const { home, threads } = await homeFromFixtures([
    { version: "0.169.0", scenario: "message", kind: "exec" },
    { version: "0.169.0", scenario: "user_input", kind: "tui" },
    { version: "0.169.0", scenario: "failure", kind: "exec" },
    { version: "0.130.0", scenario: "interrupt", kind: "tui" },
    { version: "0.169.0", scenario: "message", kind: "tui" },
  ]);
  // cut two rollouts where Codex still works, and where it waits for the answer to its question
  const cut = async (i: number, keep: (line: string) => boolean) => {
    const lines = (await Deno.readTextFile(threads[i].path)).split("\n").filter(Boolean);
    const at = lines.findIndex((l) => !keep(l));
    assert.ok(at > 0);
    await Deno.writeTextFile(threads[i].path, lines.slice(0, at).join("\n") + "\n");
  };
  let asked = false;
  await cut(1, (l) => {
    if (asked) return false;
    asked = l.includes('"name":"request_user_input"');
    return true;
  });
  await cut(4, (l) => !l.includes('"task_complete"') && !l.includes('"agent_message"'));
  const cases: [number, string, string | null][] = [
    // [thread, --until, the status it ends on (null: keeps waiting)]
    [0, "completed", "completed"],
    [0, "settled", "completed"],
    [1, "settled", "waiting input"],
    [1, "completed", null],
    [2, "completed", "failed"],
    [3, "completed", "aborted"],
    [4, "settled", null],
    [4, "completed", null],
  ];
  for (const [i, until, status] of cases) {
    const env = { CODEX_HOME: home, CODEXCTL_HOME: await Deno.makeTempDir() };
    const w = spawnCli(["watch", "--thread", threads[i].id, "--until", until, "--timeout", "2"], env);
    const lines = (await w.lines.rest(20_000)).map(parse);
    assert.equal(await w.exit(), 0);
    assert.deepEqual(lines.map((l) => l.event), ["snapshot", "ended"], `${i} --until ${until}`);
    assert.equal(
      lines[1].summary,
      status === null
        ? "watch ended: no more time (--timeout 2 s); re-arm to continue where this one stopped"
        : `watch ended: the thread is already ${status} (--until ${until})`,
      `${i} --until ${until}`,
    );
  }
});
