/**
 * The review gate with a real Claude Code (the pinned build, `claude -p --plugin-dir <repo>` against
 * the loopback Messages mock) and real `codex exec review` (against the Codex mock reviewer, in the
 * same network namespace): Claude runs `codexctl review --uncommitted` with its Bash tool when the
 * gate asks. One conversation, resumed turn after turn, on one repository:
 *
 * 1. the tree changed, nothing reviewed: Stop blocks once with the exact command; Claude runs it
 *    (Codex finds a P1 and a P2); the re-check (`stop_hook_active`) lets the turn end;
 * 2. the same tree, findings at P1 open: the next turn's Stop blocks once more, naming the P1 only;
 *    Claude fixes it (a new tree) and the re-check lets it end — no loop, though the new tree is
 *    not reviewed yet;
 * 3. the fixed tree: Stop asks for its review once; Codex finds nothing;
 * 4. reviewed clean: Claude is let go without a block;
 * 5. a new change whose review fails: no block — the user is told (systemMessage), once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { claudeInstall } from "./support/claude_bin.ts";
import { type ClaudeRunResult, runClaude } from "./support/claude_run.ts";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { type MessagesStep, requestTexts } from "./support/mock_messages.ts";
import type { MockReply } from "./support/mock_model.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { reviewScenario, scratchRepo } from "./support/review_scenarios.ts";

const CLAUDE_SESSION = "9a7e0c1d-0000-4000-8000-00000009a7e0";

/**
 * The Stop hook feedback Claude was given in this run: what the run's last request holds beyond what
 * its first one already held (a resumed conversation carries the earlier turns' feedback too).
 */
function stopFeedback(run: ClaudeRunResult): string[] {
  const main = run.requests.filter((r) => r.main);
  const feedback = (i: number) => requestTexts(main[i]).filter((t) => t.startsWith("Stop hook feedback"));
  if (!main.length) return [];
  const earlier = feedback(0);
  return feedback(main.length - 1).filter((t) => {
    const at = earlier.indexOf(t);
    if (at < 0) return true;
    earlier.splice(at, 1);
    return false;
  });
}

const REVIEW_ASK =
  "The working tree has uncommitted changes Codex has not reviewed. Run `codexctl review --uncommitted` and deal with its findings before you finish (this gate asks once for this state of the working tree).";

