/**
 * The events a person acts on, in `watch --thread` and `watch --session`: `failure` (a failing test
 * run, a traceback, a test command's non-zero exit in new tool output — at most once per turn) and
 * `value_changed` (`--watch-file PATH [--pattern RE]`). The real Codex runs the real commands (a
 * failing `unittest`, a Python traceback, a failing check script) against the mock model; bad input
 * (a bad pattern, a missing file, a FIFO, a directory, a broken `failures` config) is one error line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EnvelopeSchema, WatchEventSchema } from "../src/envelope.ts";
import { MAX_LINE, renderLine } from "../src/watch/line.ts";
import { decide } from "../src/verdict/machine.ts";
import { wrapTask } from "../src/codex/prompt.ts";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { runExec } from "./support/codex_exec.ts";
import { spawnCli } from "./support/cli_stream.ts";
import { evidenceOf, foldLines, homeFromFixtures, rolloutLines } from "./support/fixtures.ts";
import { MockModel } from "./support/mock_model.ts";
import { result, startRig } from "./support/session_rig.ts";
import { runCli } from "./support/cli.ts";

const OWNER = "7a1e0b5c-0000-4000-8000-0000000e7e47";

type Line = ReturnType<typeof WatchEventSchema.parse>;

function parse(text: string): Line {
  assert.ok(text.length <= MAX_LINE, `line of ${text.length} characters: ${text}`);
  const env = EnvelopeSchema.parse(JSON.parse(text));
  assert.equal(env.command, "watch");
  assert.equal(env.ok, true, text);
  return WatchEventSchema.parse(env.result);
}

/** A failing unittest module, a script that crashes, and a check script that exits 3. */
async function writeProject(dir: string): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "test_calc.py"),
    [
      "import unittest",
      "",
      "class TestCalc(unittest.TestCase):",
      "    def test_add(self):",
      "        self.assertEqual(1 + 2, 4)",
      "",
      "    def test_sub(self):",
      "        self.assertEqual(3 - 2, 1)",
      "",
    ].join("\n"),
  );
  await Deno.writeTextFile(join(dir, "check.sh"), "echo 'checked 12 files, 1 broken'\nexit 3\n");
  await Deno.writeTextFile(join(dir, "metrics.txt"), "epoch=1 loss=0.90 note=start\n");
}

const FAILING_TEST = "{{shell python3 -m unittest test_calc}}";
const TRACEBACK = `{{shell python3 -c "import json; json.loads('{')"}}`;
const CHECK = "{{shell sh check.sh}}";

