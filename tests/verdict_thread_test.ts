/**
 * The verdict rules decided by rollout evidence, each proven on the recorded real rollout of the
 * scenario it is about (src/verdict/thread_rules.ts).
 */
import assert from "node:assert/strict";
import { decide } from "../src/verdict/machine.ts";
import type { Evidence } from "../src/verdict/evidence.ts";
import { VerdictSchema } from "../src/envelope.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import {
  evidenceOf,
  foldLines,
  foldUntil,
  hasRollout,
  rolloutLines,
  type RunKind,
} from "./support/fixtures.ts";
import { mockPlan } from "./support/mock_model.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";

function each(scenario: string, fn: (v: string, k: RunKind, lines: string[]) => void) {
  let n = 0;
  for (const v of ALL_CODEX_VERSIONS) {
    for (const k of ["exec", "tui"] as RunKind[]) {
      if (!hasRollout(v, scenario, k)) continue;
      fn(v, k, rolloutLines(v, scenario, k));
      n++;
    }
  }
  assert.ok(n > 0);
}

function verdict(lines: string[], extra: Partial<Evidence> = {}, quietMs: number | null = null) {
  const evidence = evidenceOf(foldLines(lines), extra);
  if (evidence.thread) evidence.thread.quiet_ms = quietMs;
  const { verdict, rule, source } = decide(evidence);
  assert.equal(VerdictSchema.safeParse(verdict).success, true, "every verdict is a valid v1 verdict");
  return { ...verdict, rule, source };
}

Deno.test("thread.completed: the marker printed on its own line → completed/marker_verified", () => {
  each("marker", (v, k, lines) => {
    const r = verdict(lines);
    assert.equal(r.state, "completed", `${v}/${k}`);
    assert.equal(r.reason, "marker_verified");
    assert.equal(r.rule, "thread.completed");
    assert.equal(r.source, "thread");
    assert.equal(r.marker_found, true);
    assert.equal(r.next_action.intent, "nothing");
    assert.equal(
      r.transcript_tail,
      "Wrote the summary as asked.",
      "the bare marker line is dropped from the tail",
    );
    assert.equal(r.thread?.model, "mock-model");
  });
});

Deno.test("thread.completed: marker but a missing --expect → marker_unverified; all present → marker_verified", () => {
  each("marker", (_v, _k, lines) => {
    assert.equal(
      verdict(lines, { artifacts: [{ path: "out.md", exists: false, bytes: 0 }] }).reason,
      "marker_unverified",
    );
    assert.equal(
      verdict(lines, { artifacts: [{ path: "out.md", exists: true, bytes: 10 }] }).reason,
      "marker_verified",
    );
  });
});

Deno.test("thread.completed: no marker asked, turn ended → completed/turn_complete with the final message", () => {
  each("message", (v, k, lines) => {
    const r = verdict(lines);
    assert.equal(r.reason, "turn_complete", `${v}/${k}`);
    assert.equal(r.transcript_tail, "Hello from the mock model. Nothing else to do.");
    assert.equal(r.next_action.intent, "verify");
    assert.equal(
      verdict(lines, { artifacts: [{ path: "a", exists: true, bytes: 1 }] }).reason,
      "artifacts_present",
    );
  });
});

Deno.test("thread.completed: a final message that asks → awaiting_clarification/free_text_question", () => {
  const lines = rolloutLines("0.169.0", "question", "exec");
  for (const v of ALL_CODEX_VERSIONS) {
    const r = verdict(rolloutLines(v, "question", "exec"));
    assert.equal(r.state, "awaiting_clarification", v);
    assert.equal(r.reason, "free_text_question");
    assert.deepEqual(r.questions, [
      "Before I continue I need a decision. Which database should I use for the cache: SQLite or Postgres?",
    ]);
    assert.deepEqual(r.options, []);
    assert.match(r.next_action.command ?? "", /^codexctl reply --thread [0-9a-f-]{36} --text "<answer>"$/);
  }
  void lines;
});

Deno.test("thread.waiting_input: request_user_input pending → multiple_choice with options, recommended first", () => {
  each("user_input", (v, k, lines) => {
    const r = verdict(foldUntilLines(lines, '"name":"request_user_input"'));
    assert.equal(r.rule, "thread.waiting_input");
    assert.equal(r.state, "awaiting_clarification", `${v}/${k}`);
    assert.equal(r.reason, "multiple_choice");
    assert.deepEqual(r.questions, ["Which color should the widget be?"]);
    assert.deepEqual(r.options, [{ key: "1", label: "Red (Recommended)", recommended: true }, {
      key: "2",
      label: "Blue",
      recommended: false,
    }]);
    assert.match(r.next_action.command ?? "", /reply --thread \S+ --choice 1$/);
  });
});

Deno.test("thread.approval_probable: an escalated command without output → permission_gate", () => {
  each("escalated", (v, k, lines) => {
    const r = verdict(foldUntilLines(lines, '"sandbox_permissions'));
    assert.equal(r.rule, "thread.approval_probable");
    assert.equal(r.state, "permission_gate", `${v}/${k}`);
    assert.equal(r.reason, "approval_probable");
    assert.match(r.summary, /touch escalated\.txt/);
    assert.equal(r.next_action.intent, "approve");
  });
});

