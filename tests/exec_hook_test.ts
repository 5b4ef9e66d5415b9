/**
 * Headless sessions in the real hooks: a real Claude Code (the pinned build, `claude -p
 * --plugin-dir <repo>` against the loopback Messages mock) starts `codexctl start --via exec
 * --no-wait` with its Bash tool, and real `codex exec` runs against the Codex mock in the same
 * network namespace. What reached the model is read from the mock's request log:
 *   - the session, owned by this Claude session, is pushed once by PostToolUse when its run
 *     completes (not at its start, not again at the next tool call);
 *   - the Stop hook treats a headless session as it treats a pane session: one still working does
 *     not block, the wake-up (in the foreground under `claude -p`) waits for it and blocks once
 *     with its verdict line when it completes; the re-check lets the turn end.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { claudeInstall } from "./support/claude_bin.ts";
import { runClaude } from "./support/claude_run.ts";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { type MessagesRequest, sinceLastAssistant } from "./support/mock_messages.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { processesWith } from "./support/procs.ts";
import { runCli } from "./support/cli.ts";

const CLAUDE_SESSION = "e7ec0de0-0000-4000-8000-0000000e7ec0";
/** How long the second run works: Claude stops meanwhile. */
const LONG_SEC = 15;

Deno.test({
  name:
    "real Claude Code + real codex exec: a headless session is pushed once by PostToolUse when it completes; the wake-up brings one still working at Stop once it completes",
}, async () => {
  const claude = await claudeInstall();
  const codex = await codexInstall(CODEX_VERSIONS.current);
  const dir = await Deno.makeTempDir({ prefix: "codexctl-exec-hook-" });
  const state = join(dir, "state");
  try {
    const project = join(dir, "project");
    await Deno.mkdir(project);
    const git = (...args: string[]) => new Deno.Command("git", { args: ["-C", project, ...args] }).output();
    await git("init", "-q");
    const run = await runClaude({
      binary: claude.binary,
      pluginDir: REPO_ROOT,
      prompt: "Have Codex fix the bug in the background, then start the long refactor.",
      cwd: project,
      sessionId: CLAUDE_SESSION,
      allowedTools: ["Bash(codexctl *)", "Bash(sleep *)", "Bash(echo *)"],
      codex: { home: join(dir, "codex-home") },
      script: [
        {
          tool: "Bash",
          input: {
            command: 'codexctl start --via exec --slug fix --no-wait --task "{{pause 2}} {{done Fixed it.}}"',
            description: "Start Codex headless",
          },
        },
        // Codex finishes while this runs
        { tool: "Bash", input: { command: "sleep 12", description: "Wait a while" } },
        { tool: "Bash", input: { command: "echo nothing changed", description: "An unrelated tool call" } },
        {
          tool: "Bash",
          input: {
            command:
              `codexctl start --via exec --slug long --no-wait --task "{{pause ${LONG_SEC}}} {{done}}"`,
            description: "Start the long one",
          },
        },
        { text: "Both are under way." },
        { text: "The refactor is done too." },
      ],
      env: {
        PATH: `${join(REPO_ROOT, "bin")}:${join(Deno.execPath(), "..")}:/usr/local/bin:/usr/bin:/bin`,
        CODEXCTL_HOME: state,
        CODEXCTL_CODEX: codex.binary,
        CODEXCTL_HOOK_BUDGET_MS: "30000",
      },
      timeoutMs: 240_000,
    });
    const diagnostics = `exit ${run.code}, isolated ${run.isolated}\n${run.stderr}\n${
      run.requests.map((r) => `${r.seq} ${r.path} main=${r.main} ${r.reply}`).join("\n")
    }\ncodex requests: ${run.codexRequests.length}`;
    assert.equal(run.timedOut, false, diagnostics);
    assert.equal(run.code, 0, diagnostics);
    const main = run.requests.filter((r) => r.main);
    assert.equal(main.length, 6, diagnostics);
    const started = sinceLastAssistant(main[1]).join("\n");
    const fix = started.match(/"session":\s*"(cdx-[0-9a-f]+)"/)?.[1];
    assert.ok(fix, `start printed its session: ${started.slice(0, 500)}`);
    const hookLines = (r: MessagesRequest) =>
      sinceLastAssistant(r).filter((t) => t.includes("hook additional context") && t.includes(fix!));
    assert.deepEqual(hookLines(main[1]), [], "nothing pushed at the start: Claude just read the result");
    const pushed = hookLines(main[2]);
    assert.equal(
      pushed.length,
      1,
      `one push after the run completed:\n${sinceLastAssistant(main[2]).join("\n")}`,
    );
    assert.match(
      pushed[0],
      new RegExp(
        `^PostToolUse:Bash hook additional context: codexctl: ${fix} \\(fix\\) is completed \\(marker_verified\\)`,
      ),
    );
    assert.deepEqual(hookLines(main[3]), [], "not again at the next tool call");
    for (const r of main.slice(4)) assert.deepEqual(hookLines(r), [], "never again");
    // the second one still works when Claude stops: no block for it; the wake-up waits for it and
    // blocks once with its verdict line when it completes
    const long = sinceLastAssistant(main[4]).join("\n").match(/"session":\s*"(cdx-[0-9a-f]+)"/)?.[1];
    assert.ok(long, "the second start printed its session");
    const feedback = run.requests.flatMap((r) => sinceLastAssistant(r)).filter((t) =>
      t.startsWith("Stop hook feedback")
    );
    assert.equal(feedback.length, 1, `exactly one block: ${feedback.join("\n---\n")}`);
    assert.match(
      feedback[0],
      new RegExp(`codexctl hook wake\\]: codexctl: ${long} \\(long\\) is completed \\(marker_verified\\)`),
    );
    assert.ok(!feedback[0].includes(fix!), "the finished, reported one does not come again");
    assert.ok(sinceLastAssistant(main[5]).some((t) => t === feedback[0]), "the block reached the model");
    assert.ok(main[5].at - main[4].at >= (LONG_SEC - 4) * 1000, "the Stop waited for Codex");
    const result = run.events.at(-1) as { type: string; subtype: string; result: string };
    assert.equal(result.subtype, "success");
    assert.equal(result.result, "The refactor is done too.");
  } finally {
    // the long run outlives Claude Code (as it should): end it, and see nothing is left
    const sessions = await runCli(["sessions", "--json"], { env: { CODEXCTL_HOME: state } }).catch(() =>
      null
    );
    for (const s of ((sessions?.json?.result as { live?: { session: string }[] })?.live ?? [])) {
      await runCli(["end", "--session", s.session, "--json"], { env: { CODEXCTL_HOME: state } });
    }
    assert.deepEqual(processesWith(join(state, "exec")), [], "no run of this test is left");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
