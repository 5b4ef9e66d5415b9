/**
 * The session scenarios of issue 5, run by the tmux suite and by the fake-herdr suites (both
 * protocol modes): every scenario drives the real Codex 0.169 TUI through codexctl and asserts
 * the whole envelope the caller sees.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EnvelopeSchema, VerdictSchema } from "../../src/envelope.ts";
import { gitIn, result, type SessionRig } from "./session_rig.ts";
import { mockPlan } from "./mock_model.ts";
import { parseJsonLines } from "./codex_exec.ts";

/** What a scenario does to a pane behind codexctl's back (as a person or a crash would). */
export interface PaneControl {
  exists(pane: Record<string, unknown>): Promise<boolean>;
  press(pane: Record<string, unknown>, key: "Enter" | "Escape"): Promise<void>;
  /** Makes the Codex process go away. */
  kill(pane: Record<string, unknown>): Promise<void>;
}

/** Runs every scenario as a step of `t`. `startArgs` selects the substrate (e.g. --via tmux). */
export async function sessionScenarios(
  t: Deno.TestContext,
  rig: SessionRig,
  startArgs: string[],
  ctl: PaneControl,
): Promise<void> {
  function verdict(r: Awaited<ReturnType<SessionRig["cli"]>>) {
    assert.equal(EnvelopeSchema.safeParse(r.json).success, true, `not a v1 envelope: ${r.stdout}`);
    const res = result(r);
    assert.equal(VerdictSchema.safeParse(res).success, true, `not a verdict: ${JSON.stringify(res)}`);
    return res as ReturnType<typeof VerdictSchema.parse> & Record<string, unknown>;
  }

  async function start(task: string, extra: string[] = [], repo?: string) {
    const cwd = repo ?? await rig.repo();
    const r = await rig.cli([
      "start",
      "--task",
      task,
      ...startArgs,
      "--cwd",
      cwd,
      "--timeout",
      "90",
      ...extra,
    ]);
    return { r, v: verdict(r), session: String(r.json!.session), cwd };
  }

  async function paneOf(session: string) {
    const rec = JSON.parse(await Deno.readTextFile(join(rig.state, "sessions", `${session}.json`)));
    return rec.pane as Record<string, unknown>;
  }

  async function end(session: string) {
    const e = verdict(await rig.cli(["end", "--session", session]));
    assert.equal(e.state, "ended");
  }

  await t.step(
    "completion with the marker: completed/marker_verified, thread bound, delivery proven",
    async () => {
      const { v, session, r } = await start("{{shell echo hi}} {{done Said hi.}} Say hi.");
      assert.equal(v.state, "completed");
      assert.equal(v.reason, "marker_verified");
      assert.equal(v.marker_found, true);
      assert.equal(v.transcript_tail, "Said hi.");
      // done, with its pane still open: the next command ends the session
      assert.deepEqual(
        [v.next_action.intent, v.next_action.command],
        ["end", `codexctl end --session ${r.json!.session}`],
      );
      assert.match(String(v.thread?.id), /^[0-9a-f-]{36}$/);
      assert.equal((v as Record<string, Record<string, unknown>>).delivery.proof, "user_message");
      assert.match(session, /^cdx-[0-9a-f]{4}$/);
      assert.equal(r.code, 0);
      await end(session);
    },
  );

  await t.step(
    "completion without the marker: completed/turn_complete with the final message",
    async () => {
      const { v, session } = await start("{{say All done, but no token this time.}} Do it.");
      assert.equal(v.state, "completed");
      assert.equal(v.reason, "turn_complete");
      assert.equal(v.marker_found, false);
      assert.equal(v.transcript_tail, "All done, but no token this time.");
      assert.equal(v.next_action.intent, "verify");
      await end(session);
    },
  );

  await t.step(
    "free-text question → reply --text → completion; a follow-up send is verified",
    async () => {
      const { v, session } = await start("{{question}} Add a cache.");
      assert.equal(v.state, "awaiting_clarification");
      assert.equal(v.reason, "free_text_question");
      assert.match(v.questions[0], /SQLite or Postgres\?$/);
      assert.equal(v.next_action.command, `codexctl reply --session ${session} --text "<answer>"`);
      const answered = verdict(await rig.cli(["reply", "--session", session, "--text", "Use SQLite"]));
      assert.equal(answered.reason, "marker_verified");
      assert.match(answered.transcript_tail, /Understood: Use SQLite/);
      const sent = verdict(
        await rig.cli([
          "send",
          "--session",
          session,
          "--message",
          "{{shell echo again}} {{done Again done.}} once more",
        ]),
      );
      assert.equal(sent.reason, "marker_verified");
      assert.equal((sent as Record<string, Record<string, unknown>>).delivery.delivered, true);
      assert.equal(sent.transcript_tail, "Again done.");
      await end(session);
    },
  );

  await t.step(
    "Plan mode proposal → plan_approval with the whole plan → approve → completion",
    async () => {
      const { v, session } = await start("{{plan 8}} Plan the cache layer.");
      assert.equal(v.state, "awaiting_approval");
      assert.equal(v.reason, "plan_approval");
      assert.equal(v.plan?.trimEnd(), mockPlan(8));
      assert.deepEqual(v.options.map((o) => o.key), ["1", "2", "3"]);
      const approved = verdict(await rig.cli(["reply", "--session", session, "--approve"]));
      assert.equal(approved.state, "completed");
      assert.equal(approved.reason, "marker_verified");
      const audit = parseJsonLines(await Deno.readTextFile(join(rig.state, "logs", "audit.jsonl")));
      assert.ok(
        audit.some((a) => a.session === session && a.decision === "approve" && a.gate === "plan_approval"),
      );
      await end(session);
    },
  );

  await t.step(
    "request_user_input widget → multiple_choice → reply --choice 2 → completion, answer recorded",
    async () => {
      const { v, session } = await start("{{ask}} {{done Picked.}} Pick a colour.", ["--plan"]);
      assert.equal(v.state, "awaiting_clarification");
      assert.equal(v.reason, "multiple_choice");
      assert.deepEqual(v.questions, ["Which color should the widget be?"]);
      assert.deepEqual(v.options.slice(0, 2).map((o) => o.label), ["Red (Recommended)", "Blue"]);
      const chosen = verdict(await rig.cli(["reply", "--session", session, "--choice", "2"]));
      assert.equal(chosen.reason, "marker_verified");
      const rollout = await Deno.readTextFile(String(chosen.thread?.rollout_path));
      assert.match(rollout, /\\"answers\\":\{\\"color\\":\{\\"answers\\":\[\\"Blue\\"\]/);
      await end(session);
    },
  );

  await t.step(
    "escalated command → permission_gate with the command → reply --approve → it runs",
    async () => {
      const { v, session, cwd } = await start(
        "{{escalate touch escalated.txt}} {{done Touched.}} Make the file.",
      );
      assert.equal(v.state, "permission_gate");
      assert.equal(v.reason, "permission_request");
      assert.match(v.summary, /touch escalated\.txt/);
      const approved = verdict(await rig.cli(["reply", "--session", session, "--approve"]));
      assert.equal(approved.reason, "marker_verified");
      assert.ok((await Deno.stat(join(cwd, "escalated.txt"))).isFile);
      await end(session);
    },
  );

  await t.step(
    "a gate that changed since it was read is refused (STALE_GATE); nothing to answer → NO_GATE",
    async () => {
      const { session } = await start(
        "{{escalate touch one.txt}} {{escalate touch two.txt}} {{done}} Two files.",
      );
      const pane = await paneOf(session);
      // a person answers the first dialog in the pane; the next one shows up
      await ctl.press(pane, "Enter");
      await new Promise((r) => setTimeout(r, 2500));
      const stale = await rig.cli(["reply", "--session", session, "--approve"]);
      assert.equal(stale.code, 4, stale.stdout);
      assert.equal((stale.json!.error as Record<string, unknown>).code, "STALE_GATE");
      const fresh = verdict(await rig.cli(["status", "--session", session]));
      assert.match(fresh.summary, /touch two\.txt/);
      assert.equal(
        verdict(await rig.cli(["reply", "--session", session, "--approve"])).reason,
        "marker_verified",
      );
      const none = await rig.cli(["reply", "--session", session, "--approve"]);
      assert.equal(none.code, 4);
      assert.equal((none.json!.error as Record<string, unknown>).code, "NO_GATE");
      await end(session);
    },
  );

  await t.step("upstream failure → failed/turn_failed", async () => {
    const { v, session } = await start("{{fail}} Try it.");
    assert.equal(v.state, "failed");
    assert.equal(v.reason, "turn_failed");
    assert.match(v.summary, /high demand/);
    await end(session);
  });

  await t.step(
    "Esc while working → interrupted; Codex killed → exited; end cleans up what is left",
    async () => {
      const { v, session } = await start("{{pause 60}} {{done}} Think.", ["--no-wait"]);
      assert.equal(v.state, "working");
      assert.equal(v.reason, "no_wait");
      const monitor = (v as Record<string, Record<string, unknown>>).monitor;
      // one Monitor for the fleet: watch --all (no owner in this rig, so not --mine), armed since none runs
      assert.equal(monitor.command, "codexctl watch --all --timeout 1740");
      assert.equal(monitor.arm, true);
      assert.equal(monitor.timeout_ms, 1_800_000);
      const pane = await paneOf(session);
      await new Promise((r) => setTimeout(r, 1500));
      await ctl.press(pane, "Escape");
      const interrupted = verdict(await rig.cli(["await", "--session", session, "--timeout", "30"]));
      assert.equal(interrupted.state, "interrupted");
      await ctl.kill(pane);
      await new Promise((r) => setTimeout(r, 1000));
      const exited = verdict(await rig.cli(["status", "--session", session]));
      assert.equal(exited.state, "exited");
      assert.equal(exited.reason, "pane_gone");
      const listed = result(await rig.cli(["sessions"]));
      assert.ok(
        (listed.pruned as Record<string, unknown>[]).some((p) => p.session === session),
        "a dead session is pruned, never listed as working",
      );
      const again = await rig.cli(["end", "--session", session]);
      assert.equal(again.code, 0);
      assert.equal(await ctl.exists(pane), false, "no pane is left");
    },
  );

  await t.step(
    "the folder-trust dialog → trust_dialog → reply --choice 1 → the task is sent and completes",
    async () => {
      const repo = await rig.repo({ untrusted: true });
      const { v, session } = await start("{{done Trusted and done.}} Say it.", [], repo);
      assert.equal(v.state, "awaiting_approval");
      assert.equal(v.reason, "trust_dialog");
      assert.equal(v.next_action.command, `codexctl reply --session ${session} --choice 1`);
      const trusted = verdict(await rig.cli(["reply", "--session", session, "--choice", "1"]));
      assert.equal(trusted.reason, "marker_verified");
      assert.equal(trusted.transcript_tail, "Trusted and done.");
      await end(session);
    },
  );

  await t.step(
    "--worktree: removed when merged and clean, kept with a reason otherwise; end leaves no state",
    async () => {
      const repo = await rig.repo();
      const clean = await start("{{done Nothing to change.}} Look around.", [
        "--worktree",
        "--slug",
        "look-around",
      ], repo);
      const wt = (clean.v as Record<string, Record<string, unknown>>).worktree;
      assert.equal(wt.branch, "codex/look-around");
      assert.equal(clean.v.thread?.cwd, wt.path);
      const ended = verdict(await rig.cli(["end", "--session", clean.session]));
      assert.equal((ended.worktree as Record<string, unknown>).kept, false);
      await assert.rejects(Deno.stat(String(wt.path)));
      assert.equal(await gitIn(repo, "branch", "--list", "codex/look-around"), "");
      const dirty = await start("{{shell echo change > new.txt}} {{done Changed.}} Change it.", [
        "--worktree",
        "--slug",
        "make-change",
        "--codex-arg=--sandbox",
        "--codex-arg=workspace-write",
      ], repo);
      const kept = verdict(await rig.cli(["end", "--session", dirty.session]));
      assert.deepEqual({
        kept: (kept.worktree as Record<string, unknown>).kept,
        reason: (kept.worktree as Record<string, unknown>).reason,
      }, { kept: true, reason: "dirty_tree" });
      const path = String((kept.worktree as Record<string, unknown>).path);
      await gitIn(path, "add", "-A");
      await gitIn(path, "commit", "-q", "-m", "codex work");
      const again = await start("{{done Hi.}} hi", ["--worktree", "--slug", "make-change"], repo);
      assert.equal(
        (again.v as Record<string, Record<string, unknown>>).worktree.branch,
        "codex/make-change-2",
        "a taken branch gets a suffix",
      );
      await end(again.session);
      assert.deepEqual(
        [...Deno.readDirSync(join(rig.state, "sessions"))],
        [],
        "no session state is left",
      );
    },
  );

  await t.step(
    "watch --session streams verdict lines (≤ 500 chars) and closes the pane on verified completion",
    async () => {
      const { session } = await start("{{pause 3}} {{done Watched.}} Work.", ["--no-wait"]);
      const pane = await paneOf(session);
      const r = await rig.cli(["watch", "--session", session, "--timeout", "60"]);
      assert.equal(r.code, 0);
      const lines = r.stdout.trim().split("\n");
      assert.ok(lines.every((l) => l.length <= 500));
      const events = lines.map((l) => JSON.parse(l).result);
      assert.equal(events.at(-1).event, "ended");
      assert.equal(events.at(-1).reason, "auto_closed");
      assert.ok(events.some((e: Record<string, unknown>) => e.reason === "marker_verified"));
      assert.equal(await ctl.exists(pane), false, "the pane was closed");
    },
  );

  await t.step(
    "watch --auto-approve approves a permission gate and writes the decision to the audit log",
    async () => {
      const { session } = await start("{{escalate touch auto.txt}} {{done Auto.}} Go.", ["--no-wait"]);
      const r = await rig.cli([
        "watch",
        "--session",
        session,
        "--auto-approve",
        "--timeout",
        "60",
        "--no-close",
      ]);
      const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l).result);
      assert.ok(events.some((e: Record<string, unknown>) => e.event === "auto_approved"), r.stdout);
      const audit = parseJsonLines(await Deno.readTextFile(join(rig.state, "logs", "audit.jsonl")));
      const entry = audit.find((a) =>
        a.session === session && a.by === "watch" && a.decision === "approve" && a.rule === "--auto-approve"
      );
      assert.ok(entry);
      assert.match(String(entry!.seen), /touch auto\.txt/);
      await end(session);
    },
  );

  await t.step(
    "the approval policy: a deny rule refuses an explicit --approve; an allow rule lets watch approve",
    async () => {
      const config = join(rig.state, "config.jsonc");
      await Deno.mkdir(rig.state, { recursive: true });
      await Deno.writeTextFile(
        config,
        `{
      // codexctl approval policy (JSONC)
      "approvals": { "rules": [
        { "name": "never delete", "action": "deny", "commandPrefix": "touch forbidden.txt" },
        { "name": "touch is fine", "action": "allow", "commandPrefix": "touch allowed.txt" },
      ] },
    }`,
      );
      try {
        const denied = await start("{{escalate touch forbidden.txt}} {{done}} No.");
        assert.equal(denied.v.state, "permission_gate");
        const refused = await rig.cli(["reply", "--session", denied.session, "--approve"]);
        assert.equal(refused.code, 2, refused.stdout);
        assert.equal((refused.json!.error as Record<string, unknown>).code, "POLICY_DENIED");
        await assert.rejects(Deno.stat(join(denied.cwd, "forbidden.txt")));
        await end(denied.session);

        const allowed = await start("{{escalate touch allowed.txt}} {{done Allowed.}} Yes.", ["--no-wait"]);
        const r = await rig.cli(["watch", "--session", allowed.session, "--timeout", "60"]);
        const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l).result);
        const approved = events.find((e: Record<string, unknown>) => e.event === "auto_approved");
        assert.ok(approved, r.stdout);
        assert.match(String(approved.summary), /touch is fine/);
        assert.ok((await Deno.stat(join(allowed.cwd, "allowed.txt"))).isFile);
        const audit = parseJsonLines(await Deno.readTextFile(join(rig.state, "logs", "audit.jsonl")));
        assert.ok(audit.some((a) => a.session === denied.session && a.decision === "refused"));
        assert.ok(
          audit.some((a) =>
            a.session === allowed.session && a.decision === "approve" &&
            String(a.rule).includes("touch is fine")
          ),
        );
      } finally {
        await Deno.remove(config);
      }
    },
  );

  await t.step(
    "a message sent while Codex works steers the running turn, proven by the rollout, never typed twice",
    async () => {
      const { session } = await start("{{pause 6}} {{done First.}} Think first.", ["--no-wait"]);
      const sent = verdict(
        await rig.cli(["send", "--session", session, "--message", "{{done Steered.}} change of plan"]),
      );
      const delivery = sent.delivery as Record<string, unknown>;
      assert.equal(delivery.delivered, true);
      assert.equal(delivery.steered, true, "the turn was running: the message steered it");
      assert.equal(delivery.proof, "user_message");
      assert.equal(sent.reason, "marker_verified");
      const rollout = await Deno.readTextFile(String(sent.thread?.rollout_path));
      assert.equal(
        (rollout.match(/change of plan \(When the task is FULLY complete/g) ?? []).length >= 1,
        true,
      );
      const typed = rollout.split("\n").filter((l) =>
        l.includes('"UserMessage"') || l.includes('"user_message"')
      ).filter((l) => l.includes("change of plan"));
      assert.equal(typed.length, 1, "delivered exactly once");
      await end(session);
    },
  );
}
