/**
 * The hooks on sessions the real pane driver made: `codexctl start --no-wait` from inside a Claude
 * Code session (CLAUDE_CODE_SESSION_ID set, as Claude Code sets it for the Bash tool) drives the
 * real Codex 0.169 TUI in tmux against the mock model; the hooks of that Claude Code session — and
 * only of that one — then report the question once. The completion that `reply` itself prints is
 * not repeated by the hook that runs after that tool call.
 */
import assert from "node:assert/strict";
import { runCli } from "./support/cli.ts";
import { result, type SessionRig, startRig } from "./support/session_rig.ts";

const OWNER = "d41e0000-0000-4000-8000-0000000000d1";
const STRANGER = "d41e0000-0000-4000-8000-0000000000ff";

/** Runs post-tool-use for `owner` until it prints something (or `timeoutMs` passes). */
async function nextContext(rig: SessionRig, owner: string, timeoutMs = 90_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = await runCli(["hook", "post-tool-use"], {
      env: rig.env,
      stdin: JSON.stringify({ session_id: owner, hook_event_name: "PostToolUse" }),
    });
    assert.equal(out.code, 0);
    if (out.stdout) return (out.json!.hookSpecificOutput as { additionalContext: string }).additionalContext;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

Deno.test({
  name: "hooks report a session started by the pane driver (real Codex TUI in tmux) to its owner only",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startRig();
    try {
      const repo = await rig.repo();
      const started = await rig.cli(
        [
          "start",
          "--task",
          "{{pause 4}} {{question}} Add a cache.",
          "--slug",
          "cache",
          "--via",
          "tmux",
          "--cwd",
          repo,
          "--no-wait",
        ],
        { CLAUDE_CODE_SESSION_ID: OWNER },
      );
      const v = result(started);
      const session = String(started.json!.session);
      assert.equal(v.state, "working", JSON.stringify(v));
      const record = JSON.parse(await Deno.readTextFile(`${rig.state}/sessions/${session}.json`));
      assert.equal(record.owner, OWNER, "the driver records the Claude Code session as owner");

      const question = await nextContext(rig, OWNER);
      assert.ok(question, "the question was delivered");
      assert.match(
        question!,
        new RegExp(
          `^codexctl: ${session} \\(cache\\) is awaiting_clarification \\(free_text_question\\)\\. Codex asks: .*SQLite or Postgres\\? Next: codexctl reply --session ${session} --text "<answer>"$`,
        ),
      );
      const hook = (owner: string, stdout?: string) =>
        runCli(["hook", "post-tool-use"], {
          env: rig.env,
          stdin: JSON.stringify({
            session_id: owner,
            hook_event_name: "PostToolUse",
            ...(stdout === undefined ? {} : { tool_name: "Bash", tool_response: { stdout, stderr: "" } }),
          }),
        });
      assert.equal((await hook(OWNER)).stdout, "", "delivered once");
      assert.equal((await hook(STRANGER)).stdout, "", "another Claude Code session hears nothing");

      // Claude answers with `codexctl reply`, which waits and prints the completed verdict itself
      const replied = await rig.cli([
        "reply",
        "--session",
        session,
        "--text",
        "SQLite. {{done Added the cache.}}",
      ]);
      const verdict = result(replied);
      assert.equal(verdict.state, "completed", replied.stdout);
      assert.equal(verdict.reason, "marker_verified");
      const afterReply = await hook(OWNER, replied.stdout);
      assert.equal(afterReply.stdout, "", "the hook does not repeat what the reply just showed");
      assert.equal((await hook(OWNER)).stdout, "");
      assert.equal(result(await rig.cli(["end", "--session", session])).state, "ended");
      assert.equal((await hook(OWNER)).stdout, "", "an ended session is gone from the hooks");
    } finally {
      await rig.close();
    }
  },
});