Deno.test(`live: watch --thread reports a failing test run once per turn, a traceback, a configured test command's exit, and --watch-file changes (real Codex ${CODEX_VERSIONS.current})`, async () => {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const mock = await MockModel.start();
  const repo = await Deno.makeTempDir({ prefix: "codexctl-events-repo-" });
  await writeProject(repo);
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo] });
  const state = await Deno.makeTempDir({ prefix: "codexctl-events-state-" });
  // check.sh is a test run here: configured, not a default
  await Deno.writeTextFile(
    join(state, "config.jsonc"),
    `{ "failures": { "test_commands": ["\\\\bcheck\\\\.sh\\\\b", "\\\\bunittest\\\\b"] } }`,
  );
  const env = { CODEX_HOME: home.dir, CODEXCTL_HOME: state };
  const metrics = join(repo, "metrics.txt");
  try {
    const first = await runExec(install, home, "{{say ready}}", { cwd: repo });
    assert.equal(first.code, 0, first.stderr);
    const id = first.threadId!;
    const args = [
      "watch",
      "--thread",
      id,
      "--until",
      "completed",
      "--min-interval",
      "0",
      "--timeout",
      "90",
      "--watch-file",
      metrics,
      "--pattern",
      "loss=\\S+",
    ];
    // the first watch saves the cursor (the thread is already finished)
    const w = spawnCli(args, env);
    assert.deepEqual((await w.lines.rest(30_000)).map(parse).map((l) => l.event), ["snapshot", "ended"]);
    assert.equal(await w.exit(), 0);
    const turn = async (prompt: string, marker: string, during?: () => Promise<void>) => {
      const watch = spawnCli(args, env);
      const run = runExec(install, home, wrapTask(prompt, marker), { cwd: repo, resumeId: id });
      if (during) {
        await watch.lines.until((l) => l.includes('"turn_started"'), 60_000);
        await during();
      }
      await watch.lines.rest(90_000);
      const lines = watch.lines.seen.map(parse);
      assert.equal(await watch.exit(), 0);
      assert.equal((await run).code, 0);
      return lines;
    };
    // turn 1: a failing unittest, then a traceback in the same turn — one failure line; and the
    // watched value changes while Codex works
    const one = await turn(
      `{{pause 2}} ${FAILING_TEST} ${TRACEBACK} {{done Ran the tests.}}`,
      "CDX_DONE_EVT1",
      () => Deno.writeTextFile(metrics, "epoch=2 loss=0.42 note=better\n"),
    );
    const failures = one.filter((l) => l.event === "failure");
    assert.equal(failures.length, 1, one.map((l) => `${l.event}: ${l.summary}`).join("\n"));
    assert.match(failures[0].summary, /^python3 -m unittest test_calc exited with 1: FAILED \(failures=1\)$/);
    assert.deepEqual(failures[0].failure, { kind: "output", exit_code: 1 });
    const value = one.find((l) => l.event === "value_changed")!;
    assert.ok(value, one.map((l) => l.event).join(","));
    assert.equal(value.summary, "VALUE CHANGE metrics.txt: loss=0.42 (was: loss=0.90)");
    assert.deepEqual(value.value, { path: metrics, gone: false });
    assert.equal(one.at(-2)?.event, "turn_completed");
    // turn 2: the traceback alone is this turn's failure
    const two = await turn(`${TRACEBACK} {{done Crashed.}}`, "CDX_DONE_EVT2");
    const tb = two.filter((l) => l.event === "failure");
    assert.equal(tb.length, 1);
    assert.match(
      tb[0].summary,
      /exited with 1: Traceback: json\.decoder\.JSONDecodeError: Expecting property name/,
    );
    assert.equal(two.filter((l) => l.event === "value_changed").length, 0, "the value did not change");
    // turn 3: no failure word, but a configured test command exits 3
    const three = await turn(`${CHECK} {{done Checked.}}`, "CDX_DONE_EVT3");
    const exit = three.filter((l) => l.event === "failure");
    assert.equal(exit.length, 1, three.map((l) => `${l.event}: ${l.summary}`).join("\n"));
    assert.equal(exit[0].summary, "A test run failed: sh check.sh exited with 3: checked 12 files, 1 broken");
    assert.equal(exit[0].failure!.kind, "exit");
  } finally {
    await mock.close();
    await home.cleanup();
  }
});

