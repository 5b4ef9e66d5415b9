/**
 * The exec rules of the verdict machine on recorded real `codex exec --json` streams (Codex 0.169.0
 * and 0.130.0) and on the error texts real Codex printed for the mock model's upstream errors
 * (observed live; tests/exec_session_test.ts re-checks them end to end): every state a headless
 * run can be in, the cause of a failure, and the final message carried whole.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { foldExecText, initialExecState, MAX_MESSAGE_CHARS } from "../src/codex/exec/events.ts";
import type { ExecRunState } from "../src/codex/exec/events.ts";
import { decide } from "../src/verdict/machine.ts";
import type { Evidence, ExecEvidence, ProcessEvidence } from "../src/verdict/evidence.ts";
import { failureCause } from "../src/verdict/failure_cause.ts";
import { isVerifiedCompletion } from "../src/verdict/states.ts";
import { VerdictSchema } from "../src/envelope.ts";
import { evidenceOf, foldLines, rolloutLines } from "./support/fixtures.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { reviewFromOutput } from "../src/codex/rollout/review.ts";

const SESSION = "cdx-0e0e";
const MARKER = "CDX_DONE_F1X7UR";

function stream(version: string, scenario: string): ExecRunState {
  return foldExecText(
    Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${version}`, scenario, "exec.events.jsonl")),
  );
}

function execOf(s: ExecRunState, extra: Partial<ExecEvidence> = {}): ExecEvidence {
  return {
    events_path: "/state/exec/cdx-0e0e/runs/1/events.jsonl",
    run: 1,
    thread_id: s.thread_id,
    turn: s.turn,
    last_agent_message: s.last_agent_message,
    message_chars: s.last_agent_message_chars,
    message_tail: s.last_agent_message_tail,
    message_path: null,
    error: s.turn_error ?? s.last_error,
    running: s.running?.command ?? null,
    stderr_tail: null,
    quiet_ms: 100,
    ...extra,
  };
}

const ALIVE: ProcessEvidence = { alive: true, pid: 4242, started_at: 1, exit: null };
const EXITED_0: ProcessEvidence = { alive: false, pid: 4242, started_at: 1, exit: { code: 0, signal: null } };
const EXITED_1: ProcessEvidence = { alive: false, pid: 4242, started_at: 1, exit: { code: 1, signal: null } };
const killed = (signal: string): ProcessEvidence => ({
  alive: false,
  pid: 4242,
  started_at: 1,
  exit: { code: null, signal },
});

function evidence(exec: ExecEvidence, process: ProcessEvidence, extra: Partial<Evidence> = {}): Evidence {
  return {
    target: { session: SESSION, thread: exec.thread_id },
    now: Date.now(),
    thread: null,
    pane: null,
    process,
    exec,
    marker: MARKER,
    artifacts: [],
    ...extra,
  };
}

function check(e: Evidence) {
  const d = decide(e);
  VerdictSchema.parse(d.verdict);
  assert.equal(d.source, "exec", `decided by ${d.rule}`);
  return d;
}

for (const version of ["0.169.0", "0.130.0"]) {
  Deno.test(`exec ${version}: a completed turn with the marker is marker_verified, with its final message`, () => {
    const s = stream(version, "marker");
    const d = check(evidence(execOf(s), EXITED_0));
    assert.equal(d.rule, "exec.completed");
    assert.equal(d.verdict.state, "completed");
    assert.equal(d.verdict.reason, "marker_verified");
    assert.equal(d.verdict.marker_found, true);
    assert.equal(d.verdict.final_message, s.last_agent_message);
    assert.equal(d.verdict.final_message_path, null);
    assert.equal(
      d.verdict.thread?.id,
      s.thread_id,
      "the thread id from the stream before the rollout is known",
    );
    assert.ok(isVerifiedCompletion(d.verdict));
    // the process may still be finishing: a terminal event decides regardless
    assert.equal(check(evidence(execOf(s), ALIVE)).verdict.reason, "marker_verified");
  });

  Deno.test(`exec ${version}: the marker with a missing --expect file is marker_unverified`, () => {
    const d = check(
      evidence(execOf(stream(version, "marker")), EXITED_0, {
        artifacts: [{ path: "out.md", exists: false, bytes: 0 }],
      }),
    );
    assert.equal(d.verdict.reason, "marker_unverified");
  });

  Deno.test(`exec ${version}: a failed upstream call is failed, its cause named (model_error)`, () => {
    const d = check(evidence(execOf(stream(version, "failure")), EXITED_1));
    assert.equal(d.rule, "exec.failed");
    assert.equal(d.verdict.state, "failed");
    assert.equal(d.verdict.reason, "model_error");
    assert.match(d.verdict.summary, /high demand/);
    assert.match(d.verdict.next_action.command ?? "", /^codexctl send --session cdx-0e0e --message /);
  });

  Deno.test(`exec ${version}: a run gone mid-turn is interrupted (SIGINT's rollout, SIGTERM) or exited (SIGKILL); never working`, () => {
    const s = stream(version, "interrupt");
    const x = execOf(s);
    assert.equal(check(evidence(x, ALIVE)).verdict.state, "working");
    assert.equal(check(evidence(x, ALIVE)).rule, "exec.working");
    const term = check(evidence(x, killed("SIGTERM")));
    assert.equal(term.rule, "exec.interrupted");
    assert.equal(term.verdict.state, "interrupted");
    // Codex exits 1 on SIGINT without a signal; its rollout says the turn was aborted
    const rollout = foldLines(rolloutLines(version, "interrupt", "exec"));
    const intr = check(evidence(x, EXITED_1, { thread: evidenceOf(rollout).thread }));
    assert.equal(intr.verdict.state, "interrupted");
    const kill = check(evidence(x, killed("SIGKILL")));
    assert.equal(kill.rule, "exec.exited");
    assert.equal(kill.verdict.state, "exited");
    assert.equal(kill.verdict.reason, "process_exited");
    assert.match(kill.verdict.summary, /killed by SIGKILL while its turn was still open/);
    assert.match(kill.verdict.next_action.command ?? "", /send --session cdx-0e0e/);
    // dead without any exit record (supervisor killed too): still exited, never working
    const dead = check(evidence(x, { alive: false, pid: 4242, started_at: 1, exit: null }));
    assert.equal(dead.verdict.state, "exited");
  });

  Deno.test(`exec ${version}: a running command is named while the turn works`, () => {
    const text = Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${version}`, "shell", "exec.events.jsonl"));
    const lines = text.split("\n");
    const s = foldExecText(
      lines.slice(0, lines.findIndex((l) => l.includes('"item.started"')) + 1).join("\n"),
    );
    const d = check(evidence(execOf(s), ALIVE));
    assert.equal(d.verdict.state, "working");
    assert.match(d.verdict.summary, /running: .*echo codexctl-fixture-shell/);
  });
}

/** The texts real Codex printed in `turn.failed` for the mock's upstream errors (observed live). */
const OBSERVED: { version: string; text: string; cause: string }[] = [
  {
    version: "0.169.0",
    text:
      "You’ve hit your usage limit. Visit https://chatgpt.com/settings/usage to purchase more credits or try again at 5:56 PM.",
    cause: "usage_limit",
  },
  {
    version: "0.130.0",
    text:
      "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at 5:57 PM.",
    cause: "usage_limit",
  },
  { version: "both", text: "Quota exceeded. Check your plan and billing details.", cause: "usage_limit" },
  { version: "both", text: "exceeded retry limit, last status: 429 Too Many Requests", cause: "rate_limit" },
  {
    version: "0.169.0",
    text: "rate limit exceeded: Rate limit reached for gpt. Please try again in 1.5s.",
    cause: "rate_limit",
  },
  {
    version: "0.130.0",
    text: "stream disconnected before completion: Rate limit reached for gpt. Please try again in 1.5s.",
    cause: "rate_limit",
  },
  {
    version: "both",
    text:
      "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.",
    cause: "context_window",
  },
  {
    version: "both",
    text:
      "unexpected status 401 Unauthorized: Incorrect API key provided: sk-mock. You can find your API key at https://platform.openai.com/account/api-keys., url: http://127.0.0.1:42539/v1/responses",
    cause: "auth_failed",
  },
  {
    version: "both",
    text: "unexpected status 403 Forbidden: forbidden, url: http://127.0.0.1:42539/v1/responses",
    cause: "auth_failed",
  },
  { version: "both", text: "Missing environment variable: `MOCK_KEY`.", cause: "auth_failed" },
  {
    version: "source",
    text:
      "stream disconnected before completion: error sending request for url (http://127.0.0.1:9/v1/responses)",
    cause: "network_error",
  },
  {
    version: "both",
    text: "We’re currently experiencing high demand, which may cause temporary errors.",
    cause: "model_error",
  },
  {
    version: "0.169.0",
    text: '{"error":{"message":"model not found: foo","type":"server_error"}}',
    cause: "model_error",
  },
];

