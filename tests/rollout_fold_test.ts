/**
 * Every recorded scenario, on both Codex versions and both run kinds, folds to the state the
 * scenario is about — at the end of the file and at the moment that matters mid-file.
 */
import assert from "node:assert/strict";
import { ALL_CODEX_VERSIONS, CODEX_VERSIONS } from "./support/codex_bin.ts";
import { foldLines, foldUntil, hasRollout, rolloutLines, type RunKind } from "./support/fixtures.ts";
import { ASK_QUESTION, mockPlan } from "./support/mock_model.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";
import { rolloutStatus, turnError } from "../src/verdict/rollout_status.ts";

function runs(scenario: string): [string, RunKind][] {
  const out: [string, RunKind][] = [];
  for (const v of ALL_CODEX_VERSIONS) {
    for (const k of ["exec", "tui"] as RunKind[]) if (hasRollout(v, scenario, k)) out.push([v, k]);
  }
  assert.ok(out.length > 0, `no fixture for ${scenario}`);
  return out;
}

const turnIsOpen = (l: string) => /"type":"(task_started|turn_started)"/.test(l);

Deno.test("fold: every completed scenario ends completed with its final message and one turn per prompt", () => {
  const finals: Record<string, { turns: number; message: RegExp }> = {
    message: { turns: 1, message: /^Hello from the mock model\. Nothing else to do\.$/ },
    marker: { turns: 1, message: new RegExp(`Wrote the summary as asked\\.\\n\\n${FIXTURE_MARKER}$`) },
    shell: { turns: 1, message: new RegExp(`${FIXTURE_MARKER}$`) },
    goal: { turns: 1, message: new RegExp(`${FIXTURE_MARKER}$`) },
    checklist: { turns: 1, message: new RegExp(`${FIXTURE_MARKER}$`) },
    slow: { turns: 1, message: /Streaming this answer slowly/ },
    trust: { turns: 1, message: new RegExp(`${FIXTURE_MARKER}$`) },
    escalated: { turns: 1, message: new RegExp(`${FIXTURE_MARKER}$`) },
  };
  for (const [scenario, want] of Object.entries(finals)) {
    for (const [v, k] of runs(scenario)) {
      const { state } = foldLines(rolloutLines(v, scenario, k));
      const where = `${v}/${scenario}/${k}`;
      assert.equal(rolloutStatus(state), "completed", where);
      assert.equal(state.turn_count, want.turns, where);
      assert.match(state.last_agent_message ?? "", want.message, where);
      assert.equal(state.cli_version, v, where);
      assert.equal(state.history_mode, v === CODEX_VERSIONS.current ? "paginated" : "legacy", where);
      assert.equal(state.model, "mock-model", where);
      assert.ok(state.context_pct !== null && state.context_pct > 0, `${where}: context %`);
      assert.deepEqual(state.pending_calls, {}, where);
    }
  }
});

Deno.test("fold: the marker a task asked for is remembered from the user message", () => {
  for (const [v, k] of runs("marker")) {
    assert.equal(foldLines(rolloutLines(v, "marker", k)).state.marker, FIXTURE_MARKER, `${v}/${k}`);
  }
  for (const [v, k] of runs("message")) {
    assert.equal(foldLines(rolloutLines(v, "message", k)).state.marker, null, `${v}/${k}`);
  }
});

Deno.test("fold: an escalated command without output is waiting_approval_probable with its command", () => {
  for (const [v, k] of runs("escalated")) {
    const mid = foldUntil(
      rolloutLines(v, "escalated", k),
      (l) => l.includes('"sandbox_permissions') && l.includes('"function_call"'),
    );
    assert.equal(rolloutStatus(mid.state), "waiting_approval_probable", `${v}/${k}`);
    const call = Object.values(mid.state.pending_calls)[0];
    assert.equal(call.summary, "touch escalated.txt");
    assert.equal(call.justification, "The mock model needs to write outside the sandbox");
    assert.deepEqual(mid.transitions.map((t) => t.t), ["turn_started", "approval_probable"]);
  }
});

