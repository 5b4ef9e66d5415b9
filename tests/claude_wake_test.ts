/**
 * The wake-up with the real Claude Code (pinned 2.1.329) and a real Codex (0.169, mock model), in a
 * loopback-only network namespace when the machine allows it (tests/support/wake_scenario.ts).
 *
 * `claude -p` cannot exercise the asynchronous rewake: verified against the pinned binary, an
 * `asyncRewake` hook runs in the background only in an interactive session (or with streaming
 * input); under `-p` Claude Code runs it in the foreground, so the Stop waits for it and its exit 2
 * is an ordinary blocking Stop feedback (and with `"async": true` added, `-p` backgrounds it and
 * drops the rewake altogether). So the acceptance test drives the interactive `claude` in tmux; a
 * second test pins down what `-p` does with the same hooks.
 */
import assert from "node:assert/strict";
import { runIsolated } from "./support/claude_tui.ts";
import { type MessagesRequest, sinceLastAssistant } from "./support/mock_messages.ts";
import type { WakeScenarioReport } from "./support/wake_scenario.ts";

const SCENARIO = new URL("./support/wake_scenario.ts", import.meta.url);
const PAUSE_SEC = 8;

/** The texts a main-loop request added since the model last spoke (tool results, hook text, notifications). */
const news = (r: MessagesRequest): string => sinceLastAssistant(r).join("\n");

function count(haystack: string[], pattern: RegExp): number {
  return haystack.reduce((n, t) => n + [...t.matchAll(new RegExp(pattern.source, "g"))].length, 0);
}

Deno.test("real interactive Claude Code: it ends its turn while Codex works; Codex completing wakes it once with the verdict line; a question wakes it with the reply command; nothing is told twice", async () => {
  const { report, isolated, stderr } = await runIsolated<WakeScenarioReport>(SCENARIO, {
    sessionId: "3f1a5c2e-0000-4000-8000-00000000a4e1",
    pauseSec: PAUSE_SEC,
    mode: "tui",
  });
  console.log(`  (network isolation: ${isolated ? "loopback-only namespace" : "none available"})`);
  assert.equal(
    report.error,
    null,
    `${report.error}\n${report.screens.join("\n---\n")}\n${stderr.slice(-3000)}`,
  );
  const main = report.requests.filter((r) => r.main);
  assert.equal(main.length, 6, main.map((r) => r.reply).join("\n"));
  const texts = main.map(news);
  const started = [...texts[1].matchAll(/"session": "(cdx-[0-9a-f]+)"/g)].map((m) => m[1]);
  const first = started[0];
  const second = [...texts[4].matchAll(/"session": "(cdx-[0-9a-f]+)"/g)].map((m) => m[1])[0];
  assert.ok(first && second && first !== second, "Claude started two sessions with codexctl start --no-wait");
  assert.match(texts[1], /"state": "working"/, "the first session still worked when Claude ended its turn");

  // 1. the turn ended (request 2 answered end_turn) while Codex worked; only the wake-up spoke next
  const completed = new RegExp(
    `Stop hook blocking error from command "Stop": codexctl: ${first} \\(wake\\) is completed \\(marker_verified\\)\\. .*Details: codexctl status --session ${first}`,
  );
  assert.match(texts[2], completed);
  assert.match(
    texts[2],
    /<summary>Stop hook feedback<\/summary>/,
    "an asyncRewake wake-up, not a tool result",
  );
  const waited = main[2].at - report.turnEnded[0];
  assert.ok(waited >= (PAUSE_SEC - 4) * 1000, `Claude was idle ${waited} ms before it was woken`);
  assert.doesNotMatch(texts[1] + texts[2], /still working/, "no Stop block while Codex worked");

  // 2. the question wakes it with the reply command
  assert.match(
    texts[5],
    new RegExp(
      `Stop hook blocking error from command "Stop": codexctl: ${second} \\(ask\\) is awaiting_clarification \\(free_text_question\\)\\. Codex asks: .*Next: codexctl reply --session ${second} --text "<answer>"`,
    ),
  );
  assert.ok(main[5].at - report.turnEnded[1] >= (PAUSE_SEC - 4) * 1000);

  // 3. each change told exactly once across PostToolUse, UserPromptSubmit, Stop and the wake-up
  assert.equal(count(texts, new RegExp(`${first} \\(wake\\) is completed`)), 1);
  assert.equal(count(texts, new RegExp(`${second} \\(ask\\) is awaiting_clarification`)), 1);
  assert.equal(count(texts, /Stop hook feedback:\n/), 0, "the Stop hook never blocked");
  const woke = report.hookLog.filter((l) => l.hook === "wake" && Array.isArray(l.woke));
  assert.equal(woke.length, 2, JSON.stringify(report.hookLog));
});