Deno.test("failure causes: every text real Codex printed names its cause", () => {
  for (const o of OBSERVED) assert.equal(failureCause(o.text), o.cause, `${o.version}: ${o.text}`);
  assert.equal(failureCause("something odd happened"), null);
  assert.equal(failureCause(null), null);
});

Deno.test("exec: a failed turn's reason is its cause; an unknown cause is turn_failed", () => {
  for (const o of OBSERVED) {
    const s = foldExecText(
      ['{"type":"turn.started"}', JSON.stringify({ type: "turn.failed", error: { message: o.text } })].join(
        "\n",
      ),
    );
    const d = check(evidence(execOf(s), EXITED_1));
    assert.equal(d.verdict.state, "failed");
    assert.equal(d.verdict.reason, o.cause, o.text);
  }
  const other = foldExecText('{"type":"turn.started"}\n{"type":"turn.failed","error":{"message":"odd"}}');
  assert.equal(check(evidence(execOf(other), EXITED_1)).verdict.reason, "turn_failed");
  const limit = foldExecText(
    '{"type":"turn.started"}\n' +
      JSON.stringify({ type: "turn.failed", error: { message: OBSERVED[0].text } }),
  );
  const d = check(evidence(execOf(limit), EXITED_1));
  assert.match(d.verdict.summary, /usage limit/);
  assert.equal(d.verdict.next_action.intent, "wait");
});

