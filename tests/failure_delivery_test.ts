/**
 * A failure in a session's tool output reaches Claude exactly once, through whichever path claims
 * it first in the owner's cursor index: a tool call's hook (PostToolUse) or `watch --all --mine` —
 * or, never alone, with the Stop block or wake-up for the session's finished turn (a failure while
 * Codex still works needs nobody yet) — and `watch --all` also prints `--watch-file` changes. The
 * hooks and the watch run as subprocesses from source, on session records bound to a recorded real
 * Codex 0.169 rollout cut while Codex works; Codex "runs" its command when the test appends the
 * recorded output line with a failing pytest run as its output (the shape Codex writes).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hookContext, type HookRig, hookRig, wakeWaiting } from "./support/hook_rig.ts";
import { spawnCli } from "./support/cli_stream.ts";
import { splitFixture, writeSession } from "./support/session_record.ts";
import { EnvelopeSchema, FleetEventSchema } from "../src/envelope.ts";

const OWNER = "7a1e0b5c-0000-4000-8000-00000000f417";

const PYTEST_OUTPUT = [
  "collected 2 items",
  "tests/test_calc.py .F",
  "=========================== short test summary info ============================",
  "FAILED tests/test_calc.py::test_add - assert 3 == 4",
  "========================= 1 failed, 1 passed in 0.03s ==========================",
].join("\n");

const FAILURE_LINE =
  /^codexctl: cdx-1a2b \(calc\): a failure in Codex's tool output — pytest -q exited with 1: FAILED tests\/test_calc\.py::test_add - assert 3 == 4\. Codex is still working\. Details: codexctl status --session cdx-1a2b$/m;

type Rig = HookRig;
const rig = () => hookRig(OWNER, "codexctl-failure-delivery-");

/** The recorded tool output line with `text` as pytest's output and `exit` as its exit code. */
function failingOutput(line: string, exit: number, text: string): string {
  const rec = JSON.parse(line);
  rec.payload.output =
    `Chunk ID: 0abc12\nWall time: 0.3000 seconds\nProcess exited with code ${exit}\nOriginal token count: 40\nOutput:\n${text}`;
  return JSON.stringify(rec);
}

/** The recorded call line running `cmd` (same call id). */
function callRunning(line: string, cmd: string): string {
  const rec = JSON.parse(line);
  rec.payload.arguments = JSON.stringify({ cmd });
  return JSON.stringify(rec);
}

/**
 * A session bound to the recorded `shell` rollout, cut just before its tool output (Codex runs the
 * command). `fail()` appends the output as a failing pytest run; `more()` a second failure of the
 * same turn; `finish()` the rest of the turn.
 */
async function boundSession(r: Rig, session: string) {
  const split = splitFixture("0.169.0", "shell", (l) => l.includes('"type":"function_call_output"'));
  const head = split.head.trimEnd().split("\n");
  const call = head.findLastIndex((l) => l.includes('"type":"function_call"'));
  head[call] = callRunning(head[call], "pytest -q");
  const [output, ...rest] = split.rest.trimEnd().split("\n");
  const rollout = join(r.dir, `${session}.rollout.jsonl`);
  await Deno.writeTextFile(rollout, head.join("\n") + "\n");
  await writeSession(r.root, {
    session,
    owner: OWNER,
    rollout_path: rollout,
    thread_id: split.thread,
    slug: "calc",
  });
  const append = (lines: string[]) => Deno.writeTextFile(rollout, lines.join("\n") + "\n", { append: true });
  return {
    fail: () => append([failingOutput(output, 1, PYTEST_OUTPUT)]),
    more: () =>
      append([
        callRunning(head[call], "python3 app.py").replace('"call_7"', '"call_8"'),
        failingOutput(output, 1, 'Traceback (most recent call last):\n  File "app.py", line 1\nValueError: x')
          .replace(
            '"call_7"',
            '"call_8"',
          ),
      ]),
    finish: () => append(rest),
  };
}

Deno.test("a tool call's hook tells a failure once; a second failure of the same turn, a Stop and the wake-up stay quiet", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b");
    // the first look is the baseline: nothing is new tool output yet
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await s.fail();
    const told = hookContext(await r.hook("post-tool-use"));
    assert.match(told, FAILURE_LINE);
    assert.equal(told.split("\n").length, 1, told);
    assert.equal((await r.hook("post-tool-use")).stdout, "", "once");
    await s.more();
    assert.equal((await r.hook("post-tool-use")).stdout, "", "at most one failure per turn");
    assert.equal((await r.hook("stop")).stdout, "", "told already: the Stop does not block for it");
    // the turn ends: its completion is told as usual, the failure not again
    await s.finish();
    const done = hookContext(await r.hook("post-tool-use"));
    assert.match(done, /cdx-1a2b \(calc\) is completed/);
    assert.doesNotMatch(done, /a failure/);
  } finally {
    await r.cleanup();
  }
});

