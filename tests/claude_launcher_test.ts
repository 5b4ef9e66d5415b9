/**
 * Real Claude Code (the pinned build) with the plugin on a fresh clone where codexctl cannot run (no
 * compiled binary, no Deno anywhere): Claude Code is never broken (the run ends normally, every hook
 * exits 0), the model learns it before the first prompt (SessionStart's additionalContext), the user
 * is told once (the prompt hook's systemMessage); later hooks stay silent (already said for this
 * session). Then the same clone with the project's own Deno in .tools/deno: the hooks run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { claudeInstall } from "./support/claude_bin.ts";
import { runClaude } from "./support/claude_run.ts";
import { freshClone } from "./support/fresh_clone.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "./support/session_record.ts";

const SESSION = "1a0c0de0-0000-4000-8000-00000000c1a0";

Deno.test("real Claude Code, plugin that cannot run: said once to the user and the model, the run is unharmed; with .tools/deno the hooks run", async () => {
  const claude = await claudeInstall();
  const clone = await freshClone();
  try {
    const project = join(clone, "project");
    const state = join(clone, "state");
    await Deno.mkdir(project);
    const options = {
      binary: claude.binary,
      pluginDir: clone,
      prompt: "Say hello.",
      cwd: project,
      sessionId: SESSION,
      allowedTools: ["Bash(echo *)"],
      script: [
        { tool: "Bash", input: { command: "echo one", description: "A tool call" } },
        { text: "Hello." },
      ],
      // no deno on PATH, none in ~/.deno (HOME is private), no compiled codexctl
      env: { PATH: "/usr/bin:/bin", CODEXCTL_HOME: state },
      timeoutMs: 180_000,
    };
    const run = await runClaude(options);
    const diagnostics = `exit ${run.code}\n${run.stderr}\n${run.debugLog.slice(-3000)}`;
    assert.equal(run.timedOut, false, diagnostics);
    assert.equal(run.code, 0, diagnostics);
    const result = run.events.at(-1) as { type: string; subtype: string; result: string };
    assert.deepEqual([result.type, result.subtype, result.result], ["result", "success", "Hello."]);
    const main = run.requests.filter((r) => r.main);
    assert.equal(main.length, 2, diagnostics);
    const first = JSON.stringify((main[0].body as { messages: unknown }).messages);
    assert.ok(first.includes("codexctl (the Codex delegation plugin) cannot run here"), "the model was told");
    const second = JSON.stringify((main[1].body as { messages: unknown[] }).messages.slice(-1));
    assert.ok(!second.includes("codexctl"), `the tool call's hook stayed silent: ${second}`);
    // the user: one systemMessage in the whole run, from the prompt's hook (Claude Code shows it as
    // "UserPromptSubmit says: …"); every hook exited 0
    const informational = run.events.filter((e) => e.type === "system" && e.subtype === "informational");
    const told = informational.filter((e) => String(e.content).includes("codexctl cannot run"));
    assert.equal(told.length, 1, JSON.stringify(run.events.filter((e) => e.type === "system"), null, 1));
    assert.match(
      String(told[0].content),
      /^UserPromptSubmit says: codexctl cannot run, so its hooks report nothing: /,
    );
    const responses = run.events.filter((e) => e.type === "system" && e.subtype === "hook_response");
    assert.ok(responses.length >= 4, "SessionStart, UserPromptSubmit, PostToolUse and Stop ran");
    for (const r of responses) {
      assert.equal((r as { exit_code?: number }).exit_code ?? 0, 0, JSON.stringify(r));
    }

    // scripts/dev installed the project's Deno: the same plugin now runs its hooks (SessionStart
    // briefs the session this conversation owns)
    const deno = join(clone, ".tools", "deno", "node_modules", "deno", "deno");
    await Deno.mkdir(join(deno, ".."), { recursive: true });
    await Deno.symlink(Deno.execPath(), deno);
    const owner = "1a0c0de0-0000-4000-8000-00000000c1a1";
    const split = splitFixture("0.169.0", "question", BEFORE_TURN_END);
    await Deno.writeTextFile(join(project, "rollout.jsonl"), split.head);
    await writeSession(state, {
      session: "cdx-c1a1",
      owner,
      rollout_path: join(project, "rollout.jsonl"),
      thread_id: split.thread,
      slug: "cache",
      cwd: project,
    });
    const fixed = await runClaude({
      ...options,
      sessionId: owner,
      // the session is still working: under -p the wake-up would hold the Stop until Codex moves
      // (README "The wake-up"); this test is about the launcher, so nothing waits
      env: { ...options.env, CODEXCTL_HOOK_BUDGET_MS: "30000", CODEXCTL_STOP_WORKING: "allow" },
    });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.ok(!fixed.stdout.includes("codexctl cannot run"), "nothing to say once it runs");
    const brief = JSON.stringify(
      (fixed.requests.filter((r) => r.main)[0].body as { messages: unknown }).messages,
    );
    assert.ok(
      brief.includes("codexctl: Codex sessions of this conversation, as of now:") &&
        brief.includes("cdx-c1a1"),
      `the hooks ran through the project's Deno: ${brief.slice(0, 2000)}`,
    );
  } finally {
    await Deno.remove(clone, { recursive: true }).catch(() => {});
  }
});