Deno.test({
  name:
    `live: watch --session reports a failing test run once per turn and --watch-file changes; watch --all --mine and the hooks tell it once (real Codex ${CODEX_VERSIONS.current} in tmux)`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startRig();
    try {
      const repo = await rig.repo();
      await writeProject(repo);
      const metrics = join(repo, "metrics.txt");
      // the session belongs to a Claude Code session (OWNER): its hooks and its watch --all --mine
      // share one record of what Claude was told
      const owned = { ...rig.env, CODEXCTL_OWNER: OWNER };
      const hook = (event: string) =>
        runCli(["hook", event], {
          env: owned,
          stdin: JSON.stringify({ session_id: OWNER, hook_event_name: "PostToolUse" }),
        });
      const started = await rig.cli([
        "start",
        "--task",
        `{{pause 5}} ${FAILING_TEST} ${TRACEBACK} {{pause 3}} {{done Tests ran.}}`,
        "--via",
        "tmux",
        "--cwd",
        repo,
        "--no-wait",
      ], { CODEXCTL_OWNER: OWNER });
      const session = String(result(started) && started.json!.session);
      // the hook after the start call: its first look at the session (the baseline)
      assert.doesNotMatch((await hook("post-tool-use")).stdout, /a failure/);
      const all = spawnCli(["watch", "--all", "--mine", "--min-interval", "0", "--timeout", "120"], owned);
      const w = spawnCli(
        [
          "watch",
          "--session",
          session,
          "--min-interval",
          "0",
          "--timeout",
          "120",
          "--no-close",
          "--watch-file",
          metrics,
        ],
        rig.env,
      );
      // the value changes while Codex still works (after its failing test run, before it finishes)
      await w.lines.until((l) => l.includes('"failure"'), 60_000);
      await Deno.writeTextFile(metrics, "epoch=2 loss=0.42\n");
      await w.lines.rest(120_000);
      const lines = w.lines.seen.map(parse);
      assert.equal(await w.exit(), 0);
      // watch --all --mine told the failure once; no hook repeats it
      await all.lines.until((l) => l.includes('"event":"failure"'), 30_000);
      assert.doesNotMatch((await hook("post-tool-use")).stdout, /a failure/);
      all.child.kill("SIGTERM");
      await all.exit();
      const told = all.lines.seen.filter((l) => l.includes('"event":"failure"'));
      assert.equal(told.length, 1, all.lines.seen.join("\n"));
      assert.match(
        JSON.parse(told[0]).result.summary,
        /^failure: python3 -m unittest test_calc exited with 1: FAILED/,
      );
      await rig.cli(["end", "--session", session]);
      const events = lines.map((l) => `${l.event}: ${l.summary}`).join("\n");
      const failures = lines.filter((l) => l.event === "failure");
      assert.equal(failures.length, 1, events);
      assert.match(
        failures[0].summary,
        /^python3 -m unittest test_calc exited with 1: FAILED \(failures=1\)$/,
      );
      const values = lines.filter((l) => l.event === "value_changed");
      assert.equal(values.length, 1, events);
      assert.equal(
        values[0].summary,
        "VALUE CHANGE metrics.txt: epoch=2 loss=0.42 (was: epoch=1 loss=0.90 note=start)",
      );
      assert.ok(lines.some((l) => l.state === "completed"), events);
    } finally {
      await rig.close();
    }
  },
});