Deno.test("real claude -p: the same wake-up runs in the foreground — the Stop waits for Codex and blocks once with the verdict line", async () => {
  const { report, stderr } = await runIsolated<WakeScenarioReport>(SCENARIO, {
    sessionId: "3f1a5c2e-0000-4000-8000-00000000a4e2",
    pauseSec: PAUSE_SEC,
    mode: "print",
  });
  assert.equal(report.error, null, `${report.error}\n${stderr.slice(-3000)}`);
  assert.equal(report.code, 0);
  const main = report.requests.filter((r) => r.main);
  assert.equal(main.length, 3, main.map((r) => r.reply).join("\n"));
  const texts = main.map(news);
  const first = texts[1].match(/"session": "(cdx-[0-9a-f]+)"/)?.[1];
  assert.ok(first);
  assert.match(
    texts[2],
    new RegExp(
      `Stop hook feedback:\\n\\[.*bin/codexctl hook wake\\]: codexctl: ${first} \\(wake\\) is completed \\(marker_verified\\)`,
    ),
  );
  assert.ok(main[2].at - main[1].at >= (PAUSE_SEC - 4) * 1000, "the Stop waited for Codex");
  assert.equal(count(texts, new RegExp(`${first} \\(wake\\) is completed`)), 1);
  const responses = report.events.filter((e) => e.subtype === "hook_response" && e.hook_event === "Stop");
  assert.ok(responses.some((e) => e.exit_code === 2), "the wake-up blocked with exit 2 in the foreground");
});

Deno.test("real interactive Claude Code: invoking the codexctl skill arms the plugin monitor (watch --all --mine); start --no-wait then arms nothing; Codex completing reaches the idle Claude once", async () => {
  const { report, stderr } = await runIsolated<WakeScenarioReport>(SCENARIO, {
    sessionId: "3f1a5c2e-0000-4000-8000-00000000a4e3",
    pauseSec: PAUSE_SEC,
    mode: "monitor",
  });
  const main = report.requests.filter((r) => r.main);
  const texts = main.map(news);
  const dump = `${report.error}\n${texts.slice(2).join("\n=====\n")}\n${(report.debug ?? []).join("\n")}\n${
    report.screens.join("\n---\n")
  }\n${stderr.slice(-3000)}`;
  assert.equal(report.error, null, dump);
  // the skill was dispatched, and its monitor runs this conversation's watch --all before start returns
  assert.match(texts[1], /Launching skill: codexctl:codexctl/, dump);
  const session = texts[2].match(/"session": "(cdx-[0-9a-f]+)"/)?.[1];
  assert.ok(session, dump);
  assert.match(texts[2], /"state": "working"/, dump);
  assert.match(texts[2], /"arm": false/, dump);
  assert.match(texts[2], /"command": "codexctl watch --all --mine"/, dump);
  // the wake-up's line, or a watch --all line (JSON) naming the session as completed
  const told = (t: string) =>
    count([t], new RegExp(`${session} \\(wake\\) is completed`)) +
    t.split("\n").filter((l) => l.includes(`"${session}"`) && /"state": ?"completed"/.test(l)).length;
  // what told the idle Claude that Codex completed: the monitor's line or the wake-up's, once, when it did
  const at = texts.findIndex((t) => told(t) > 0);
  assert.ok(at > 2, dump);
  assert.ok(main[at].at - report.turnEnded[0] >= (PAUSE_SEC - 4) * 1000, dump);
  assert.equal(texts.map(told).reduce((a, b) => a + b, 0), 1, dump);
});
