/**
 * Reading a headless run while Codex writes its `-o` file. Codex prints `turn.completed` first and
 * then writes the file by truncating and writing it, so a reading can find no file, an empty one,
 * or (for a long message) only its start. Every such reading must give the same final message and
 * the same verdict as the settled run: a watcher that saw the moment in between told a completed
 * run twice (first "without a final message", then with the marker).
 * The streams are the recorded real `codex exec --json` runs (0.169.0 and 0.130.0).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readExec, settledMessage } from "../src/substrate/exec_read.ts";
import { runFile } from "../src/substrate/exec_run.ts";
import { decide } from "../src/verdict/machine.ts";
import { MAX_MESSAGE_CHARS } from "../src/codex/exec/events.ts";
import { FIXTURES_DIR } from "./support/paths.ts";

const MARKER = "CDX_DONE_F1X7UR";

/** A finished run directory holding `events` and, when given, the `-o` file's current content. */
async function runDir(events: string, message: string | null): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-exec-read-" });
  await Deno.writeTextFile(runFile(dir, "events"), events);
  await Deno.writeTextFile(
    runFile(dir, "exit"),
    JSON.stringify({ code: 0, signal: null, ended: new Date().toISOString(), error: null }) + "\n",
  );
  if (message !== null) await Deno.writeTextFile(runFile(dir, "message"), message);
  return dir;
}

async function verdictOf(dir: string) {
  const r = await readExec({ dir, run: 1, schema: null }, null);
  const d = decide({
    target: { session: "cdx-0e0e", thread: r.exec.thread_id },
    now: Date.now(),
    thread: null,
    pane: null,
    process: r.process,
    exec: r.exec,
    marker: MARKER,
    artifacts: [],
  });
  return { exec: r.exec, verdict: d.verdict };
}

for (const version of ["0.169.0", "0.130.0"]) {
  Deno.test(`exec read ${version}: no -o file, an empty one, half of it, the whole — one final message, one verdict`, async () => {
    const events = Deno.readTextFileSync(
      join(FIXTURES_DIR, `codex-${version}`, "marker", "exec.events.jsonl"),
    );
    const settled = await verdictOf(await runDir(events, null));
    assert.equal(settled.verdict.reason, "marker_verified");
    const whole = settled.exec.last_agent_message!;
    assert.ok(whole.includes(MARKER));
    for (const moment of ["", whole.slice(0, Math.floor(whole.length / 2)), whole, whole + "\n"]) {
      const dir = await runDir(events, moment);
      try {
        const { exec, verdict } = await verdictOf(dir);
        assert.equal(exec.last_agent_message, whole, `-o holding ${JSON.stringify(moment.slice(0, 20))}…`);
        assert.equal(verdict.state, "completed");
        assert.equal(verdict.reason, "marker_verified");
        assert.equal(verdict.summary, settled.verdict.summary);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  });
}

Deno.test("exec read: a message longer than the stream keeps is taken from the -o file only once it is whole", async () => {
  const long = "x".repeat(MAX_MESSAGE_CHARS + 100) + `\n${MARKER}`;
  const events = [
    { type: "thread.started", thread_id: "0199a213-81c0-7800-8aa1-bbab2a035a53" },
    { type: "turn.started" },
    { type: "item.completed", item: { id: "item_0", type: "agent_message", text: long } },
    { type: "turn.completed", usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 } },
  ].map((e) => JSON.stringify(e)).join("\n") + "\n";
  // half written: the stream's start stands, and the whole is in the stream
  const half = await runDir(events, long.slice(0, 1000));
  const partial = (await verdictOf(half)).exec;
  assert.equal(partial.message_chars, long.length);
  assert.equal(partial.message_path, runFile(half, "events"));
  assert.ok(partial.message_tail?.endsWith(MARKER));
  // written: the file is where the whole message is
  const done = await runDir(events, long);
  const whole = await verdictOf(done);
  assert.equal(whole.exec.message_chars, long.length);
  assert.equal(whole.exec.message_path, runFile(done, "message"));
  assert.equal(whole.verdict.reason, "marker_verified");
  for (const dir of [half, done]) await Deno.remove(dir, { recursive: true });
});

Deno.test("settledMessage: the -o file stands when it holds at least what the stream carried", () => {
  const file = (text: string) => ({ text, chars: text.length });
  assert.equal(settledMessage(null, 5), null);
  assert.equal(settledMessage(file(""), 5), null, "truncated, not yet written");
  assert.equal(settledMessage(file("ab"), 5), null, "partly written");
  assert.deepEqual(settledMessage(file("abcde"), 5), file("abcde"));
  assert.deepEqual(settledMessage(file("a plan"), 0), file("a plan"), "a message only the file has");
  assert.deepEqual(settledMessage(file(""), 0), file(""), "no message at all");
});
