/**
 * Bounded memory of the rollout reader: what a read keeps does not grow with the rollout. The fold's
 * state stays under a fixed size however many turns, tool outputs or hostile lines it folded; a
 * tool output longer than the line cap is read past by its head (counted, its call closed) instead
 * of being held or skipped; a read keeps only the newest transitions. (The process's peak RSS on
 * 25/100/200 MB rollouts is a `deno task bench` figure, not a test.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freshProgress, MAX_TRANSITIONS, readThread } from "../src/codex/rollout/reader.ts";
import { MAX_MESSAGE, MAX_PENDING } from "../src/codex/rollout/fold.ts";
import { MAX_UNKNOWN_TYPES, OTHER_UNKNOWN } from "../src/codex/rollout/events.ts";
import { scanLinesSync } from "../src/codex/rollout/tail.ts";
import { headDecides } from "../src/codex/rollout/parse.ts";
import { rolloutStatus } from "../src/verdict/rollout_status.ts";
import { generateRollout, type RolloutEra } from "./support/generate_rollout.ts";
import { rolloutLines } from "./support/fixtures.ts";

const enc = new TextEncoder();

/** What a reader persists between runs (cursor, state, counters), as JSON. */
const retained = (p: unknown) => JSON.stringify(p).length;

/** A bound that does not depend on the rollout: 64 KiB, plus the last plan (kept whole). */
const bound = (plan: string | null) => 64 * 1024 + 2 * (plan?.length ?? 0);

