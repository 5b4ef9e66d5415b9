/**
 * Real Claude Code (the pinned 2.1.329 build) end to end: `claude -p --plugin-dir <repo>` against the
 * loopback Messages API mock, in a loopback-only network namespace when the machine allows it. The
 * plugin's hooks run for real (launcher → codexctl from source). What reached the model is read from
 * the mock's request log:
 *   (a) after a tool call that changed the owned Codex session, the next request carries the exact
 *       additionalContext line;
 *   (b) after the next tool call, with no change, the request carries no hook context;
 *   (c) Stop: the question was told once already (by PostToolUse), so the Stop does not block and
 *       nothing repeats it — one path tells a change, once (README "Which Stop blocks, and why"; the
 *       blocking Stop for an untold change is driven in claude_wake_test.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { claudeInstall } from "./support/claude_bin.ts";
import { runClaude } from "./support/claude_run.ts";
import { type MessagesRequest, sinceLastAssistant } from "./support/mock_messages.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "./support/session_record.ts";

const CLAUDE_SESSION = "e2e0c0de-0000-4000-8000-00000000e2e0";

const QUESTION =
  "Codex asks: Before I continue I need a decision. Which database should I use for the cache: SQLite or Postgres?";
const LINE =
  `codexctl: cdx-e2e0 (cache) is awaiting_clarification (free_text_question). ${QUESTION} Next: codexctl reply --session cdx-e2e0 --text "<answer>"`;

interface Message {
  role: string;
  content: string | { type: string; text?: string; content?: unknown }[];
}

function messages(r: MessagesRequest): Message[] {
  return (r.body as { messages: Message[] }).messages;
}

Deno.test("real Claude Code: changed session → exact context once; no change → nothing; a Stop after it tells nothing twice", async () => {
  const claude = await claudeInstall();
  const dir = await Deno.makeTempDir({ prefix: "codexctl-e2e-" });
  try {
    const project = join(dir, "project");
    const state = join(dir, "state");
    await Deno.mkdir(project);
    const split = splitFixture("0.169.0", "question", BEFORE_TURN_END);
    await Deno.writeTextFile(join(project, "rollout.jsonl"), split.head);
    await Deno.writeTextFile(join(project, "full.jsonl"), split.head + split.rest);
    await writeSession(state, {
      session: "cdx-e2e0",
      owner: CLAUDE_SESSION,
      rollout_path: join(project, "rollout.jsonl"),
      thread_id: split.thread,
      slug: "cache",
      cwd: project,
    });
    const run = await runClaude({
      binary: claude.binary,
      pluginDir: REPO_ROOT,
      prompt: "Delegate the cache work to Codex and report back.",
      cwd: project,
      sessionId: CLAUDE_SESSION,
      allowedTools: ["Bash(cp *)", "Bash(echo *)"],
      script: [
        // the tool call during which Codex ends its turn with a question
        {
          tool: "Bash",
          input: { command: "cp full.jsonl rollout.jsonl", description: "Codex writes its turn" },
        },
        { tool: "Bash", input: { command: "echo nothing changed", description: "An unrelated tool call" } },
        { text: "All done." },
        { text: "(never requested: the Stop does not block)" },
      ],
      env: {
        PATH: `${join(Deno.execPath(), "..")}:/usr/local/bin:/usr/bin:/bin`,
        CODEXCTL_HOME: state,
        CODEX_HOME: join(dir, "codex-home"),
        CODEXCTL_HOOK_BUDGET_MS: "30000",
      },
      timeoutMs: 180_000,
    });
    const diagnostics = `exit ${run.code}, isolated ${run.isolated}\n${run.stderr}\n${
      run.requests.map((r) => `${r.seq} ${r.path} main=${r.main} ${r.reply}`).join("\n")
    }`;
    assert.equal(run.timedOut, false, diagnostics);
    assert.equal(run.code, 0, diagnostics);
    const main = run.requests.filter((r) => r.main);
    assert.equal(main.length, 3, diagnostics);

    // SessionStart briefed the owned session before the first prompt
    assert.ok(
      JSON.stringify(messages(main[0])).includes("codexctl: Codex sessions of this conversation, as of now:"),
      "the SessionStart brief reached the model",
    );
    // (a) the tool call that changed the session: the exact line, once
    const afterChange = sinceLastAssistant(main[1]);
    assert.deepEqual(afterChange.filter((t) => t.includes("hook additional context")), [
      `PostToolUse:Bash hook additional context: ${LINE}`,
    ]);
    // (b) the next tool call, nothing changed: the tool result only
    const afterQuiet = sinceLastAssistant(main[2]);
    assert.ok(afterQuiet.some((t) => t.includes("nothing changed")), "the second tool ran");
    assert.deepEqual(
      afterQuiet.filter((t) => t.includes("hook additional context") || t.includes("codexctl:")),
      [],
    );
    // (c) Stop: the question was told once already — no block, no feedback, the turn ends as Claude ended it
    const feedback = run.requests.flatMap((r) => sinceLastAssistant(r)).filter((t) =>
      t.startsWith("Stop hook feedback")
    );
    assert.deepEqual(feedback, [], "the Stop repeats nothing");
    const result = run.events.at(-1) as { type: string; subtype: string; result: string };
    assert.equal(result.type, "result");
    assert.equal(result.subtype, "success");
    assert.equal(result.result, "All done.");
    const stops = run.events.filter((e) =>
      e.type === "system" && e.subtype === "hook_response" &&
      String(e.hook_event ?? e.hook_name).startsWith("Stop")
    );
    assert.ok(stops.length >= 1, "the Stop hooks ran");
    for (const stop of stops) {
      assert.equal((stop as { exit_code?: number }).exit_code ?? 0, 0, JSON.stringify(stop));
    }
    // the hook log agrees: one delivery, one block, no error
    const log = (await Deno.readTextFile(join(state, "logs", "hooks.jsonl"))).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.deepEqual(log.map((l) => l.event + (l.error ? ":error" : "")), [
      "SessionStart",
      "PostToolUse",
      "Stop",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