Deno.test("thread.plan_approval: a turn that proposed a plan → awaiting_approval with the whole plan", () => {
  each("plan", (v, k, lines) => {
    const i = lines.findIndex((l) => /"type":"(task_complete|turn_complete)"/.test(l));
    const r = verdict(lines.slice(0, i + 1));
    assert.equal(r.rule, "thread.plan_approval");
    assert.equal(r.state, "awaiting_approval", `${v}/${k}`);
    assert.equal(r.reason, "plan_approval");
    assert.equal(r.plan?.trimEnd(), mockPlan(8));
    assert.match(r.next_action.command ?? "", /send --thread \S+ --message "Implement the plan\."/);
    // after the plan was implemented, the thread is simply completed with the marker
    const end = verdict(lines);
    assert.equal(end.reason, "marker_verified");
    assert.equal(end.plan, null);
  });
});

Deno.test("thread.turn_failed / thread.interrupted from both eras", () => {
  each("failure", (v, k, lines) => {
    const r = verdict(lines);
    assert.equal(r.rule, "thread.turn_failed");
    assert.equal(r.state, "failed", `${v}/${k}`);
    assert.equal(r.reason, "turn_failed");
  });
  each("interrupt", (v, k, lines) => {
    const r = verdict(lines);
    assert.equal(r.rule, "thread.interrupted");
    assert.equal(r.state, "interrupted", `${v}/${k}`);
    assert.equal(r.reason, "interrupted");
  });
});

Deno.test("thread.working: an open turn is working; the next action waits", () => {
  each("shell", (v, k, lines) => {
    const r = verdict(foldUntilLines(lines, '"function_call"'));
    assert.equal(r.rule, "thread.working");
    assert.equal(r.state, "working", `${v}/${k}`);
    assert.match(r.summary, /echo codexctl-fixture-shell/);
    assert.match(r.next_action.command ?? "", /watch --thread \S+ --until settled/);
  });
});

Deno.test("thread.stalled: an open turn whose rollout is quiet for the stall time is working/stalled", () => {
  each("shell", (v, k, lines) => {
    const open = foldUntilLines(lines, '"function_call"');
    const r = verdict(open, { stall_ms: 60_000 }, 5 * 60_000);
    assert.equal(r.rule, "thread.stalled", `${v}/${k}`);
    assert.equal(r.state, "working");
    assert.equal(r.reason, "stalled");
    assert.match(
      r.summary,
      /^No rollout activity for 5 min while the turn is open \(Codex is working \(running: /,
    );
    assert.match(r.next_action.command ?? "", /watch --thread \S+ --until settled/);
    // quiet for less than the stall time, or no stall time given (status): just working
    assert.equal(verdict(open, { stall_ms: 60_000 }, 59_000).rule, "thread.working");
    assert.equal(verdict(open, {}, 5 * 60_000).rule, "thread.working");
    // a turn that ended, or one waiting on the caller, is never stalled however quiet it is
    assert.equal(verdict(lines, { stall_ms: 60_000 }, 5 * 60_000).rule, "thread.completed");
  });
  each("user_input", (v, k, lines) => {
    const waiting = foldUntilLines(lines, '"name":"request_user_input"');
    assert.equal(
      verdict(waiting, { stall_ms: 60_000 }, 5 * 60_000).rule,
      "thread.waiting_input",
      `${v}/${k}`,
    );
  });
  each("escalated", (v, k, lines) => {
    const gate = foldUntilLines(lines, '"sandbox_permissions');
    assert.equal(
      verdict(gate, { stall_ms: 60_000 }, 5 * 60_000).rule,
      "thread.approval_probable",
      `${v}/${k}`,
    );
  });
});

Deno.test("thread.process_exited: an open turn whose Codex is gone is exited, never working", () => {
  const lines = foldUntilLines(rolloutLines("0.169.0", "shell", "exec"), '"function_call"');
  const r = verdict(lines, { process: { alive: false } });
  assert.equal(r.rule, "thread.process_exited");
  assert.equal(r.state, "exited");
  assert.equal(r.reason, "process_exited");
  // a finished turn stays what it was even when the process is gone
  assert.equal(
    verdict(rolloutLines("0.169.0", "marker", "exec"), { process: { alive: false } }).reason,
    "marker_verified",
  );
});

Deno.test("thread.idle and thread.low_confidence", () => {
  const meta = rolloutLines("0.169.0", "message", "exec").slice(0, 1);
  const idle = verdict(meta);
  assert.equal(idle.rule, "thread.idle");
  assert.equal(idle.state, "idle");
  assert.equal(idle.reason, "no_turn");
  const alien = verdict(['{"kind":"x"}', '{"kind":"y"}', '{"type":"frobnicate","payload":{}}']);
  assert.equal(alien.rule, "thread.low_confidence");
  assert.equal(alien.state, "no_signal");
  assert.match(alien.summary, /not recognised/);
});

Deno.test("the documented marker in a plan does not count as printed", () => {
  const lines = rolloutLines("0.169.0", "marker", "exec").map((l) =>
    l.replace(
      `Wrote the summary as asked.\\n\\n${FIXTURE_MARKER}`,
      `## Completion Signal\\nI will print this token on its own line when done:\\n${FIXTURE_MARKER}`,
    )
  );
  const r = verdict(lines);
  assert.equal(r.marker_found, false);
  assert.notEqual(r.reason, "marker_verified");
});

function foldUntilLines(lines: string[], needle: string): string[] {
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line with ${needle}`);
  void foldUntil;
  return lines.slice(0, i + 1);
}