Deno.test("bad --watch-file / --pattern / failures config: one error line with the right exit code, never a hang", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  const dir = await Deno.makeTempDir({ prefix: "codexctl-events-bad-" });
  const fifo = join(dir, "fifo");
  assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
  const file = join(dir, "ok.txt");
  await Deno.writeTextFile(file, "x=1\n");
  const id = threads[0].id;
  const cases: [string[], number, string, Record<string, string>?][] = [
    [["--watch-file", file, "--pattern", "(unclosed"], 2, "BAD_ARGS"],
    [["--watch-file", file, "--pattern", ""], 2, "BAD_ARGS"],
    [["--pattern", "x"], 2, "BAD_FLAG"],
    [["--watch-file", ""], 2, "BAD_ARGS"],
    [["--watch-file", join(dir, "missing.txt")], 4, "FILE_NOT_FOUND"],
    [["--watch-file", fifo], 3, "NOT_A_FILE"],
    [["--watch-file", dir], 3, "NOT_A_FILE"],
    [[], 2, "BAD_CONFIG", { config: `{"failures": {"output": ["[broken"]}}` }],
  ];
  for (const [extra, code, errorCode, opts] of cases) {
    const state = await Deno.makeTempDir();
    if (opts?.config) await Deno.writeTextFile(join(state, "config.jsonc"), opts.config);
    for (const target of [["--thread", id], ["--session", "cdx-0000"], ["--all"]]) {
      // the flags and the config are checked before the target is looked up
      const t0 = Date.now();
      const w = spawnCli(["watch", ...target, "--timeout", "5", ...extra], {
        CODEX_HOME: home,
        CODEXCTL_HOME: state,
      });
      const lines = await w.lines.rest(20_000);
      const got = await w.exit(20_000);
      assert.ok(Date.now() - t0 < 15_000, `${extra.join(" ")}: answered at once`);
      assert.equal(lines.length, 1, lines.join("\n"));
      const env = JSON.parse(lines[0]);
      assert.equal(env.ok, false);
      assert.equal(env.error.code, errorCode, `${target.join(" ")} ${extra.join(" ")}: ${lines[0]}`);
      assert.equal(got, code, lines[0]);
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failure line keeps its summary (what failed) before the verdict's next command; ≤ 500 characters", () => {
  const folded = foldLines(rolloutLines("0.169.0", "shell", "exec").slice(0, -3));
  const verdict = decide(evidenceOf(folded)).verdict;
  const id = folded.state.thread_id!;
  const summary =
    `python3 -c "import json; json.loads('{')" exited with 1: Traceback: json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`;
  const long = { session: "cdx-1a2b", thread: id };
  const { text } = renderLine(
    { event: "failure", summary, priority: 5, failure: { kind: "output", exit_code: 1 } },
    {
      ...verdict,
      next_action: { ...verdict.next_action, command: `codexctl await --thread ${id} --timeout 540` },
    },
    long,
    123456789,
    `codexctl status --thread ${id}`,
  );
  const line = parse(text);
  assert.ok(line.summary.length >= 130, `${line.summary.length} characters kept`);
  assert.ok(summary.startsWith(line.summary.slice(0, -1)), line.summary);
  assert.match(line.summary, /Expecting property name/);
  assert.equal(line.next, null, "the next command gave way");
  // a change line keeps its next command and cuts its summary instead
  const other = parse(
    renderLine(
      { event: "turn_completed", summary: summary.repeat(3), priority: 5 },
      {
        ...verdict,
        next_action: { ...verdict.next_action, command: `codexctl await --thread ${id} --timeout 540` },
      },
      long,
      123456789,
      `codexctl status --thread ${id}`,
    ).text,
  );
  assert.ok(other.next !== null && other.summary.length < summary.length * 3);
});

Deno.test("a re-armed watch --thread tells a value change made while nobody watched, once; another pattern starts over", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  const dir = await Deno.makeTempDir({ prefix: "codexctl-events-rearm-" });
  const metrics = join(dir, "metrics.txt");
  await Deno.writeTextFile(metrics, "epoch=1 loss=0.90\n");
  const env = { CODEX_HOME: home, CODEXCTL_HOME: await Deno.makeTempDir() };
  const watch = async (pattern: string) => {
    const args = ["--thread", threads[0].id, "--timeout", "1", "--min-interval", "0"];
    const w = spawnCli(["watch", ...args, "--watch-file", metrics, "--pattern", pattern], env);
    const lines = (await w.lines.rest(30_000)).map(parse);
    assert.equal(await w.exit(), 0);
    return lines;
  };
  assert.deepEqual((await watch("loss=\\S+")).map((l) => l.event), ["snapshot", "ended"]);
  await Deno.writeTextFile(metrics, "epoch=2 loss=0.42\n");
  const rearmed = await watch("loss=\\S+");
  assert.deepEqual(rearmed.map((l) => l.event), ["value_changed", "ended"]);
  assert.equal(rearmed[0].summary, "VALUE CHANGE metrics.txt: loss=0.42 (was: loss=0.90)");
  assert.deepEqual(rearmed[0].value, { path: metrics, gone: false });
  assert.deepEqual((await watch("loss=\\S+")).map((l) => l.event), ["ended"], "told once");
  // another pattern is another value: its first watch is its baseline
  await Deno.writeTextFile(metrics, "epoch=3 loss=0.10\n");
  assert.deepEqual((await watch("epoch=\\d+")).map((l) => l.event), ["ended"]);
  // the file goes away while a watch runs: said once, as gone
  const w = spawnCli([
    "watch",
    "--thread",
    threads[0].id,
    "--timeout",
    "4",
    "--min-interval",
    "0",
    "--watch-file",
    metrics,
  ], env);
  await new Promise((res) => setTimeout(res, 1500));
  await Deno.remove(metrics);
  const gone = (await w.lines.rest(30_000)).map(parse);
  assert.equal(await w.exit(), 0);
  assert.deepEqual(gone.map((l) => l.event), ["value_changed", "ended"]);
  assert.equal(gone[0].summary, "VALUE CHANGE metrics.txt: the file is gone or cannot be read");
  assert.deepEqual(gone[0].value, { path: metrics, gone: true });
});
