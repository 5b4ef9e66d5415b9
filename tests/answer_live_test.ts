/**
 * The answer path end to end, with a real gate: the real Codex 0.169 TUI (mock model, `{{escalate
 * CMD}}`) asks for approval, and every input kind — a message (`send --message y`), words
 * (`reply --text p`, whose `p` would pick "don't ask again"), raw keys, a choice, the policy's own
 * answer, approve, reject — is aimed at it through every substrate: a session in tmux, a session in
 * a fake herdr pane, and the thread through the Codex daemon. Each input is answered and audited, or
 * refused with an error envelope naming `reply --approve|--reject` while the dialog stays up and
 * nothing runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CodexctlError } from "../src/errors.ts";
import { Session } from "../src/driver/session.ts";
import { answerSession } from "../src/driver/answering.ts";
import { applyApprovalPolicy } from "../src/driver/thread_policy.ts";
import { answer } from "../src/policy/answer.ts";
import { DEFAULT_POLICY } from "../src/policy/config.ts";
import { requestGate } from "../src/policy/gate.ts";
import { Store } from "../src/store/store.ts";
import { DaemonThreadSubstrate } from "../src/substrate/daemon.ts";
import { connectDaemon } from "../src/codex/daemon/operations.ts";
import { readDaemonEvidence } from "../src/codex/daemon/evidence.ts";
import { type CliResult, runCli } from "./support/cli.ts";
import { SCREEN } from "./support/codex_tui.ts";
import { readAudit, threadIdFromRollout, waitExists, waitRollout, withTuiRig } from "./support/daemon_rig.ts";
import { FakeHerdr } from "./support/fake_herdr.ts";
import { result, type SessionRig, startRig } from "./support/session_rig.ts";

const LONG = 90_000;
const DIALOG = /Would you like to run the following command\?/;

function errorOf(r: CliResult): Record<string, unknown> {
  assert.equal(r.json?.ok, false, r.stdout);
  return r.json!.error as Record<string, unknown>;
}

async function auditOf(state: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(join(state, "logs", "audit.jsonl")).catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** Every input kind against a real permission gate of a session in the substrate `startArgs` picks. */
async function sessionGateMatrix(t: Deno.TestContext, rig: SessionRig, startArgs: string[]): Promise<void> {
  const env = { get: (k: string) => rig.env[k] };
  const store = new Store(rig.state);
  const start = async (task: string) => {
    const cwd = await rig.repo();
    const r = await rig.cli(["start", "--task", task, ...startArgs, "--cwd", cwd, "--timeout", "90"]);
    const v = result(r);
    assert.equal(v.state, "permission_gate", r.stdout);
    return { session: String(r.json!.session), cwd, summary: String(v.summary) };
  };
  /** The gate is still open, unchanged, with its dialog on screen, and nothing ran. */
  const stillGated = async (session: string, summary: string, file: string) => {
    const s = await Session.load(store, session, env);
    const obs = await s.observe({ recent: false });
    assert.equal(obs.verdict.state, "permission_gate");
    assert.equal(obs.verdict.summary, summary);
    assert.match(obs.pane.screen, DIALOG, "the dialog is still up");
    assert.equal(await exists(file), false, "the command did not run");
  };

  await t.step(
    "a message, words (y, p), keys and a bad choice are refused; the policy surfaces; --approve answers",
    async () => {
      const { session, cwd, summary } = await start(
        "{{escalate touch gate.txt}} {{done Gate passed.}} Make it.",
      );
      assert.match(summary, /touch gate\.txt/);
      const file = join(cwd, "gate.txt");

      const sent = await rig.cli(["send", "--session", session, "--message", "y"]);
      assert.equal(sent.code, 3, sent.stdout);
      const busy = errorOf(sent);
      assert.equal(busy.code, "THREAD_BUSY");
      assert.match(String(busy.message), /approval to run `touch gate\.txt`/);
      assert.match(
        String(busy.suggestion),
        new RegExp(`codexctl reply --session ${session} --approve or --reject`),
      );

      for (const words of ["p", "y", "Yes, proceed"]) {
        const r = await rig.cli(["reply", "--session", session, "--text", words]);
        assert.equal(r.code, 2, r.stdout);
        assert.equal(errorOf(r).code, "BAD_REPLY");
        assert.match(String(errorOf(r).suggestion), /--approve or --reject/);
      }
      const bad = await rig.cli(["reply", "--session", session, "--choice", "9"]);
      assert.equal(bad.code, 2, bad.stdout);
      assert.equal(errorOf(bad).code, "BAD_REPLY");

      const s = await Session.load(store, session, env);
      await assert.rejects(
        answerSession(s, await s.observe({ recent: false }), { kind: "keys", keys: ["Enter"] }, {
          by: "test",
        }),
        (e) => e instanceof CodexctlError && e.code === "BAD_REPLY",
      );
      await stillGated(session, summary, file);
      assert.deepEqual(await auditOf(rig.state), [], "refused inputs decide nothing");

      const surfaced = await answerSession(s, await s.observe({ recent: false }), { kind: "policy" }, {
        by: "watch",
        policy: { ...DEFAULT_POLICY },
      });
      assert.equal(surfaced.outcome, "surfaced");
      assert.deepEqual(surfaced.keys, []);
      await stillGated(session, summary, file);

      const approved = result(await rig.cli(["reply", "--session", session, "--approve"]));
      assert.equal(approved.reason, "marker_verified");
      assert.ok(await exists(file));
      const audit = await auditOf(rig.state);
      assert.deepEqual(audit.map((a) => [a.actor, a.decision, a.rule, a.by]), [
        ["policy", "surfaced", "default: every gate goes to the caller", "watch"],
        ["caller", "approve", "reply --approve", "reply"],
      ]);
      for (const a of audit) {
        assert.equal(a.session, session);
        assert.equal(a.channel, "pane");
        assert.equal(a.gate, "permission_request");
        assert.equal(a.command, "touch gate.txt");
        assert.equal(a.seen, summary);
        assert.equal(typeof a.time, "string");
      }
      assert.equal(result(await rig.cli(["end", "--session", session])).state, "ended");
    },
  );

  await t.step(
    "a deny rule stops --approve and a 'don't ask again' choice (audited); --reject answers",
    async () => {
      const config = join(rig.state, "config.jsonc");
      await Deno.writeTextFile(
        config,
        `{ "approvals": { "rules": [{ "name": "no denied", "action": "deny", "commandPrefix": "touch denied.txt" }] } }`,
      );
      try {
        const { session, cwd, summary } = await start("{{escalate touch denied.txt}} {{done}} Try it.");
        const file = join(cwd, "denied.txt");
        const before = (await auditOf(rig.state)).length;
        for (const args of [["--choice", "2"], ["--approve"]]) {
          const r = await rig.cli(["reply", "--session", session, ...args]);
          assert.equal(r.code, 2, r.stdout);
          assert.equal(errorOf(r).code, "POLICY_DENIED");
          assert.match(String(errorOf(r).message), /no denied/);
        }
        await stillGated(session, summary, file);
        const rejected = await rig.cli(["reply", "--session", session, "--reject", "--no-wait"]);
        assert.equal(rejected.code, 0, rejected.stdout);
        assert.deepEqual((result(rejected).answered as Record<string, unknown>).keys, ["Esc"]);
        const audit = (await auditOf(rig.state)).slice(before);
        assert.deepEqual(audit.map((a) => [a.actor, a.decision, a.by]), [
          ["caller", "refused", "reply"],
          ["caller", "refused", "reply"],
          ["caller", "reject", "reply"],
        ]);
        assert.match(String(audit[0].rule), /no denied/);
        assert.equal(audit[2].rule, "reply --reject");
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await exists(file), false, "the denied command never ran");
        assert.equal(result(await rig.cli(["end", "--session", session])).state, "ended");
      } finally {
        await Deno.remove(config);
      }
    },
  );
}

