/**
 * The fused verdict machine for sessions (pane + rollout), on real recorded TUI screens and
 * rollouts — including every case of the herdr plugin's analyzer table (seeds-behaviour §1.14).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decide } from "../src/verdict/machine.ts";
import type { Evidence, PaneEvidence } from "../src/verdict/evidence.ts";
import { VerdictSchema } from "../src/envelope.ts";
import { compatibility } from "../src/codex/rollout/compat.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import { foldLines, rolloutLines } from "./support/fixtures.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { mockPlan } from "./support/mock_model.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";

const SESSION = "cdx-1a2b";

function screen(version: string, scenario: string, label: string): string {
  const dir = join(FIXTURES_DIR, `codex-${version}`, scenario, "tui.screens");
  const file = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) =>
    n.replace(/^\d+-|\.txt$/g, "") === label
  )!;
  return Deno.readTextFileSync(join(dir, file));
}

interface Case {
  screen: string;
  status?: PaneEvidence["status"];
  rollout?: string[];
  marker?: string | null;
  artifacts?: { path: string; exists: boolean; bytes: number }[];
  alive?: boolean;
}

function verdict(c: Case) {
  const folded = c.rollout ? foldLines(c.rollout) : null;
  const evidence: Evidence = {
    target: { session: SESSION, thread: folded?.state.thread_id ?? null },
    now: Date.now(),
    thread: folded
      ? {
        state: folded.state,
        rollout_path: null,
        confidence: compatibility(folded.stats, folded.state).confidence,
        warnings: [],
      }
      : null,
    pane: { alive: c.alive ?? true, status: c.status ?? null, screen: c.screen, recent: c.screen },
    process: null,
    marker: c.marker === undefined ? FIXTURE_MARKER : c.marker,
    artifacts: c.artifacts ?? [],
  };
  const { verdict, rule, source } = decide(evidence);
  assert.equal(VerdictSchema.safeParse(verdict).success, true);
  return { ...verdict, rule, source };
}

const until = (lines: string[], needle: string) =>
  lines.slice(0, lines.findIndex((l) => l.includes(needle)) + 1);

for (const v of ALL_CODEX_VERSIONS) {
  // --- the herdr plugin's table, screen only (no rollout bound) ---
  Deno.test(`analyzer ${v}: marker printed → marker_verified; a missing --expect → marker_unverified`, () => {
    const s = screen(v, "marker", "done");
    assert.equal(verdict({ screen: s }).reason, "marker_verified");
    assert.equal(
      verdict({ screen: s, artifacts: [{ path: "out.md", exists: false, bytes: 0 }] }).reason,
      "marker_unverified",
    );
    assert.equal(verdict({ screen: s }).transcript_tail, "Wrote the summary as asked.");
  });

  Deno.test(`analyzer ${v}: a final question → free_text_question with options cleared`, () => {
    const r = verdict({ screen: screen(v, "question", "question") });
    assert.equal(r.reason, "free_text_question");
    assert.deepEqual(r.options, []);
    assert.match(r.next_action.command ?? "", /reply --session cdx-1a2b --text/);
  });

  Deno.test(`analyzer ${v}: the plan menu → plan_approval with the whole plan, also when herdr says blocked`, () => {
    for (const status of [null, "idle", "blocked"] as const) {
      const r = verdict({ screen: screen(v, "plan", "plan-menu"), status });
      assert.equal(r.reason, "plan_approval", String(status));
      assert.deepEqual(r.questions, []);
      assert.match(r.plan ?? "", /8\. Report back with the test figures/);
    }
  });

  Deno.test(`analyzer ${v}: the question widget → multiple_choice with the recommended option`, () => {
    const r = verdict({ screen: screen(v, "user_input", "widget"), status: "blocked" });
    assert.equal(r.reason, "multiple_choice");
    assert.equal(r.options[0].label, "Red (Recommended)");
    assert.match(r.next_action.command ?? "", /--choice 1$/);
  });

  Deno.test(`analyzer ${v}: an approval dialog → permission_gate/permission_request with the command`, () => {
    const r = verdict({ screen: screen(v, "escalated", "approval"), status: "blocked" });
    assert.equal(r.state, "permission_gate");
    assert.equal(r.reason, "permission_request");
    assert.match(r.summary, /touch escalated\.txt/);
    assert.equal(r.next_action.intent, "approve");
  });

  Deno.test(`analyzer ${v}: a working turn → working/working with await`, () => {
    const r = verdict({ screen: screen(v, "interrupt", "working") });
    assert.equal(r.rule, "screen.fallback");
    assert.equal(r.source, "screen");
    assert.equal(r.state, "working");
    assert.match(r.next_action.command ?? "", /^codexctl await --session cdx-1a2b$/);
  });

  Deno.test(`analyzer ${v}: an interrupted turn → interrupted, also when the expected files exist`, () => {
    const s = screen(v, "interrupt", "interrupted");
    assert.equal(verdict({ screen: s }).reason, "interrupted");
    assert.equal(
      verdict({ screen: s, artifacts: [{ path: "a", exists: true, bytes: 3 }] }).reason,
      "interrupted",
    );
  });

  Deno.test(`analyzer ${v}: nothing conclusive → no_signal; expected files present after a visibly ended turn → artifacts_present`, () => {
    const s = screen(v, "message", "done");
    assert.equal(verdict({ screen: s }).reason, "no_signal");
    // 0.169 prints "Worked for …" under an ended turn; 0.130 did not here, so the files prove nothing yet
    assert.equal(
      verdict({ screen: s, artifacts: [{ path: "a", exists: true, bytes: 3 }] }).reason,
      /Worked for /.test(s) ? "artifacts_present" : "no_signal",
    );
  });

  Deno.test(`analyzer ${v}: the folder-trust dialog is a verdict of its own`, () => {
    const r = verdict({ screen: screen(v, "trust", "trust-dialog") });
    assert.equal(r.rule, "screen.trust_dialog");
    assert.equal(r.state, "awaiting_approval");
    assert.equal(r.reason, "trust_dialog");
    assert.match(r.next_action.command ?? "", /reply --session cdx-1a2b --choice 1/);
  });

  // --- fused with the rollout ---
  Deno.test(`fused ${v}: the rollout decides turn outcomes the screen cannot tell apart`, () => {
    const interrupted = verdict({
      screen: screen(v, "interrupt", "interrupted"),
      rollout: rolloutLines(v, "interrupt", "tui"),
    });
    assert.equal(interrupted.reason, "interrupted");
    const failed = verdict({
      screen: screen(v, "failure", "done"),
      rollout: rolloutLines(v, "failure", "tui"),
    });
    assert.equal(failed.reason, "turn_failed");
    const done = verdict({
      screen: screen(v, "message", "done"),
      rollout: rolloutLines(v, "message", "tui"),
      marker: null,
    });
    assert.equal(done.reason, "turn_complete", "no marker asked: the rollout says the turn completed");
    assert.equal(done.transcript_tail, "Hello from the mock model. Nothing else to do.");
    const marked = verdict({
      screen: screen(v, "marker", "done"),
      rollout: rolloutLines(v, "marker", "tui"),
    });
    assert.equal(marked.reason, "marker_verified");
    assert.equal(marked.thread?.model, "mock-model");
  });

  Deno.test(`fused ${v}: dialogs on screen outrank the rollout; the rollout supplies the whole plan and questions`, () => {
    const plan = verdict({
      screen: screen(v, "plan", "plan-menu"),
      rollout: until(rolloutLines(v, "plan", "tui"), '"task_complete"'),
    });
    assert.equal(plan.reason, "plan_approval");
    assert.equal(plan.rule, "screen.plan_menu");
    assert.equal(plan.plan?.trimEnd(), mockPlan(8));
    const gate = verdict({
      screen: screen(v, "escalated", "approval"),
      rollout: until(rolloutLines(v, "escalated", "tui"), '"sandbox_permissions'),
    });
    assert.equal(gate.reason, "permission_request", "the dialog is on screen: certain, not probable");
    assert.equal(gate.rule, "screen.approval_dialog");
    const ask = verdict({
      screen: screen(v, "user_input", "widget"),
      rollout: until(rolloutLines(v, "user_input", "tui"), '"request_user_input"'),
    });
    assert.equal(ask.reason, "multiple_choice");
    assert.equal(ask.rule, "screen.question_widget");
    assert.deepEqual(ask.questions, ["Which color should the widget be?"]);
  });

  Deno.test(`fused ${v}: an open turn in the rollout is working even while the screen looks idle`, () => {
    const r = verdict({
      screen: screen(v, "marker", "done"),
      rollout: until(rolloutLines(v, "shell", "tui"), '"function_call"'),
    });
    assert.equal(r.state, "working");
  });
}

for (const v of ALL_CODEX_VERSIONS) {
  Deno.test(`fused ${v}: a completed session whose pane is still open names \`end\` as the next command`, () => {
    const marked = verdict({
      screen: screen(v, "marker", "done"),
      rollout: rolloutLines(v, "marker", "tui"),
    });
    assert.equal(marked.reason, "marker_verified");
    assert.deepEqual(marked.next_action, {
      intent: "end",
      command: `codexctl end --session ${SESSION}`,
      why: "marker printed; Codex's pane is still open: end the session once you have the result",
    });
    const plain = verdict({
      screen: screen(v, "message", "done"),
      rollout: rolloutLines(v, "message", "tui"),
      marker: null,
    });
    assert.equal(plain.reason, "turn_complete");
    assert.equal(plain.next_action.intent, "verify");
    assert.equal(plain.next_action.command, `codexctl end --session ${SESSION}`);
    assert.match(plain.next_action.why, /^the turn ended; check the work, then end the session/);
    const files = verdict({
      screen: screen(v, "message", "done"),
      rollout: rolloutLines(v, "message", "tui"),
      marker: null,
      artifacts: [{ path: "a.txt", exists: true, bytes: 1 }],
    });
    assert.equal(files.reason, "artifacts_present");
    assert.equal(files.next_action.command, `codexctl end --session ${SESSION}`);
    // a missing --expect keeps its own command (check the files first)
    const missing = verdict({
      screen: screen(v, "marker", "done"),
      rollout: rolloutLines(v, "marker", "tui"),
      artifacts: [{ path: "gone.txt", exists: false, bytes: 0 }],
    });
    assert.equal(missing.reason, "marker_unverified");
    assert.match(
      missing.next_action.command ?? "",
      /^codexctl status --session cdx-1a2b --expect gone\.txt$/,
    );
    // no pane (closed, or a bare thread): nothing to end
    const closed = decide({
      target: { session: SESSION, thread: null },
      now: Date.now(),
      thread: (() => {
        const f = foldLines(rolloutLines(v, "marker", "tui"));
        return { state: f.state, rollout_path: null, confidence: "high" as const, warnings: [] };
      })(),
      pane: null,
      process: null,
      marker: FIXTURE_MARKER,
      artifacts: [],
    }).verdict;
    assert.equal(closed.reason, "marker_verified");
    assert.deepEqual([closed.next_action.intent, closed.next_action.command], ["nothing", null]);
  });
}

Deno.test("analyzer: a gone pane → exited/pane_gone, whatever the rollout says", () => {
  const r = verdict({ screen: "", alive: false, rollout: rolloutLines("0.169.0", "marker", "tui") });
  assert.equal(r.rule, "pane.gone");
  assert.equal(r.source, "pane");
  assert.equal(r.state, "exited");
  assert.equal(r.reason, "pane_gone");
});

Deno.test("analyzer (synthetic, no real screen exists): numbered questions stay free text; an idle numbered menu is a choice", () => {
  const footer = "\n› Ask Codex to do anything\n\n  mock-model default · /tmp/x\n";
  const numberedQuestions = verdict({
    screen: "• Two questions:\n  1. Which database?\n  2. Which port?" + footer,
    marker: null,
  });
  assert.equal(numberedQuestions.reason, "free_text_question");
  assert.deepEqual(numberedQuestions.options, []);
  assert.deepEqual(numberedQuestions.questions, ["Which database?", "Which port?"]);
  const menu = verdict({ screen: "• Pick one:\n  1. Postgres\n  2. SQLite" + footer, marker: null });
  assert.equal(menu.reason, "multiple_choice");
  assert.deepEqual(menu.options.map((o) => o.label), ["Postgres", "SQLite"]);
});

Deno.test("analyzer (synthetic): past-tense done prose under an ended turn → reported_done; mid-turn or future intent is not done; a placeholder ending in ? is no question", () => {
  const footer = "\n› Ask Codex to do anything\n\n  mock-model default · /tmp/x\n";
  const ended = "\n\n  Worked for 4s • 10:00\n";
  assert.equal(
    verdict({ screen: "• I created cache.ts and verified the tests pass." + ended + footer, marker: null })
      .reason,
    "reported_done",
  );
  assert.equal(
    verdict({ screen: "• I created cache.ts and verified the tests pass." + footer, marker: null }).reason,
    "no_signal",
  );
  assert.equal(
    verdict({ screen: "• I'll create cache.ts next." + ended + footer, marker: null }).reason,
    "no_signal",
  );
  assert.equal(
    verdict({
      screen: "• Nothing yet.\n› What does this repo do?\n\n  mock-model default · /tmp/x\n",
      marker: null,
    }).reason,
    "no_signal",
  );
});

Deno.test("analyzer: a stale menu scrolled out of the last 24 lines is not reported", () => {
  const menu = screen("0.169.0", "plan", "plan-menu");
  const later = menu + "\n" + Array.from({ length: 30 }, (_, i) => `• step ${i} done`).join("\n") +
    "\n› Ask Codex to do anything\n\n  mock-model default · /tmp/x\n";
  assert.notEqual(verdict({ screen: later, marker: null }).reason, "plan_approval");
});