Deno.test("real Claude Code + real codex exec review: the gate blocks once per tree state, once more for open findings, never loops, never on a failure", async () => {
  const claude = await claudeInstall();
  const codex = await codexInstall(CODEX_VERSIONS.current);
  const dir = await Deno.makeTempDir({ prefix: "codexctl-gate-claude-" });
  const state = join(dir, "state");
  const home = join(dir, "home");
  const project = join(dir, "project");
  try {
    // app.js committed, then changed, and an untracked notes.md (the recorded `review` scenario)
    await scratchRepo(project);
    await reviewScenario("review").setup(project);
    // what Claude's fixes copy in: fixes/, which git ignores (.git/info/exclude), so the working
    // tree's state never covers it
    await Deno.mkdir(join(project, ".git", "info"), { recursive: true });
    await Deno.writeTextFile(join(project, ".git", "info", "exclude"), "fixes/\n", { append: true });
    await Deno.mkdir(join(project, "fixes"));
    await Deno.writeTextFile(
      join(project, "fixes", "app.js"),
      'export function first(lines) {\n  return lines.length ? lines[0] : "";\n}\n',
    );
    await Deno.writeTextFile(join(project, "fixes", "notes.md"), "# notes\n\ntodo\nmore\n");
    await Deno.mkdir(state, { recursive: true });
    await Deno.writeTextFile(
      join(state, "config.jsonc"),
      '{\n  // the opt-in review gate\n  "review_gate": { "enabled": true, "min_priority": "P1" },\n}\n',
    );
    await Deno.mkdir(home);
    let turn = 0;
    const claudeTurn = async (prompt: string, script: MessagesStep[], replies: MockReply[] = []) => {
      const run = await runClaude({
        binary: claude.binary,
        pluginDir: REPO_ROOT,
        prompt,
        cwd: project,
        home,
        ...(turn++ === 0 ? { sessionId: CLAUDE_SESSION } : { resume: CLAUDE_SESSION }),
        allowedTools: ["Bash(codexctl *)", "Bash(cp *)"],
        codex: { home: join(dir, "codex-home"), replies },
        script,
        env: {
          PATH: `${join(REPO_ROOT, "bin")}:${join(Deno.execPath(), "..")}:/usr/local/bin:/usr/bin:/bin`,
          CODEXCTL_HOME: state,
          CODEXCTL_CODEX: codex.binary,
          CODEXCTL_HOOK_BUDGET_MS: "30000",
        },
        timeoutMs: 240_000,
      });
      const diagnostics = `turn ${turn}: exit ${run.code}, isolated ${run.isolated}\n${run.stderr}\n${
        run.requests.map((r) => `${r.seq} ${r.path} main=${r.main} ${r.reply}`).join("\n")
      }\ncodex requests: ${run.codexRequests.length}`;
      assert.equal(run.timedOut, false, diagnostics);
      assert.equal(run.code, 0, diagnostics);
      assert.equal(run.requests.filter((r) => r.main).length, script.length, diagnostics);
      return run;
    };
    const review = {
      tool: "Bash",
      input: { command: "codexctl review --uncommitted", description: "Review" },
    };

    // 1. unreviewed changes: one block with the exact command; Claude runs it; the re-check ends the turn
    const first = await claudeTurn("Finish the change.", [
      { text: "The change is done." },
      review,
      { text: "Codex found a P1 and a P2." },
    ]);
    assert.deepEqual(stopFeedback(first), [`Stop hook feedback:\n${REVIEW_ASK}`]);
    const reviewed = requestTexts(first.requests.filter((r) => r.main)[2]).find((t) =>
      t.includes('"command": "review"')
    );
    assert.ok(reviewed, "the review's envelope reached Claude");
    // the Bash result is stdout (the envelope) with stderr's line about the detached run
    const envelope = JSON.parse(
      reviewed!.slice(reviewed!.indexOf('{\n  "ok"'), reviewed!.lastIndexOf("}") + 1),
    );
    assert.equal(envelope.result.reason, "review_done");
    assert.deepEqual(
      envelope.result.review.findings.map((f: { priority: number; file: string }) => [f.priority, f.file]),
      [[1, "app.js"], [2, "notes.md"]],
    );
    const reviewSession = envelope.session as string;
    assert.equal(
      first.codexRequests.filter((r) => r.userText.startsWith("Review the current code changes")).length,
      1,
      "Codex reviewed once",
    );

    // 2. the same tree at the next turn: the open P1 blocks once more (not the P2); the fix ends the turn
    const second = await claudeTurn("Anything left?", [
      { text: "Nothing left." },
      {
        tool: "Bash",
        input: {
          command: "cp fixes/app.js app.js",
          description: "Handle the empty input",
        },
      },
      { text: "Fixed the empty input; the P2 does not apply." },
    ]);
    const findings = stopFeedback(second);
    assert.equal(findings.length, 1, findings.join("\n---\n"));
    assert.match(
      findings[0],
      /has 1 open finding at P1 or above:\n- P1 Handle the empty input in app\.js \(app\.js:2\)/,
    );
    assert.ok(!findings[0].includes("magic value"), "the P2 is below min_priority");
    assert.ok(findings[0].includes(`codexctl send --session ${reviewSession}`), findings[0]);
    assert.equal(second.codexRequests.length, 0, "no review this turn");
    assert.match(
      await Deno.readTextFile(join(project, "app.js")),
      /lines\.length/,
      `Claude's fix is in: ${
        requestTexts(second.requests.filter((r) => r.main).at(-1)!).slice(-4).join("\n")
      }`,
    );

    // 3. the fixed tree: asked for its own review, once; Codex finds nothing this time
    const clean: MockReply = {
      kind: "message",
      text: JSON.stringify({
        findings: [],
        overall_correctness: "patch is correct",
        overall_explanation: "The empty input is handled now.",
        overall_confidence_score: 0.9,
      }),
    };
    const third = await claudeTurn("Wrap up.", [
      { text: "Wrapped up." },
      review,
      { text: "Codex found nothing." },
    ], [clean]);
    assert.deepEqual(stopFeedback(third), [`Stop hook feedback:\n${REVIEW_ASK}`]);

    // 4. reviewed clean: let go, no block
    const fourth = await claudeTurn("Are we done?", [{ text: "Yes." }]);
    assert.deepEqual(stopFeedback(fourth), []);

    // 5. a new change whose review fails: never a block; the user is told, once
    const fifth = await claudeTurn("Add a note.", [
      { tool: "Bash", input: { command: "cp fixes/notes.md notes.md", description: "Add a note" } },
      review,
      { text: "The review failed; stopping anyway." },
    ], [{ kind: "fail", status: 400, message: "the model refused" }]);
    assert.match(await Deno.readTextFile(join(project, "notes.md")), /more/, "Claude's change is in");
    assert.deepEqual(stopFeedback(fifth), [], "a failed review never blocks");
    const log = (await Deno.readTextFile(join(state, "logs", "hooks.jsonl"))).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    const gate = log.filter((r) => r.review_gate && r.review_gate !== "config").map((r) =>
      `${r.review_gate}/${r.kind}`
    );
    assert.deepEqual(gate, ["block/review", "block/findings", "block/review", "tell/failure"]);
    const told = JSON.stringify(fifth.events).match(
      /codexctl review gate: the review of this working tree failed/g,
    );
    assert.ok(told && told.length >= 1, "the user is told");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
