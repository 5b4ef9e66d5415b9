/**
 * The daemon channel end to end against the real Codex 0.169 TUI in tmux (mock model on loopback):
 * status evidence for approvals and questions, `reply --thread` answering them so the TUI moves on,
 * `send --thread` starting a turn the TUI shows, stale answers refused, the approval policy, and
 * interrupting a turn.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DaemonEvidenceSchema, readDaemonEvidence } from "../src/codex/daemon/evidence.ts";
import { daemonDoctorCheck } from "../src/doctor/daemon_check.ts";
import {
  attachThread,
  awaitPendingRequests,
  connectDaemon,
  pendingRequestsFor,
} from "../src/codex/daemon/operations.ts";
import { answerRequest, interruptTurn } from "../src/substrate/daemon.ts";
import { applyApprovalPolicy } from "../src/driver/thread_policy.ts";
import { loadApprovalPolicy } from "../src/policy/config.ts";
import { Store } from "../src/store/store.ts";
import { CodexctlError } from "../src/errors.ts";
import { runCli } from "./support/cli.ts";
import { countTurnEnds, SCREEN, waitReady } from "./support/codex_tui.ts";
import {
  readAudit,
  threadIdFromRollout,
  type TuiRig,
  waitExists,
  waitFileMatches,
  waitRollout,
  waitTurnEnds,
  withTuiRig,
} from "./support/daemon_rig.ts";

const LONG = 90_000;

function env(rig: TuiRig): { get(key: string): string | undefined } {
  return { get: (k: string) => rig.cliEnv[k] };
}

/** Reads evidence until `test` passes (the daemon may lag the screen by a moment). */
async function evidenceUntil(
  rig: TuiRig,
  threadId: string,
  test: (e: ReturnType<typeof DaemonEvidenceSchema.parse>) => boolean,
) {
  const deadline = Date.now() + LONG;
  let last: unknown;
  while (Date.now() < deadline) {
    const reading = await readDaemonEvidence(rig.home.dir, threadId, { timeoutMs: 20_000 });
    last = reading;
    if (reading.available) {
      const evidence = DaemonEvidenceSchema.parse(reading);
      if (test(evidence)) return evidence;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`evidence never matched; last: ${JSON.stringify(last)}`);
}

Deno.test("live codex 0.169 TUI: an approval shows in status evidence with the exact command; reply --thread --approve runs it and the dialog disappears", async () => {
  await withTuiRig({}, async (rig) => {
    await rig.pane.submit("{{escalate touch approved.txt}} {{done}} Create the file.");
    await rig.pane.waitFor(SCREEN.approval, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));

    const evidence = await evidenceUntil(rig, threadId, (e) => e.waiting_on_approval && e.request !== null);
    assert.equal(evidence.status, "active");
    assert.deepEqual(evidence.active_flags, ["waitingOnApproval"]);
    assert.equal(evidence.daemon_version, "0.169.0");
    assert.equal(evidence.thread?.cwd, rig.cwd);
    const request = evidence.request!;
    assert.equal(request.kind, "command_approval");
    if (request.kind !== "command_approval") return;
    assert.equal(request.command_text, "touch approved.txt");
    assert.match(request.command ?? "", /touch approved\.txt/);
    assert.equal(request.cwd, rig.cwd);
    assert.equal(request.reason, "The mock model needs to write outside the sandbox");
    assert.equal(request.options[0].decision, "accept");
    assert.ok(!(await Deno.stat(join(rig.cwd, "approved.txt")).then(() => true, () => false)));

    // the TUI's screen shows the same command
    assert.match(await rig.pane.screen(), /\$ touch approved\.txt/);

    const reply = await runCli(["reply", "--thread", `codex://threads/${threadId}`, "--approve"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(reply.code, 0, reply.stdout + reply.stderr);
    assert.equal(reply.json?.ok, true);
    assert.equal(reply.json?.session, null);
    const result = reply.json?.result as Record<string, unknown>;
    assert.deepEqual(result.answer, { decision: "accept" });
    assert.equal(result.confirmed, true);
    assert.equal((result.request as { key: string }).key, request.key);

    await waitExists(join(rig.cwd, "approved.txt"), LONG);
    const after = await rig.pane.waitFor(
      (s) => !SCREEN.approval.test(s) && /Finished the task/.test(s),
      LONG,
    );
    assert.doesNotMatch(after, /Would you like to run the following command/);

    const audit = await readAudit(rig);
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, "caller");
    assert.equal(audit[0].decision, "accept");
    assert.equal(audit[0].command, "touch approved.txt");
    assert.equal(audit[0].thread, threadId);
    assert.equal(audit[0].rule, "reply --approve");
    assert.equal(typeof audit[0].time, "string");

    // the doctor check sees the same daemon
    const doctor = await daemonDoctorCheck(env(rig), { timeoutMs: 20_000 });
    assert.equal(doctor.status, "ok", JSON.stringify(doctor));
    assert.equal(doctor.version, "0.169.0");
    assert.equal(doctor.reachable, true);
    assert.match(doctor.socket_target ?? "", /codex-daemon-/);
  });
});

Deno.test("live codex 0.169 TUI: a Plan-mode request_user_input shows its questions; reply --choice 2 answers it and the rollout records the answer", async () => {
  await withTuiRig({}, async (rig) => {
    await rig.pane.keys("BTab");
    await rig.pane.waitFor(SCREEN.planMode, LONG);
    await rig.pane.submit("{{ask}} {{done}} Pick a colour.");
    await rig.pane.waitFor(SCREEN.question, LONG);
    const rollout = await waitRollout(rig);
    const threadId = threadIdFromRollout(rollout);

    const evidence = await evidenceUntil(rig, threadId, (e) => e.waiting_on_user_input && e.request !== null);
    assert.deepEqual(evidence.active_flags, ["waitingOnUserInput"]);
    const request = evidence.request!;
    assert.equal(request.kind, "user_input");
    if (request.kind !== "user_input") return;
    assert.equal(request.questions.length, 1);
    assert.equal(request.questions[0].id, "color");
    assert.equal(request.questions[0].question, "Which color should the widget be?");
    assert.deepEqual(request.questions[0].options.map((o) => [o.key, o.label, o.recommended]), [
      ["1", "Red (Recommended)", true],
      ["2", "Blue", false],
    ]);

    // status --thread: the daemon decides what Codex waits on (daemon.question), answerable by --item
    const status = await runCli(["status", "--thread", threadId], { env: rig.cliEnv, timeoutMs: LONG });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const seen = status.json?.result as Record<string, unknown>;
    assert.equal((seen.rollout as Record<string, unknown>).rule, "daemon.question");
    assert.equal(seen.state, "awaiting_clarification");
    assert.equal(seen.reason, "multiple_choice");
    assert.deepEqual(seen.questions, ["Which color should the widget be?"]);
    assert.equal(
      (seen.next_action as { command: string }).command,
      `codexctl reply --thread ${threadId} --choice 1 --item ${request.key}`,
    );

    // an approval answer does not fit a question: refused before anything is sent
    const wrong = await runCli(["reply", "--thread", threadId, "--approve"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(wrong.code, 2, wrong.stdout);
    assert.equal((wrong.json?.error as { code: string }).code, "BAD_REPLY");
    assert.match(await rig.pane.screen(), SCREEN.question, "the widget is still up");

    const reply = await runCli(["reply", "--thread", threadId, "--choice", "2"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(reply.code, 0, reply.stdout + reply.stderr);
    const result = reply.json?.result as Record<string, unknown>;
    assert.deepEqual(result.answer, { answers: { color: { answers: ["Blue"] } } });
    assert.equal(result.confirmed, true);

    const text = await waitFileMatches(
      rollout,
      /"type":"function_call_output"[^\n]*\\"answers\\":\{\\"color\\":\{\\"answers\\":\[\\"Blue\\"\]/,
      LONG,
    );
    assert.match(text, /"type":"retained_context","payload":\{"type":"verified_answer"[^\n]*"answer":"Blue"/);
    await rig.pane.waitFor((s) => !SCREEN.question.test(s), LONG);
  });
});

Deno.test("live codex 0.169 TUI: send --thread starts a turn the TUI shows; a busy thread is refused; a turn can be interrupted", async () => {
  await withTuiRig({}, async (rig) => {
    await rig.pane.submit("{{say ready for messages}}");
    await waitTurnEnds(rig, 0, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));
    const idle = await evidenceUntil(rig, threadId, (e) => e.status === "idle");
    assert.equal(idle.request, null);
    assert.deepEqual(idle.pending, []);

    const before = await countTurnEnds(rig.home);
    const sent = await runCli(
      ["send", "--thread", threadId, "--message", "{{say hello from codexctl send}}"],
      {
        env: rig.cliEnv,
        timeoutMs: LONG,
      },
    );
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    const result = sent.json?.result as Record<string, unknown>;
    assert.equal(result.started, true);
    assert.equal(result.delivery, "new_turn");
    assert.match(String(result.turn_id), /^[0-9a-f-]{36}$/);
    const screen = await rig.pane.waitFor(
      (s) => /› \{\{say hello from codexctl send\}\}/.test(s) && /• hello from codexctl send/.test(s),
      LONG,
    );
    assert.ok(screen);
    await waitTurnEnds(rig, before, LONG);

    // a running turn: send refuses rather than mixing the message into it
    const slow = await runCli(["send", "--thread", threadId, "--message", "{{pause 60}} {{done}} Think."], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(slow.code, 0, slow.stdout + slow.stderr);
    const slowTurn = String((slow.json?.result as Record<string, unknown>).turn_id);
    await rig.pane.waitFor(SCREEN.working, LONG);
    const busy = await runCli(["send", "--thread", threadId, "--message", "again"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(busy.code, 3, busy.stdout);
    const error = busy.json?.error as Record<string, unknown>;
    assert.equal(error.code, "THREAD_BUSY");
    assert.equal(error.retryable, true);

    // interrupt the running turn through the daemon
    const client = await connectDaemon(rig.home.dir, { timeoutMs: 20_000, requestTimeoutMs: 20_000 });
    try {
      await attachThread(client, threadId);
      const stopped = await interruptTurn(client, threadId, null, 30_000);
      assert.equal(stopped.turnId, slowTurn);
      assert.equal(stopped.status, "interrupted");
    } finally {
      await client.close();
    }
    await evidenceUntil(rig, threadId, (e) => e.status === "idle");
  });
});

Deno.test("live codex 0.169 TUI: a stale answer (already resolved in the TUI) is refused with a clear envelope and nothing is sent", async () => {
  await withTuiRig({}, async (rig) => {
    await rig.pane.submit("{{escalate touch first.txt}} {{done}} Create it.");
    await rig.pane.waitFor(SCREEN.approval, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));

    // 1) on one connection: the request is pending, the TUI answers it, serverRequest/resolved arrives
    const client = await connectDaemon(rig.home.dir, { timeoutMs: 20_000, requestTimeoutMs: 20_000 });
    let key: string;
    try {
      const attached = await attachThread(client, threadId);
      const pending = await awaitPendingRequests(client, attached, 20_000);
      assert.equal(pending.length, 1);
      const request = pending[0];
      key = request.key;
      await rig.pane.keys("Enter"); // the person at the TUI approves first
      await client.waitFor(
        (m) => m.type === "notification" && m.method === "serverRequest/resolved",
        LONG,
        "serverRequest/resolved",
      );
      assert.equal(pendingRequestsFor(client, threadId).length, 0);
      await assert.rejects(
        () => answerRequest(client, request, { decision: "cancel" }, 5000),
        (err) =>
          err instanceof CodexctlError && err.code === "STALE_REQUEST" && err.errorClass === "not_found",
      );
    } finally {
      await client.close();
    }
    await waitExists(join(rig.cwd, "first.txt"), LONG); // the TUI's approval stood, ours never went out
    await rig.pane.waitFor((s) => !SCREEN.approval.test(s), LONG);

    // 2) through the CLI, with the key status showed: STALE_REQUEST
    const stale = await runCli(["reply", "--thread", threadId, "--approve", "--item", key], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(stale.code, 4, stale.stdout);
    assert.equal(stale.json?.ok, false);
    const error = stale.json?.error as Record<string, unknown>;
    assert.equal(error.class, "not_found");
    assert.equal(error.code, "STALE_REQUEST");
    assert.match(String(error.message), /no longer pending/);
    assert.match(String(error.message), /nothing was sent/);
    assert.match(String(error.suggestion), /codexctl status --thread/);

    // 3) without --item: nothing is pending any more
    await evidenceUntil(rig, threadId, (e) => !e.waiting_on_approval);
    const none = await runCli(["reply", "--thread", threadId, "--approve"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(none.code, 4, none.stdout);
    assert.equal((none.json?.error as { code: string }).code, "NO_PENDING_REQUEST");
    assert.match(String((none.json?.error as { message: string }).message), /already been answered/);
    assert.deepEqual(await readAudit(rig), [], "refused answers decide nothing");
  });
});

Deno.test("live codex 0.169 TUI: the approval policy — a deny rule stops reply --approve, --reject answers, an allow rule auto-approves, all audited", async () => {
  await withTuiRig({}, async (rig) => {
    await Deno.writeTextFile(
      join(rig.stateDir, "config.jsonc"),
      `{
  // test policy
  "approvals": {
    "rules": [
      { "action": "deny", "commandPrefix": ["rm"], "name": "no deletes" },
      { "action": "allow", "commandPrefix": "touch", "cwdInWorktree": true },
    ],
  },
}
`,
    );
    // wrapped in sh -c: the deny rule still sees the rm inside (issue 15, item 3)
    await rig.pane.submit("{{escalate sh -c 'rm -f nothing.txt'}} {{done}} Clean up.");
    await rig.pane.waitFor(SCREEN.approval, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));
    await evidenceUntil(rig, threadId, (e) => e.request !== null);

    const denied = await runCli(["reply", "--thread", threadId, "--approve"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(denied.code, 2, denied.stdout);
    assert.equal((denied.json?.error as { code: string }).code, "POLICY_DENIED");
    assert.match(String((denied.json?.error as { message: string }).message), /no deletes/);
    assert.match(await rig.pane.screen(), SCREEN.approval, "the dialog is still up");

    const before = await countTurnEnds(rig.home);
    const rejected = await runCli(["reply", "--thread", threadId, "--reject"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(rejected.code, 0, rejected.stdout);
    // 0.169 offers accept / accept-with-amendment / cancel for commands: reject → cancel
    assert.deepEqual((rejected.json?.result as { answer: unknown }).answer, { decision: "cancel" });
    await rig.pane.waitFor((s) => !SCREEN.approval.test(s), LONG);
    await waitTurnEnds(rig, before, LONG);

    // an allowed command: the policy answers it on its own
    await waitReady(rig.pane, LONG);
    await rig.pane.submit("{{escalate touch auto.txt}} {{done}} Create it.");
    await rig.pane.waitFor(SCREEN.approval, LONG);
    const client = await connectDaemon(rig.home.dir, { timeoutMs: 20_000, requestTimeoutMs: 20_000 });
    try {
      const attached = await attachThread(client, threadId);
      await awaitPendingRequests(client, attached, 20_000);
      const applied = await applyApprovalPolicy(client, attached, await loadApprovalPolicy(env(rig)), {
        store: Store.fromEnv(env(rig)),
        timeoutMs: 20_000,
      });
      assert.equal(applied.length, 1);
      assert.equal(applied[0].policy.action, "approve");
      assert.equal(applied[0].sent, "accept");
      assert.equal(applied[0].confirmed, true);
      assert.match(applied[0].policy.rule, /rule 2 \(allow commandPrefix "touch", cwdInWorktree\)/);
    } finally {
      await client.close();
    }
    await waitExists(join(rig.cwd, "auto.txt"), LONG);
    await rig.pane.waitFor((s) => !SCREEN.approval.test(s), LONG);

    const audit = await readAudit(rig);
    assert.deepEqual(audit.map((a) => [a.actor, a.decision, a.command]), [
      ["caller", "refused", "sh -c 'rm -f nothing.txt'"],
      ["caller", "cancel", "sh -c 'rm -f nothing.txt'"],
      ["policy", "accept", "touch auto.txt"],
    ]);
    assert.match(String(audit[0].rule), /no deletes/);
    assert.equal(audit[1].rule, "reply --reject");
  });
});

Deno.test("live codex 0.169 TUI: a file-change approval (read-only sandbox, apply_patch) through the daemon", async () => {
  await withTuiRig({ catalog: true, config: [`sandbox_mode = "read-only"`] }, async (rig) => {
    await rig.pane.submit("{{patch patched.txt}} {{done}} Patch it.");
    await rig.pane.waitFor(/Would you like to make the following edits\?/, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));
    const evidence = await evidenceUntil(rig, threadId, (e) => e.request !== null);
    assert.deepEqual(evidence.active_flags, ["waitingOnApproval"]);
    assert.equal(evidence.request?.kind, "file_change_approval");
    const reply = await runCli(["reply", "--thread", threadId, "--approve"], {
      env: rig.cliEnv,
      timeoutMs: LONG,
    });
    assert.equal(reply.code, 0, reply.stdout + reply.stderr);
    await waitExists(join(rig.cwd, "patched.txt"), LONG);
    assert.equal(await Deno.readTextFile(join(rig.cwd, "patched.txt")), "patched by the mock model\n");
    await rig.pane.waitFor((s) => !SCREEN.approval.test(s), LONG);
    const audit = await readAudit(rig);
    assert.equal(audit[0].kind, "fileChange");
    assert.equal(audit[0].decision, "accept");
  });
});