for (const era of ["legacy", "paginated"] as RolloutEra[]) {
  Deno.test(`${era}: the folded state stays under a fixed bound, however many turns and huge outputs`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "codexctl-mem-" });
    try {
      const sizes: number[] = [];
      const turns: number[] = [];
      for (const mb of [2, 24]) {
        const path = join(dir, `${era}-${mb}.jsonl`);
        const g = await generateRollout(path, mb * 1024 * 1024, {
          era,
          hugeBytes: [200 * 1024, 1200 * 1024],
          hugeEvery: 60,
        });
        const r = await readThread(path, freshProgress(), { keepEvents: false });
        const s = r.progress.state;
        assert.equal(s.turn_count, g.turns, "every turn folded");
        assert.equal(rolloutStatus(s), "completed");
        assert.equal(s.proposed_plan, g.plan, "the last plan, whole");
        assert.equal(r.progress.stats.known, g.lines, "every line understood");
        assert.equal(r.progress.stats.oversized, 0);
        if (mb > 2) assert.ok(g.huge >= 3 && g.plan !== null, `${g.huge} huge outputs, plan ${!!g.plan}`);
        const size = retained(r.progress);
        assert.ok(size <= bound(g.plan), `${mb} MB, ${g.turns} turns: ${size} characters kept`);
        sizes.push(size - JSON.stringify(s.proposed_plan).length); // all but the plan

        turns.push(g.turns);
      }
      // many times the turns, not many times the state
      assert.ok(turns[1] >= 6 * turns[0], `turns ${turns.join(" → ")}`);
      assert.ok(Math.abs(sizes[1] - sizes[0]) < 256, `kept ${sizes.join(" → ")} characters besides the plan`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a hostile rollout cannot grow the state: calls, unknown kinds, errors, giant texts", async () => {
  const fixture = rolloutLines("0.169.0", "shell", "exec");
  const meta = fixture[0];
  const started = fixture.find((l) => l.includes('"task_started"'))!;
  const at = (i: number) => new Date(Date.UTC(2026, 10, 21, 16) + i).toISOString();
  const line = (i: number, type: string, payload: Record<string, unknown>) =>
    JSON.stringify({ timestamp: at(i), ordinal: i, type, payload });
  const big = (n: number) => "w".repeat(n);
  const lines = [meta, started];
  let i = 10;
  for (let c = 0; c < 3000; c++) {
    // calls that never get an output, every 100th escalated, with long commands and justifications
    const escalated = c % 100 === 0;
    lines.push(line(i++, "response_item", {
      type: "function_call",
      name: "exec_command",
      call_id: `call_${c}`,
      arguments: JSON.stringify({
        cmd: `echo ${c} ${big(5000)}`,
        ...(escalated ? { sandbox_permissions: "require_escalated", justification: big(5000) } : {}),
      }),
    }));
  }
  for (let u = 0; u < 2000; u++) lines.push(line(i++, `made_up_kind_${u}_${big(200)}`, {}));
  for (let e = 0; e < 200; e++) lines.push(line(i++, "event_msg", { type: "error", message: big(100_000) }));
  lines.push(
    line(i++, "turn_context", { turn_id: "t", cwd: "/w", model: big(300_000), approval_policy: "never" }),
  );
  lines.push(line(i++, "response_item", {
    type: "function_call",
    name: "create_goal",
    call_id: "goal",
    arguments: JSON.stringify({ objective: big(1_000_000) }),
  }));
  lines.push(line(i++, "event_msg", {
    type: "item_completed",
    item: { type: "AgentMessage", content: [{ type: "Text", text: `${big(3_000_000)} the end` }] },
  }));
  const dir = await Deno.makeTempDir({ prefix: "codexctl-mem-hostile-" });
  try {
    const path = join(dir, "hostile.jsonl");
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const r = await readThread(path, freshProgress(), { keepEvents: false });
    const s = r.progress.state;
    const size = retained(r.progress);
    assert.ok(size <= 2 * MAX_MESSAGE + 256 * 1024, `${size} characters kept`);
    assert.equal(Object.keys(s.pending_calls).length, MAX_PENDING, "pending calls are capped");
    const kept = Object.values(s.pending_calls);
    assert.equal(kept.filter((c) => c.escalated).length, 30, "escalated calls are let go last");
    assert.ok(kept.every((c) => (c.summary?.length ?? 0) <= 2000 && (c.justification?.length ?? 0) <= 2000));
    assert.equal(rolloutStatus(s), "waiting_approval_probable", "the verdict still sees the escalated call");
    assert.equal(
      Object.keys(r.progress.stats.unknown).length,
      MAX_UNKNOWN_TYPES + 1,
      "named kinds + <other>",
    );
    assert.equal(
      Object.values(r.progress.stats.unknown).reduce((a, b) => a + b, 0),
      2000,
      "every line counted",
    );
    assert.ok(r.progress.stats.unknown[OTHER_UNKNOWN] > 0);
    assert.ok(Object.keys(r.progress.stats.unknown).every((k) => k.length <= 80));
    assert.equal(s.errors.length, 5);
    assert.ok(s.errors.every((e) => e.length <= 500));
    assert.ok((s.model?.length ?? 0) <= 200);
    assert.ok((s.goal?.objective?.length ?? 0) <= MAX_MESSAGE);
    assert.equal(s.last_agent_message?.length, MAX_MESSAGE);
    assert.ok(s.last_agent_message?.endsWith("w the end"), "a message keeps its end");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a tool output longer than the line cap is read past by its head: counted, its call closed", async () => {
  const fixture = rolloutLines("0.130.0", "shell", "exec");
  const outputAt = fixture.findIndex((l) => l.includes('"function_call_output"'));
  const rec = JSON.parse(fixture[outputAt]);
  rec.payload.output = "o".repeat(20 * 1024 * 1024); // above the 16 MiB line cap
  const lines = [...fixture.slice(0, outputAt), JSON.stringify(rec), ...fixture.slice(outputAt + 1)];
  const dir = await Deno.makeTempDir({ prefix: "codexctl-mem-huge-" });
  try {
    const path = join(dir, "huge.jsonl");
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    // the tailer holds the head, never the line
    let seen: { held: number; length: number } | null = null;
    const scan = scanLinesSync(path, { offset: 0, ino: null, skipping: false }, (bytes, _offset, length) => {
      if (length > 1024 * 1024) seen = { held: bytes.length, length };
    }, { headOnly: { after: 64 * 1024, keep: 1024, test: headDecides } });
    assert.deepEqual(seen, { held: 1024, length: enc.encode(JSON.stringify(rec)).length });
    assert.deepEqual(scan.skipped, []);
    assert.ok(scan.peak_line_bytes <= 2 * 1024 * 1024, `held ${scan.peak_line_bytes} bytes of it`);
    // the reader understands it: the call it answers is closed, nothing is over-long
    const cut = await readThread(path, freshProgress(), { keepEvents: false });
    assert.equal(cut.progress.stats.oversized, 0);
    assert.equal(cut.progress.stats.known, lines.length);
    assert.deepEqual(cut.progress.state.pending_calls, {});
    // the same file with the output line still half written: nothing is consumed past it yet
    const half = join(dir, "half.jsonl");
    const bytes = enc.encode(lines.join("\n") + "\n");
    const outputStart = enc.encode(lines.slice(0, outputAt).join("\n")).length + 1;
    const split = outputStart + 10 * 1024 * 1024;
    await Deno.writeFile(half, bytes.subarray(0, split));
    const first = await readThread(half, freshProgress(), { keepEvents: false });
    assert.equal(first.progress.cursor.offset, outputStart, "the unfinished line is left for later");
    assert.equal(Object.keys(first.progress.state.pending_calls).length, 1, "its call is still open");
    await Deno.writeFile(half, bytes.subarray(split), { append: true });
    const rest = await readThread(half, first.progress, { keepEvents: false });
    assert.deepEqual(rest.progress.state, cut.progress.state, "finished later, read like the whole file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a read keeps the newest transitions and counts the ones it let go", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-mem-transitions-" });
  try {
    // one real 0.169 turn, a hundred times over
    const path = join(dir, "many.jsonl");
    const [meta, ...turn] = rolloutLines("0.169.0", "shell", "exec");
    const turns = 100;
    await Deno.writeTextFile(
      path,
      [meta, ...Array.from({ length: turns }, () => turn).flat()].join("\n") + "\n",
    );
    assert.ok(turns * 2 > MAX_TRANSITIONS);
    const r = await readThread(path, freshProgress(), { keepEvents: false });
    assert.equal(r.progress.state.turn_count, turns);
    assert.equal(r.transitions.length, MAX_TRANSITIONS);
    assert.equal(r.transitions_dropped, turns * 2 - MAX_TRANSITIONS, "one start and one end per turn");
    const last = r.transitions.at(-1)!;
    assert.equal(last.t, "turn_ended");
    assert.equal(last.t === "turn_ended" && last.end.id, r.progress.state.last_turn?.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
