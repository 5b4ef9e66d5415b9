/**
 * Exactly once under concurrency: Claude Code runs one PostToolUse hook process per tool call, in
 * parallel when Claude calls tools in parallel. Eight hook processes released at the same moment on
 * the same change must deliver it exactly once, whatever the scheduling — proven on a thread a real
 * `codex exec` (0.169, mock model on loopback) produced and then continued with `exec resume`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { findRollout, runExec } from "./support/codex_exec.ts";
import { MockModel } from "./support/mock_model.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";
import { writeSession } from "./support/session_record.ts";
import { wrapTask } from "../src/codex/prompt.ts";

const OWNER = "c0ffee00-0000-4000-8000-000000000008";

/** Starts `n` hook processes, waits until all are running, then gives them their stdin at once. */
async function parallelHooks(n: number, env: Record<string, string>): Promise<string[]> {
  const children = Array.from({ length: n }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, "hook", "post-tool-use"],
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const input = new TextEncoder().encode(
    JSON.stringify({ session_id: OWNER, hook_event_name: "PostToolUse" }),
  );
  // every process is blocked reading stdin now; release them together
  const writers = children.map((c) => c.stdin.getWriter());
  await Promise.all(writers.map((w) => w.write(input).then(() => w.close())));
  const outs = await Promise.all(children.map((c) => c.output()));
  for (const o of outs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
  return outs.map((o) => new TextDecoder().decode(o.stdout));
}

Deno.test("8 parallel post-tool-use hooks on the same change: exactly one delivers it (real codex exec thread)", async () => {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const mock = await MockModel.start();
  const cwd = await Deno.makeTempDir({ prefix: "codexctl-conc-" });
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [cwd] });
  const state = join(cwd, "state");
  try {
    const first = await runExec(install, home, wrapTask("{{question}} Add a cache.", FIXTURE_MARKER), {
      cwd,
    });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.threadId);
    const rollout = await findRollout(home.dir, first.threadId!);
    assert.ok(rollout);
    await writeSession(state, {
      session: "cdx-8888",
      owner: OWNER,
      rollout_path: rollout,
      thread_id: first.threadId,
      codex_home: home.dir,
      slug: "cache",
    });
    // a generous budget: this proves exactly-once, not speed, on a machine that may be very busy
    const env = {
      CODEXCTL_HOME: state,
      CODEX_HOME: home.dir,
      HOME: cwd,
      NO_COLOR: "1",
      CODEXCTL_HOOK_BUDGET_MS: "60000",
    };
    const rounds: { change: RegExp }[] = [
      {
        change:
          /^codexctl: cdx-8888 \(cache\) is awaiting_clarification \(free_text_question\)\. Codex asks: /,
      },
      { change: /^codexctl: cdx-8888 \(cache\) is completed \(marker_verified\)\./ },
    ];
    for (const [i, round] of rounds.entries()) {
      if (i === 1) {
        const next = await runExec(install, home, wrapTask("SQLite. {{done}}", FIXTURE_MARKER), {
          cwd,
          resumeId: first.threadId!,
        });
        assert.equal(next.code, 0, next.stderr);
      }
      const outs = await parallelHooks(8, env);
      const delivered = outs.filter((o) => o !== "");
      assert.equal(
        delivered.length,
        1,
        `round ${i}: ${delivered.length} processes delivered:\n${delivered.join("\n")}`,
      );
      const context = JSON.parse(delivered[0]).hookSpecificOutput.additionalContext as string;
      assert.match(context, round.change);
      assert.equal(context.split("\n").length, 1);
    }
    const quiet = await parallelHooks(8, env);
    assert.deepEqual(quiet, Array(8).fill(""), "nothing changed: nobody speaks");
    const log = (await Deno.readTextFile(join(state, "logs", "hooks.jsonl"))).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.equal(log.filter((l) => Array.isArray(l.delivered)).length, 2, "two deliveries in the hook log");
    assert.ok(!log.some((l) => l.error), JSON.stringify(log.filter((l) => l.error)));
  } finally {
    await mock.close();
    await home.cleanup();
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
});