Deno.test("exec: Codex that ends before its turn — a named cause is failed, anything else exited with what it said", () => {
  const none = initialExecState();
  const untrusted = check(evidence(
    execOf(none, {
      stderr_tail:
        "Reading additional input from stdin...\nNot inside a trusted directory and --skip-git-repo-check was not specified.\n",
    }),
    EXITED_1,
  ));
  assert.equal(untrusted.rule, "exec.exited");
  assert.equal(untrusted.verdict.state, "exited");
  assert.match(
    untrusted.verdict.summary,
    /exited with code 1 before its turn started: Not inside a trusted directory/,
  );
  assert.equal(untrusted.verdict.next_action.intent, "start", "no thread to resume");
  const key = check(
    evidence(execOf(none, { stderr_tail: "Error: Missing environment variable: `MOCK_KEY`.\n" }), EXITED_1),
  );
  assert.equal(key.rule, "exec.start_failed");
  assert.equal(key.verdict.reason, "auth_failed");
  const starting = check(evidence(execOf(none), ALIVE));
  assert.equal(starting.verdict.state, "working");
  assert.match(starting.verdict.summary, /starting/);
  // 0.169 retries a refused connection for a long while, saying so in error events
  const retrying = foldExecText(
    '{"type":"turn.started"}\n{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}',
  );
  const r = check(evidence(execOf(retrying), ALIVE));
  assert.equal(r.verdict.state, "working");
  assert.match(r.verdict.summary, /Codex is retrying: Reconnecting\.\.\. waiting for network/);
});

Deno.test("exec: a silent live run is stalled once the stall time passed", () => {
  const s = stream("0.169.0", "interrupt");
  const quiet = check(evidence(execOf(s, { quiet_ms: 700_000 }), ALIVE, { stall_ms: 600_000 }));
  assert.equal(quiet.rule, "exec.stalled");
  assert.equal(quiet.verdict.reason, "stalled");
  assert.equal(
    check(evidence(execOf(s, { quiet_ms: 700_000 }), ALIVE)).verdict.reason,
    "working",
    "no stall time: not judged",
  );
});

Deno.test("exec: a question at the end of the turn is answered with send, not reply", () => {
  const s = foldExecText(
    [
      '{"type":"turn.started"}',
      JSON.stringify({
        type: "item.completed",
        item: { type: "agent_message", text: "Which database: SQLite or Postgres?" },
      }),
      '{"type":"turn.completed","usage":{}}',
    ].join("\n"),
  );
  const d = check(evidence(execOf(s), EXITED_0));
  assert.equal(d.verdict.state, "awaiting_clarification");
  assert.equal(d.verdict.reason, "free_text_question");
  assert.equal(d.verdict.next_action.command, 'codexctl send --session cdx-0e0e --message "<answer>"');
});