Deno.test("a Stop never blocks for a failure alone (Codex still works on it); it comes once with the block for the finished turn", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await s.fail();
    assert.equal((await r.hook("stop")).stdout, "", "Codex is still on its turn: nothing needs Claude yet");
    await s.finish();
    const stop = await r.hook("stop");
    assert.equal(stop.json?.decision, "block", stop.stdout);
    const reason = String(stop.json?.reason);
    assert.match(reason, /cdx-1a2b \(calc\) is completed/);
    assert.match(
      reason,
      /^- cdx-1a2b \(calc\): a failure in Codex's tool output — pytest -q exited with 1: FAILED tests\/test_calc\.py::test_add/m,
    );
    assert.doesNotMatch(reason, /Codex is still working/, "the turn has ended");
    assert.equal((await r.hook("stop")).stdout, "", "once");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

Deno.test("the wake-up never wakes Claude for a failure alone; it wakes once when the turn ends, the failure with it", async () => {
  const r = await rig();
  try {
    const s = await boundSession(r, "cdx-1a2b");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    const wake = r.hook("wake");
    await wakeWaiting(r.root);
    await new Promise((res) => setTimeout(res, 300));
    await s.fail();
    // the wake-up sees the failure (its fleet pass reads the rollout on every change) and keeps waiting
    await new Promise((res) => setTimeout(res, 1500));
    await s.finish();
    const woke = await wake;
    assert.equal(woke.code, 2, woke.stderr);
    assert.match(woke.stderr, /cdx-1a2b \(calc\) is completed/);
    assert.match(
      woke.stderr,
      /cdx-1a2b \(calc\): a failure in Codex's tool output — pytest -q exited with 1/,
    );
    assert.doesNotMatch(woke.stderr, /Codex is still working/);
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    assert.equal((await r.hook("stop")).stdout, "");
  } finally {
    await r.cleanup();
  }
});

type FleetLine = ReturnType<typeof FleetEventSchema.parse>;

async function watchAll(r: Rig, seconds: number, extra: string[] = [], during?: () => Promise<void>) {
  const w = spawnCli(
    ["watch", "--all", "--mine", "--timeout", String(seconds), "--min-interval", "0", ...extra],
    { ...r.env, CODEXCTL_OWNER: OWNER },
  );
  await w.lines.next(30_000); // the snapshot: the watch has made its first pass
  if (during) await during();
  await w.lines.rest(60_000);
  assert.equal(await w.exit(), 0);
  return w.lines.seen.map((l) => {
    assert.ok(l.length <= 500, l);
    return FleetEventSchema.parse(
      EnvelopeSchema.parse(JSON.parse(l)).ok && JSON.parse(l).result,
    ) as FleetLine;
  });
}

Deno.test("watch --all --mine and the hooks share a failure: told by one, never by the other; --watch-file changes in the stream", async () => {
  const r = await rig();
  try {
    // the stream tells it first: no hook repeats it
    const a = await boundSession(r, "cdx-1a2b");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    const metrics = join(r.dir, "metrics.txt");
    await Deno.writeTextFile(metrics, "step=1 acc=0.50\n");
    const lines = await watchAll(r, 4, ["--watch-file", metrics, "--pattern", "acc=\\S+"], async () => {
      await a.fail();
      await new Promise((res) => setTimeout(res, 1200));
      await Deno.writeTextFile(metrics, "step=2 acc=0.75\n");
    });
    const failures = lines.filter((l) => l.event === "failure");
    assert.equal(failures.length, 1, JSON.stringify(lines));
    assert.equal(failures[0].target?.session, "cdx-1a2b");
    assert.equal(
      failures[0].summary,
      "failure: pytest -q exited with 1: FAILED tests/test_calc.py::test_add - assert 3 == 4",
    );
    assert.deepEqual(failures[0].failure, { kind: "output", exit_code: 1 });
    const values = lines.filter((l) => l.event === "value_changed");
    assert.equal(values.length, 1, JSON.stringify(lines));
    assert.equal(values[0].summary, "VALUE CHANGE metrics.txt: acc=0.75 (was: acc=0.50)");
    assert.equal(lines.at(-1)?.summary.includes(`--watch-file ${metrics} --pattern 'acc=\\S+'`), true);
    assert.equal((await r.hook("post-tool-use")).stdout, "", "told by the stream");
    assert.equal((await r.hook("stop")).stdout, "");
    // a hook tells the next one first: the stream does not print it
    const b = await boundSession(r, "cdx-2b3c");
    assert.equal((await r.hook("post-tool-use")).stdout, "");
    await b.fail();
    assert.match(
      hookContext(await r.hook("post-tool-use")),
      /cdx-2b3c \(calc\): a failure in Codex's tool output/,
    );
    const after = await watchAll(r, 2);
    assert.equal(after.filter((l) => l.event === "failure").length, 0, JSON.stringify(after));
  } finally {
    await r.cleanup();
  }
});