Deno.test({
  name: "answer path: every input into a real approval gate of a session in tmux",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const rig = await startRig();
    try {
      await sessionGateMatrix(t, rig, ["--via", "tmux"]);
    } finally {
      await rig.close();
    }
  },
});

Deno.test({
  name: "answer path: every input into a real approval gate of a session in a (fake) herdr pane",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const fake = await FakeHerdr.start({ flavor: "0.8" });
    const rig = await startRig(undefined, { HERDR_SOCKET_PATH: fake.socketPath });
    try {
      await sessionGateMatrix(t, rig, ["--via", "herdr", "--in", "space"]);
    } finally {
      await rig.close();
      await fake.stop();
    }
  },
});

Deno.test("answer path: every input into a real approval gate of a thread, through the Codex daemon", async () => {
  await withTuiRig({}, async (rig) => {
    const config = join(rig.stateDir, "config.jsonc");
    await Deno.writeTextFile(
      config,
      `{ "approvals": { "rules": [{ "name": "no touching", "action": "deny", "commandPrefix": "touch" }] } }`,
    );
    await rig.pane.submit("{{escalate touch gate.txt}} {{done}} Make it.");
    await rig.pane.waitFor(SCREEN.approval, LONG);
    const threadId = threadIdFromRollout(await waitRollout(rig));
    const deadline = Date.now() + LONG;
    for (;;) {
      const e = await readDaemonEvidence(rig.home.dir, threadId, { timeoutMs: 20_000 });
      if (e.available && e.request) break;
      if (Date.now() > deadline) throw new Error("the daemon never reported the approval");
      await new Promise((r) => setTimeout(r, 500));
    }
    const cli = (args: string[]) => runCli(args, { env: rig.cliEnv, timeoutMs: LONG });
    const file = join(rig.cwd, "gate.txt");
    const stillGated = async () => {
      assert.match(await rig.pane.screen(), SCREEN.approval, "the dialog is still up");
      assert.equal(await exists(file), false, "the command did not run");
    };

    const sent = await cli(["send", "--thread", threadId, "--message", "y"]);
    assert.equal(sent.code, 3, sent.stdout);
    assert.equal(errorOf(sent).code, "THREAD_BUSY");
    assert.match(String(errorOf(sent).message), /approval to run `touch gate\.txt`/);
    assert.match(
      String(errorOf(sent).suggestion),
      new RegExp(`codexctl reply --thread ${threadId} --approve or --reject`),
    );
    const words = await cli(["reply", "--thread", threadId, "--text", "p"]);
    assert.equal(words.code, 2, words.stdout);
    assert.equal(errorOf(words).code, "BAD_REPLY");
    assert.match(String(errorOf(words).suggestion), /--approve or --reject/);

    const client = await connectDaemon(rig.home.dir, { timeoutMs: 20_000, requestTimeoutMs: 20_000 });
    try {
      const substrate = new DaemonThreadSubstrate(client);
      const handle = DaemonThreadSubstrate.handle(threadId);
      const reading = await substrate.read(handle, { timeoutMs: 20_000 });
      const gate = requestGate(reading.thread!.pending[0], threadId, rig.cwd);
      await assert.rejects(
        answer(
          {
            substrate,
            handle,
            store: Store.fromEnv({ get: (k) => rig.cliEnv[k] }),
            session: null,
            thread: threadId,
            by: "test",
            seen: null,
            policy: { ...DEFAULT_POLICY },
          },
          gate,
          { kind: "keys", keys: ["Enter"] },
        ),
        (e) => e instanceof CodexctlError && e.code === "BAD_REPLY",
      );
    } finally {
      await client.close();
    }
    await stillGated();
    assert.deepEqual(await readAudit(rig), [], "refused inputs decide nothing");

    const denied = await cli(["reply", "--thread", threadId, "--choice", "2"]);
    assert.equal(denied.code, 2, denied.stdout);
    assert.equal(errorOf(denied).code, "POLICY_DENIED");
    await stillGated();
    await Deno.remove(config);

    const policyClient = await connectDaemon(rig.home.dir, { timeoutMs: 20_000, requestTimeoutMs: 20_000 });
    try {
      const substrate = new DaemonThreadSubstrate(policyClient);
      const attached = await substrate.attach(DaemonThreadSubstrate.handle(threadId), 20_000);
      await substrate.read(DaemonThreadSubstrate.handle(threadId), { timeoutMs: 20_000 });
      const applied = await applyApprovalPolicy(policyClient, attached, { ...DEFAULT_POLICY }, {
        store: Store.fromEnv({ get: (k) => rig.cliEnv[k] }),
      });
      assert.deepEqual(applied.map((a) => [a.policy.action, a.sent]), [["surface", null]]);
    } finally {
      await policyClient.close();
    }
    await stillGated();

    const approved = await cli(["reply", "--thread", threadId, "--approve"]);
    assert.equal(approved.code, 0, approved.stdout);
    assert.deepEqual((approved.json!.result as Record<string, unknown>).answer, { decision: "accept" });
    await waitExists(file, LONG);
    const audit = await readAudit(rig);
    assert.deepEqual(audit.map((a) => [a.actor, a.channel, a.decision, a.by, a.command]), [
      ["caller", "daemon", "refused", "reply", "touch gate.txt"],
      ["policy", "daemon", "surfaced", "watch", "touch gate.txt"],
      ["caller", "daemon", "accept", "reply", "touch gate.txt"],
    ]);
    assert.match(String(audit[0].rule), /no touching/);
    assert.equal(audit[2].rule, "reply --approve");
    assert.equal(audit[2].gate, "permission_request");
  });
});