Deno.test("exec: --output-schema output is carried; a mismatch is output_invalid", () => {
  const s = foldExecText(
    [
      '{"type":"turn.started"}',
      JSON.stringify({ type: "item.completed", item: { type: "agent_message", text: '{"ok":true}' } }),
      '{"type":"turn.completed","usage":{}}',
    ].join("\n"),
  );
  const good = check(
    evidence(execOf(s, { output: { value: { ok: true }, errors: [] } }), EXITED_0, { marker: null }),
  );
  assert.equal(good.verdict.reason, "turn_complete");
  assert.deepEqual(good.verdict.output, { ok: true });
  assert.deepEqual(good.verdict.output_errors, []);
  const bad = check(
    evidence(execOf(s, { output: { value: { ok: true }, errors: ["/ok must be string"] } }), EXITED_0, {
      marker: null,
    }),
  );
  assert.equal(bad.verdict.state, "completed");
  assert.equal(bad.verdict.reason, "output_invalid");
  assert.match(bad.verdict.summary, /must be string/);
  assert.equal(isVerifiedCompletion(bad.verdict), false);
});

Deno.test("exec: a final message over 64 Ki characters: its start, its path, the marker found at its end", () => {
  const long = "x".repeat(MAX_MESSAGE_CHARS + 500) + `\n${MARKER}`;
  const s = foldExecText(
    [
      '{"type":"turn.started"}',
      JSON.stringify({ type: "item.completed", item: { type: "agent_message", text: long } }),
      '{"type":"turn.completed","usage":{}}',
    ].join("\n"),
  );
  const d = check(
    evidence(execOf(s, { message_path: "/state/exec/cdx-0e0e/runs/1/last_message.txt" }), EXITED_0),
  );
  assert.equal(d.verdict.reason, "marker_verified");
  assert.equal((d.verdict.final_message as string).length, MAX_MESSAGE_CHARS);
  assert.equal(d.verdict.final_message_path, "/state/exec/cdx-0e0e/runs/1/last_message.txt");
});

for (const version of ["0.169.0", "0.130.0"]) {
  Deno.test(`exec ${version}: a review run that completed with its review is completed/review_done; every verdict of a review run carries it`, () => {
    const s = stream(version, "review");
    const rollout = foldLines(
      Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${version}`, "review", "exec.rollout.jsonl")).split(
        "\n",
      )
        .filter(Boolean),
    );
    const review = reviewFromOutput(rollout.state.review!.output!, { repoRoot: null });
    const d = check(evidence(execOf(s), EXITED_0, { review: { review, source: "rollout" } }));
    assert.equal(d.rule, "exec.reviewed");
    assert.equal(d.verdict.state, "completed");
    assert.equal(d.verdict.reason, "review_done");
    assert.equal(d.verdict.summary, "Review done: patch is incorrect — 2 findings (P1: 1, P2: 1)");
    assert.deepEqual(d.verdict.review, review);
    assert.equal(d.verdict.next_action.intent, "verify");
    assert.equal(
      d.verdict.next_action.command,
      `codexctl send --session ${SESSION} --message "<the finding you dispute, and why>"`,
    );
    // no findings: nothing to do
    const none = check(
      evidence(execOf(s), EXITED_0, { review: { review: { ...review, findings: [] }, source: "rollout" } }),
    );
    assert.equal(none.verdict.summary, "Review done: patch is incorrect — no findings");
    assert.equal(none.verdict.next_action.intent, "nothing");
    // still running: working, review null; ended without a review: the turn's own verdict, review null
    const running = check(
      evidence(execOf(s, { turn: "started" }), ALIVE, { review: { review: null, source: null } }),
    );
    assert.equal(running.rule, "exec.working");
    assert.equal(running.verdict.review, null);
    const without = check(evidence(execOf(s), EXITED_0, { review: { review: null, source: null } }));
    assert.equal(without.rule, "exec.completed");
    assert.equal(without.verdict.review, null);
    // not a review run: no review key at all
    assert.equal("review" in check(evidence(execOf(s), EXITED_0)).verdict, false);
  });
}
