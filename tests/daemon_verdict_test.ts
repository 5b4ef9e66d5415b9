/**
 * The daemon outranks the rollout for "what is Codex waiting on": against the real Codex 0.169 TUI
 * (its shared daemon running), `status --thread` reports the pending approval exactly (not as
 * "probable"), with the command to answer it through the daemon — and that command works.
 */
import assert from "node:assert/strict";
import { type SessionRig, startRig } from "./support/session_rig.ts";

Deno.test({
  name: "status --thread: a pending approval comes from the daemon, exact, with a working reply command",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let rig: SessionRig | null = null;
    try {
      rig = await startRig();
      const repo = await rig.repo();
      const started = await rig.cli([
        "start",
        "--task",
        "{{escalate touch daemon.txt}} {{done Via the daemon.}} go",
        "--via",
        "tmux",
        "--cwd",
        repo,
        "--timeout",
        "90",
      ]);
      const session = String(started.json!.session);
      const first = started.json!.result as Record<string, Record<string, unknown>>;
      assert.equal(first.state, "permission_gate" as unknown);
      const thread = String(first.thread.id);

      const viaThread = await rig.cli(["status", "--thread", thread]);
      const r = viaThread.json!.result as Record<string, unknown>;
      assert.equal(r.state, "permission_gate");
      assert.equal(
        r.reason,
        "permission_request",
        "exact from the daemon, not approval_probable from the rollout",
      );
      assert.equal((r.rollout as Record<string, unknown>).rule, "daemon.approval");
      assert.match(String(r.summary), /touch daemon\.txt/);
      const daemon = r.daemon as Record<string, unknown>;
      assert.equal(daemon.available, true);
      assert.equal(daemon.waiting_on_approval, true);
      const next = r.next_action as { command: string };
      assert.match(next.command, new RegExp(`^codexctl reply --thread ${thread} --approve --item \\S+$`));

      // without the daemon the rollout alone can only say "probable"
      const rolloutOnly = await rig.cli(["status", "--thread", thread], {
        CODEX_HOME: rig.home.dir + "-elsewhere",
      });
      assert.equal(rolloutOnly.code, 4, "another CODEX_HOME does not know the thread");

      // the suggested command, run as is, answers through the daemon and Codex completes
      const answer = await rig.cli(next.command.split(" ").slice(1));
      assert.equal(answer.code, 0, answer.stdout);
      const done = await rig.cli(["await", "--session", session, "--timeout", "60"]);
      assert.equal((done.json!.result as Record<string, unknown>).reason, "marker_verified");
      const sessionStatus = await rig.cli(["status", "--session", session]);
      assert.equal(
        (sessionStatus.json!.result as Record<string, Record<string, unknown>>).daemon.available,
        true,
      );
      await rig.cli(["end", "--session", session]);
    } finally {
      await rig?.close();
    }
  },
});
