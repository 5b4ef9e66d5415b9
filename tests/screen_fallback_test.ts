/**
 * The screen fallback (no rollout bound) over every real Codex TUI screen codexctl has: the
 * captured 0.169 screens with their true states (tests/fixtures/screens-codex-0.169/README.md) and
 * every recorded `tui.screens` screen of 0.169 and 0.130. Each must get its true state or
 * `no_signal` — never a wrong `completed` (issue 15 item 14): the user's own words (the `›` echo
 * and its wrapped lines) never count as Codex's, a trailing `■` line is a failure (or an
 * interruption), and "reported done" needs the turn to have visibly ended ("Worked for …").
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decide } from "../src/verdict/machine.ts";
import type { Evidence } from "../src/verdict/evidence.ts";
import { trailingError, turnEnded, turnLines } from "../src/verdict/screen.ts";
import { liveLines } from "../src/verdict/screen.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";

const SCREENS = join(FIXTURES_DIR, "screens-codex-0.169");
const ACC_MARKER = "ACC_DONE_7f3a91";

function judge(screen: string, marker: string | null, artifacts: Evidence["artifacts"] = []) {
  const evidence: Evidence = {
    target: { session: "cdx-1a2b", thread: null },
    now: Date.now(),
    thread: null,
    pane: { alive: true, status: null, screen, recent: screen },
    process: null,
    marker,
    artifacts,
  };
  const { verdict, rule } = decide(evidence);
  return { ...verdict, rule, got: `${verdict.state}/${verdict.reason}` };
}

/** One screen: its true state, and what the fallback must say (the true state, or no_signal where the screen cannot tell). */
interface Row {
  file: string;
  truth: string;
  expect: string;
  marker: string | null;
}

const NO_SIGNAL = "no_signal/no_signal";

/** The captured screens, true states from their README (the table there). */
const CAPTURED: Row[] = [
  ["done.txt", "completed/marker_verified", "completed/marker_verified"],
  ["nomarker.txt", "completed/turn_complete", NO_SIGNAL],
  ["ask.txt", "awaiting_clarification/free_text_question", "awaiting_clarification/free_text_question"],
  ["escalate.txt", "permission_gate/permission_request", "permission_gate/permission_request"],
  ["plan.txt", "awaiting_approval/plan_approval", "awaiting_approval/plan_approval"],
  ["input.txt", "awaiting_clarification/multiple_choice", "awaiting_clarification/multiple_choice"],
  ["fail.txt", "failed/turn_failed", "failed/turn_failed"],
  ["trust.txt", "awaiting_approval/trust_dialog", "awaiting_approval/trust_dialog"],
  ["slow_t1.txt", "working/working", NO_SIGNAL],
  ["slow_t5.txt", "working/working", NO_SIGNAL],
  ["slow_t10.txt", "working/working", NO_SIGNAL],
  ["slow_done.txt", "completed/turn_complete", NO_SIGNAL],
  ["synthetic_slow_doneword.txt", "working/working", NO_SIGNAL],
].map(([file, truth, expect]) => ({ file: join(SCREENS, file), truth, expect, marker: ACC_MARKER }));

/** The recorded screens of each scenario (both versions): label → [truth, expect]. */
const RECORDED_TRUTH: Record<string, [string, string]> = {
  "ready": [NO_SIGNAL, NO_SIGNAL],
  "approval": ["permission_gate/permission_request", "permission_gate/permission_request"],
  "question": ["awaiting_clarification/free_text_question", "awaiting_clarification/free_text_question"],
  "plan-menu": ["awaiting_approval/plan_approval", "awaiting_approval/plan_approval"],
  "trust-dialog": ["awaiting_approval/trust_dialog", "awaiting_approval/trust_dialog"],
  "widget": ["awaiting_clarification/multiple_choice", "awaiting_clarification/multiple_choice"],
  "working": ["working/working", "working/working"],
  "interrupted": ["interrupted/interrupted", "interrupted/interrupted"],
  "done": ["completed/marker_verified", "completed/marker_verified"],
};

function recorded(): Row[] {
  const rows: Row[] = [];
  for (const version of ["0.169.0", "0.130.0"]) {
    const root = join(FIXTURES_DIR, `codex-${version}`);
    for (const scenario of [...Deno.readDirSync(root)].map((e) => e.name).sort()) {
      const dir = join(root, scenario, "tui.screens");
      let files: string[];
      try {
        files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      } catch {
        continue;
      }
      for (const name of files) {
        const label = name.replace(/^\d+-|\.txt$/g, "");
        let [truth, expect] = RECORDED_TRUTH[label] ?? ["?", "?"];
        // the streaming frame: 0.130 still shows its spinner, 0.169 streams text instead of it
        if (label === "streaming") {
          truth = "working/working";
          expect = version === "0.130.0" ? "working/working" : NO_SIGNAL;
        }
        if (label === "done" && scenario === "failure") {
          [truth, expect] = ["failed/turn_failed", "failed/turn_failed"];
        }
        if (label === "done" && scenario === "message") {
          [truth, expect] = ["completed/turn_complete", NO_SIGNAL];
        }
        rows.push({ file: join(dir, name), truth, expect, marker: FIXTURE_MARKER });
      }
    }
  }
  return rows;
}

