/**
 * The committed fixtures: every scenario on both pinned Codex versions, produced by
 * scripts/record_fixtures.ts from real Codex runs. These tests pin what the recordings contain,
 * so a re-recording that lost a scenario or captured the wrong moment fails here.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ALL_CODEX_VERSIONS, CODEX_VERSIONS } from "./support/codex_bin.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { SCENARIOS } from "./support/scenarios.ts";
import { REVIEW_SCENARIOS } from "./support/review_scenarios.ts";
import { execShape, rolloutShape } from "./support/shape.ts";
import { parseJsonLines } from "./support/codex_exec.ts";

function dir(version: string, scenario: string) {
  return join(FIXTURES_DIR, `codex-${version}`, scenario);
}

function read(version: string, scenario: string, file: string): string {
  return Deno.readTextFileSync(join(dir(version, scenario), file));
}

function screens(version: string, scenario: string): Map<string, string> {
  const out = new Map<string, string>();
  for (
    const entry of [...Deno.readDirSync(join(dir(version, scenario), "tui.screens"))].sort((a, b) =>
      a.name.localeCompare(b.name)
    )
  ) {
    out.set(
      entry.name.replace(/^\d+-|\.txt$/g, ""),
      Deno.readTextFileSync(join(dir(version, scenario), "tui.screens", entry.name)),
    );
  }
  return out;
}

Deno.test("at least 8 scenarios are recorded for each of the 2 pinned Codex versions", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const recorded = [...Deno.readDirSync(join(FIXTURES_DIR, `codex-${version}`))].filter((e) =>
      e.isDirectory
    ).map((e) => e.name);
    assert.ok(recorded.length >= 8, `${version}: only ${recorded.length} scenarios`);
    assert.deepEqual(
      recorded.sort(),
      [...SCENARIOS, ...REVIEW_SCENARIOS].map((s) => s.name).sort(),
      `${version}: recorded set differs from the scenario list`,
    );
  }
});

Deno.test("each fixture was produced by the recorder from the scenario's own prompt, by that Codex version", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    for (const sc of SCENARIOS) {
      const meta = JSON.parse(read(version, sc.name, "meta.json"));
      assert.equal(meta.codex_version, version);
      assert.equal(
        meta.prompt,
        sc.prompt,
        `${version}/${sc.name}: prompt changed since recording; re-record`,
      );
      for (const kind of ["exec", "tui"] as const) {
        if (!sc[kind]) continue;
        const rollout = read(version, sc.name, `${kind}.rollout.jsonl`);
        const lines = parseJsonLines(rollout);
        const meta0 = lines[0]?.payload as Record<string, unknown>;
        assert.equal(lines[0]?.type, "session_meta", `${version}/${sc.name}/${kind}`);
        assert.equal(meta0.cli_version, version, `${version}/${sc.name}/${kind}: written by another Codex`);
        assert.equal(meta0.originator, kind === "exec" ? "codex_exec" : "codex-tui");
        const firstPrompt = kind === "tui" && sc.tui && sc.tui.steps.find((s) => s.do === "submit");
        const expected = firstPrompt && "text" in firstPrompt ? firstPrompt.text : sc.prompt;
        assert.ok(
          rollout.includes(JSON.stringify(expected).slice(1, -1)),
          `${version}/${sc.name}/${kind}: the prompt is not in the rollout`,
        );
      }
    }
  }
});

Deno.test("paginated (0.169) and legacy (0.130) eras are what the recordings show", () => {
  const current = parseJsonLines(read(CODEX_VERSIONS.current, "shell", "exec.rollout.jsonl"));
  const legacy = parseJsonLines(read(CODEX_VERSIONS.legacy, "shell", "exec.rollout.jsonl"));
  assert.equal((current[0].payload as Record<string, unknown>).history_mode, "paginated");
  assert.equal((legacy[0].payload as Record<string, unknown>).history_mode, undefined);
  assert.ok(
    rolloutShape(read(CODEX_VERSIONS.current, "shell", "exec.rollout.jsonl")).includes(
      "event_msg/item_completed:AgentMessage",
    ),
  );
  assert.ok(
    rolloutShape(read(CODEX_VERSIONS.legacy, "shell", "exec.rollout.jsonl")).includes(
      "event_msg/agent_message",
    ),
  );
  assert.ok(current.every((l) => typeof l.ordinal === "number"), "0.169 lines carry ordinal");
  assert.ok(legacy.every((l) => l.ordinal === undefined), "0.130 lines have no ordinal");
});

Deno.test("turn outcomes: 0.169 fails with task_complete.error, 0.130 with a bare task_complete; both record interrupts", () => {
  assert.ok(
    rolloutShape(read(CODEX_VERSIONS.current, "failure", "exec.rollout.jsonl")).includes(
      "event_msg/task_complete:error",
    ),
  );
  const legacyFail = rolloutShape(read(CODEX_VERSIONS.legacy, "failure", "exec.rollout.jsonl"));
  assert.equal(legacyFail.at(-1), "event_msg/task_complete");
  assert.ok(!legacyFail.includes("event_msg/agent_message"), "0.130's failed turn has no agent output");
  for (const version of ALL_CODEX_VERSIONS) {
    for (const kind of ["exec", "tui"]) {
      assert.equal(
        rolloutShape(read(version, "interrupt", `${kind}.rollout.jsonl`)).at(-1),
        "event_msg/turn_aborted:interrupted",
        `${version}/${kind}`,
      );
    }
    const exec = JSON.parse(read(version, "failure", "meta.json")).exec;
    assert.equal(exec.exit_code, 1, `${version}: a failed exec turn exits 1`);
    assert.ok(
      execShape(parseJsonLines(read(version, "failure", "exec.events.jsonl"))).includes("turn.failed"),
    );
  }
});

Deno.test("TUI screens were captured at the moment each scenario is about", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const check = (scenario: string, label: string, pattern: RegExp) => {
      const screen = screens(version, scenario).get(label);
      assert.ok(screen, `${version}/${scenario}: no "${label}" screen`);
      assert.match(screen, pattern, `${version}/${scenario}/${label}`);
    };
    check(
      "escalated",
      "approval",
      /Would you like to run the following command\?[\s\S]*\$ touch escalated\.txt[\s\S]*1\. Yes, proceed/,
    );
    check(
      "user_input",
      "widget",
      /Which color should the widget be\?[\s\S]*2\. Blue[\s\S]*enter to submit answer/,
    );
    check("plan", "plan-menu", /Implement this plan\?[\s\S]*1\. Yes, implement this plan/);
    check("interrupt", "working", /Working \(\d+s • esc to interrupt\)/);
    check("interrupt", "interrupted", /Conversation interrupted/);
    check("failure", "done", /■ We.re currently experiencing high demand/);
    check("trust", "trust-dialog", /Trust this folder\?|Do you trust the contents of this directory\?/);
    check("question", "question", /Which database should I use for the cache: SQLite or Postgres\?/);
    check("marker", "done", /^\s+CDX_DONE_F1X7UR$/m);
    // 0.169 paints the streamed deltas as they arrive; 0.130 keeps "Working" until the message is done
    check(
      "slow",
      "streaming",
      version === CODEX_VERSIONS.current ? /• Streaming this answer/ : /Working \(\d+s • esc to interrupt\)/,
    );
  }
});

Deno.test("the plan is persisted whole in the rollout as a Plan item", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const lines = parseJsonLines(read(version, "plan", "tui.rollout.jsonl"));
    const plan = lines.map((l) => l.payload as Record<string, unknown>)
      .find((p) => p.type === "item_completed" && (p.item as Record<string, unknown>).type === "Plan");
    assert.ok(plan, `${version}: no Plan item`);
    const text = String((plan!.item as Record<string, unknown>).text);
    for (let i = 1; i <= 8; i++) {
      assert.match(text, new RegExp(`^${i}\\. `, "m"), `${version}: step ${i} missing`);
    }
    assert.match(text, /^# Mock implementation plan/);
  }
});

Deno.test("the mock recorded what Codex sent: tools offered and the tool round-trip", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const requests = parseJsonLines(read(version, "shell", "exec.requests.jsonl"));
    assert.equal(requests.length, 2, `${version}: one request for the call, one after its output`);
    assert.ok((requests[0].tools as string[]).includes("exec_command"));
    assert.equal(requests[1].last_input_type, "function_call_output");
    assert.equal(requests[0].originator, "codex_exec");
  }
});