Deno.test("fold: a pending request_user_input is waiting_input with its questions and options", () => {
  for (const [v, k] of runs("user_input")) {
    const mid = foldUntil(rolloutLines(v, "user_input", k), (l) => l.includes('"name":"request_user_input"'));
    assert.equal(rolloutStatus(mid.state), "waiting_input", `${v}/${k}`);
    assert.deepEqual(mid.state.questions, [{
      id: ASK_QUESTION.id,
      header: ASK_QUESTION.header,
      question: ASK_QUESTION.question,
      options: ASK_QUESTION.options.map((o) => ({ label: o.label, description: o.description })),
    }]);
    const end = foldLines(rolloutLines(v, "user_input", k));
    assert.equal(rolloutStatus(end.state), "completed");
    assert.deepEqual(end.state.questions, [], "answered: no question left");
  }
});

Deno.test("fold: a Plan-mode proposal is kept whole and tied to the turn that proposed it", () => {
  for (const [v, k] of runs("plan")) {
    const lines = rolloutLines(v, "plan", k);
    const first = foldUntil(lines, (l) => /"type":"(task_complete|turn_complete)"/.test(l));
    assert.equal(rolloutStatus(first.state), "completed");
    assert.equal(first.state.proposed_plan?.trimEnd(), mockPlan(8), `${v}/${k}: the whole plan`);
    assert.equal(first.state.plan_turn_id, first.state.last_turn?.id);
    assert.equal(first.state.collaboration_mode, "plan");
    const end = foldLines(lines);
    assert.equal(end.state.turn_count, 2);
    assert.notEqual(
      end.state.plan_turn_id,
      end.state.last_turn?.id,
      "the implementation turn is not the plan turn",
    );
    assert.equal(end.transitions.filter((t) => t.t === "turn_ended" && t.plan).length, 1);
  }
});

Deno.test("fold: goals from create_goal / update_goal, checklists from update_plan", () => {
  for (const [v, k] of runs("goal")) {
    const { state, transitions } = foldLines(rolloutLines(v, "goal", k));
    assert.deepEqual(state.goal, { objective: "Ship the widget", status: "complete" }, `${v}/${k}`);
    assert.deepEqual(transitions.filter((t) => t.t === "goal").map((t) => t.t === "goal" && t.status), [
      "active",
      "complete",
    ]);
  }
  for (const [v, k] of runs("checklist")) {
    const { state } = foldLines(rolloutLines(v, "checklist", k));
    assert.deepEqual(
      state.checklist?.steps.map((s) => s.status),
      ["completed", "in_progress", "pending"],
      `${v}/${k}`,
    );
  }
});

Deno.test("fold: failures — 0.169's task_complete.error and 0.130's bare task_complete — are failed, never completed", () => {
  for (const [v, k] of runs("failure")) {
    const { state } = foldLines(rolloutLines(v, "failure", k));
    assert.equal(rolloutStatus(state), "failed", `${v}/${k}`);
    if (v === CODEX_VERSIONS.current) assert.match(turnError(state.last_turn) ?? "", /high demand/);
    else assert.match(turnError(state.last_turn) ?? "", /without any agent output/);
  }
});

Deno.test("fold: Esc / SIGINT end the turn as aborted (interrupted)", () => {
  for (const [v, k] of runs("interrupt")) {
    const { state } = foldLines(rolloutLines(v, "interrupt", k));
    assert.equal(rolloutStatus(state), "aborted", `${v}/${k}`);
    assert.equal(state.last_turn?.reason, "interrupted");
  }
});

Deno.test("fold: a turn still open is working; the exec question scenario ends with the question", () => {
  for (const [v, k] of runs("shell")) {
    assert.equal(
      rolloutStatus(foldUntil(rolloutLines(v, "shell", k), turnIsOpen).state),
      "working",
      `${v}/${k}`,
    );
  }
  for (const [v, k] of runs("question")) {
    const { state } = foldLines(rolloutLines(v, "question", k));
    if (k === "exec") assert.match(state.last_agent_message ?? "", /SQLite or Postgres\?$/);
    else assert.equal(state.turn_count, 2, "the TUI run answered and finished");
  }
});

Deno.test("fold: sources and originators tell exec from TUI (and the daemon-backed 0.169 TUI)", () => {
  for (const v of ALL_CODEX_VERSIONS) {
    const exec = foldLines(rolloutLines(v, "message", "exec")).state;
    const tui = foldLines(rolloutLines(v, "message", "tui")).state;
    assert.equal(exec.source, "exec");
    assert.equal(exec.originator, "codex_exec");
    assert.equal(tui.originator, "codex-tui");
    assert.equal(tui.source, v === CODEX_VERSIONS.current ? "vscode" : "cli");
  }
});