const ROWS = [...CAPTURED, ...recorded()];

Deno.test("screen fallback: the table covers every captured screen and every recorded TUI screen of both versions", () => {
  const captured = [...Deno.readDirSync(SCREENS)].filter((e) => e.name.endsWith(".txt")).length;
  assert.equal(CAPTURED.length, captured, "a captured screen without a row");
  const unknown = ROWS.filter((r) => r.truth === "?").map((r) => r.file);
  assert.deepEqual(unknown, [], "a recorded screen without a true state");
  assert.ok(ROWS.length >= 13 + 2 * 26, `${ROWS.length} rows`);
});

for (const row of ROWS) {
  const name = row.file.slice(FIXTURES_DIR.length + 1);
  Deno.test(`screen fallback [item 14]: ${name} → ${row.expect} (truth ${row.truth})`, () => {
    const v = judge(Deno.readTextFileSync(row.file), row.marker);
    assert.equal(v.got, row.expect, `${v.rule}: ${v.summary}`);
    assert.ok(v.got === row.truth || v.got === NO_SIGNAL, "the true state or no_signal");
    if (v.state === "completed") {
      assert.equal(row.truth.split("/")[0], "completed", "never a wrong completion");
    }
  });
}

// ── the class, not the example: each way the user's words or a running turn looked done ─────────

const FOOTER = [
  "› Ask Codex to do anything",
  "",
  "  mock-model default · /tmp/scratch/repo",
  "  ← for agents · ? for shortcuts",
];

Deno.test("screen fallback [item 14]: a failed turn whose echoed prompt sounds done is failed, on any ■ wording", () => {
  for (
    const error of [
      "We’re currently experiencing high demand, which may cause temporary errors.",
      "stream disconnected before completion: error sending request",
      "Something the mock never says.",
    ]
  ) {
    const v = judge(
      [
        "› Fix it. I have completed the setup and verified it; print DONE_1234567 when finished.",
        "  All tests are successfully updated.",
        "",
        `■ ${error}`,
        "",
        ...FOOTER,
      ].join("\n"),
      "DONE_1234567",
    );
    assert.equal(v.got, "failed/turn_failed", error);
  }
});

Deno.test("screen fallback [item 14]: the marker or a question on the user's own (wrapped) echo lines is not Codex's", () => {
  const screen = [
    "› Print this token on its own line when finished, exactly so:",
    "  DONE_1234567",
    "  Which file should change?",
    "",
    ...FOOTER,
  ].join("\n");
  assert.equal(judge(screen, "DONE_1234567").got, NO_SIGNAL);
  // and the same words said by Codex do count
  const said = screen.replace(
    "› Ask Codex",
    "• Finished.\n  DONE_1234567\n\n  Worked for 2s • 10:00\n\n› Ask Codex",
  );
  assert.equal(judge(said, "DONE_1234567").got, "completed/marker_verified");
});

Deno.test("screen fallback [item 14]: done-sounding text mid-turn is not a completion; the same text under 'Worked for' is", () => {
  const running = [
    "› Add a cache.",
    "",
    "• I created the cache and verified it with the tests; everything is all set.",
    "",
    ...FOOTER,
  ];
  assert.equal(judge(running.join("\n"), "DONE_1234567").got, NO_SIGNAL);
  const ended = [...running.slice(0, 4), "  Worked for 9s • 10:00", "", ...FOOTER];
  assert.equal(judge(ended.join("\n"), "DONE_1234567").got, "completed/reported_done");
  // a new turn below an old "Worked for" has not ended
  const again = [
    ...ended.slice(0, 6),
    "› And the docs.",
    "",
    "• I updated the documentation successfully.",
    "",
    ...FOOTER,
  ];
  assert.equal(judge(again.join("\n"), "DONE_1234567").got, NO_SIGNAL);
  // the expected files existing prove nothing while the turn may still run
  const files = [{ path: "out.md", exists: true, bytes: 3 }];
  assert.equal(judge(running.join("\n"), "DONE_1234567", files).got, NO_SIGNAL);
  assert.equal(judge(ended.join("\n"), "DONE_1234567", files).got, "completed/artifacts_present");
});

Deno.test("screen fallback [item 14]: an interruption is interrupted, not failed and not done", () => {
  const v = judge(
    [
      "› Do it; say finished when done.",
      "",
      "■ Conversation interrupted - tell the model what to do differently.",
      "",
      ...FOOTER,
    ]
      .join("\n"),
    null,
  );
  assert.equal(v.got, "interrupted/interrupted");
});

Deno.test("screen fallback [item 14]: turnLines, turnEnded and trailingError on the real failed screen", () => {
  const lines = liveLines(Deno.readTextFileSync(join(SCREENS, "fail.txt")));
  const turn = turnLines(lines);
  assert.ok(!turn.some((l) => l.includes("when finished")), "the echo is not Codex's");
  assert.ok(!turn.some((l) => l.includes("Ask Codex to do anything")), "nor the composer");
  assert.match(String(trailingError(turn)), /high demand/);
  assert.equal(turnEnded(turn), false);
  const done = turnLines(liveLines(Deno.readTextFileSync(join(SCREENS, "done.txt"))));
  assert.equal(turnEnded(done), true);
  assert.equal(trailingError(done), null);
});
