/**
 * The `codex exec --json` stream reader and fold, on the recorded real streams of Codex 0.169.0 and
 * 0.130.0 (tests/fixtures/codex-<version>/<scenario>/exec.events.jsonl) and on streams written in
 * pieces: byte offsets, half-written lines, UTF-8 split across reads, a replaced file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  foldExecText,
  initialExecState,
  MAX_MESSAGE_CHARS,
  MESSAGE_TAIL_CHARS,
  parseExecLine,
} from "../src/codex/exec/events.ts";
import { freshExecProgress, readExecStream } from "../src/codex/exec/reader.ts";
import { FIXTURES_DIR } from "./support/paths.ts";

const VERSIONS = ["0.169.0", "0.130.0"];

function fixture(version: string, scenario: string): string {
  return Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${version}`, scenario, "exec.events.jsonl"));
}

for (const version of VERSIONS) {
  Deno.test(`exec fold ${version}: a completed turn with the marker`, () => {
    const s = foldExecText(fixture(version, "marker"));
    assert.match(s.thread_id ?? "", /^[0-9a-f]{8}-/);
    assert.equal(s.turn, "completed");
    assert.equal(s.turns, 1);
    assert.match(s.last_agent_message ?? "", /CDX_DONE_F1X7UR$/);
    assert.ok(s.usage && s.usage.input > 0 && s.usage.output > 0);
    assert.equal(s.invalid, 0);
    assert.deepEqual(s.unknown, {});
  });

  Deno.test(`exec fold ${version}: a failed turn keeps Codex's error`, () => {
    const s = foldExecText(fixture(version, "failure"));
    assert.equal(s.turn, "failed");
    assert.match(s.turn_error ?? "", /high demand/);
    assert.match(s.last_error ?? "", /high demand/);
    assert.equal(s.last_agent_message, null);
  });

  Deno.test(`exec fold ${version}: an interrupted run ends with an open turn`, () => {
    const s = foldExecText(fixture(version, "interrupt"));
    assert.equal(s.turn, "started");
    assert.equal(s.turn_error, null);
  });

  Deno.test(`exec fold ${version}: a shell command is running until its item completes`, () => {
    const lines = fixture(version, "shell").split("\n").filter(Boolean);
    const upToStart = lines.slice(0, lines.findIndex((l) => l.includes('"item.started"')) + 1).join("\n");
    const mid = foldExecText(upToStart);
    assert.equal(mid.turn, "started");
    assert.match(mid.running?.command ?? "", /echo codexctl-fixture-shell/);
    const end = foldExecText(lines.join("\n"));
    assert.equal(end.turn, "completed");
    assert.equal(end.running, null, "a finished turn runs nothing");
  });
}

Deno.test("exec fold: warnings (error items) are not failures", () => {
  const s = foldExecText(fixture("0.169.0", "marker"));
  assert.equal(s.warnings, 1);
  assert.match(s.last_warning ?? "", /Model metadata/);
  assert.equal(s.last_error, null);
});

Deno.test("exec parse: garbage and unknown types are counted, never fatal", () => {
  assert.equal(parseExecLine("not json"), null);
  assert.equal(parseExecLine("[1,2]"), null);
  assert.equal(parseExecLine('{"no":"type"}'), null);
  assert.deepEqual(parseExecLine('{"type":"thread.started"}'), { k: "unknown", type: "thread.started" });
  assert.deepEqual(parseExecLine('{"type":"item.completed","item":7}'), {
    k: "unknown",
    type: "item.completed",
  });
  const s = foldExecText(
    '{"type":"brand.new"}\nnot json\n{"type":"turn.started"}\n{"type":"brand.new"}\n',
  );
  assert.equal(s.lines, 4);
  assert.equal(s.invalid, 1);
  assert.deepEqual(s.unknown, { "brand.new": 2 });
  assert.equal(s.turn, "started");
});

Deno.test("exec fold: an over-long final message keeps its start and its end", () => {
  const long = "A".repeat(MAX_MESSAGE_CHARS) + "B".repeat(100) + "\nCDX_DONE_LONG01";
  const s = foldExecText(
    JSON.stringify({ type: "item.completed", item: { type: "agent_message", text: long } }),
  );
  assert.equal(s.last_agent_message?.length, MAX_MESSAGE_CHARS);
  assert.equal(s.last_agent_message_chars, long.length);
  assert.equal(s.last_agent_message_tail?.length, MESSAGE_TAIL_CHARS);
  assert.ok(s.last_agent_message_tail?.endsWith("\nCDX_DONE_LONG01"));
});

Deno.test("exec fold: a new turn forgets the last turn's outcome and message", () => {
  const s = foldExecText(
    [
      '{"type":"turn.started"}',
      '{"type":"item.completed","item":{"type":"agent_message","text":"one"}}',
      '{"type":"turn.failed","error":{"message":"boom"}}',
      '{"type":"turn.started"}',
    ].join("\n"),
  );
  assert.equal(s.turn, "started");
  assert.equal(s.turns, 2);
  assert.equal(s.last_agent_message, null);
  assert.equal(s.turn_error, null);
});

Deno.test("exec reader: byte offsets, half-written lines and UTF-8 split across writes", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "events.jsonl");
  try {
    // before the file exists: nothing new, no error
    const none = await readExecStream(path);
    assert.equal(none.bytes, 0);
    assert.equal(none.progress.state.lines, 0);
    const message = JSON.stringify({
      type: "item.completed",
      item: { type: "agent_message", text: "héllo — ✓" },
    });
    const all = new TextEncoder().encode(
      '{"type":"thread.started","thread_id":"01a1fee5-25d4-7a11-aa3c-baf3cc846661"}\n' +
        '{"type":"turn.started"}\n' + message + "\n" + '{"type":"turn.completed","usage":{}}\n',
    );
    // cut inside the multi-byte "é" of the agent message
    const cut = all.indexOf(0xc3);
    assert.ok(cut > 0);
    await Deno.writeFile(path, all.subarray(0, cut + 1));
    const first = await readExecStream(path, freshExecProgress());
    assert.equal(first.progress.state.turn, "started");
    assert.equal(first.progress.state.last_agent_message, null, "the half-written line is not read");
    assert.equal(first.progress.cursor.offset, all.indexOf(0x0a, all.indexOf(0x0a) + 1) + 1);
    await Deno.writeFile(path, all.subarray(cut + 1), { append: true });
    const second = await readExecStream(path, first.progress);
    assert.equal(second.progress.state.last_agent_message, "héllo — ✓");
    assert.equal(second.progress.state.turn, "completed");
    assert.equal(second.progress.cursor.offset, all.length);
    assert.equal(second.bytes, all.length - first.progress.cursor.offset);
    const again = await readExecStream(path, second.progress);
    assert.equal(again.bytes, 0);
    assert.deepEqual(again.progress.state, second.progress.state);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec reader: a replaced stream is folded from its start alone", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "events.jsonl");
  try {
    await Deno.writeTextFile(
      path,
      '{"type":"turn.started"}\n{"type":"turn.failed","error":{"message":"x"}}\n',
    );
    const first = await readExecStream(path);
    assert.equal(first.progress.state.turn, "failed");
    await Deno.writeTextFile(path + ".new", '{"type":"turn.started"}\n');
    await Deno.rename(path + ".new", path);
    const second = await readExecStream(path, first.progress);
    assert.equal(second.restarted, true);
    assert.equal(second.progress.state.turn, "started");
    assert.equal(second.progress.state.turns, 1);
    assert.equal(second.progress.state.turn_error, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec reader: maxBytes reads a big stream in slices with the same result", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "events.jsonl");
  try {
    const lines = ['{"type":"turn.started"}'];
    for (let i = 0; i < 200; i++) {
      lines.push(JSON.stringify({ type: "item.completed", item: { type: "agent_message", text: `m${i}` } }));
    }
    lines.push('{"type":"turn.completed","usage":{"input_tokens":5}}');
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    let progress = freshExecProgress();
    let reads = 0;
    for (;;) {
      const r = await readExecStream(path, progress, { maxBytes: 500 });
      progress = r.progress;
      reads++;
      if (!r.more) break;
    }
    assert.ok(reads > 5);
    const whole = foldExecText(lines.join("\n"), initialExecState());
    assert.deepEqual(progress.state, whole);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
