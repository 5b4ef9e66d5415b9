/**
 * The detached runner with real `codex exec` 0.169.0 and 0.130.0 against the mock model: a run
 * leaves its stream, final message and exit status in its directory; Codex killed mid-turn is seen
 * dead at once (exit recorded by the supervisor); stopping a run leaves no process behind, checked
 * through /proc — Codex, the command it was running, and the supervisor.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchRun, readRun, runFile, stopRun } from "../src/substrate/exec_run.ts";
import { readExec } from "../src/substrate/exec_read.ts";
import { decide } from "../src/verdict/machine.ts";
import { ALL_CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { startRig } from "./support/session_rig.ts";
import { processesWith, sessionOf, waitFor } from "./support/procs.ts";

/** True when `path` exists. */
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`exec run ${version}: stream, -o message and exit status are kept; the supervisor is its own session`, async () => {
    const install = await codexInstall(version);
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const dir = join(rig.state, "runs", "1");
      const launch = await launchRun({
        dir,
        argv: [
          install.binary,
          "exec",
          "--json",
          "-o",
          runFile(dir, "message"),
          "-s",
          "workspace-write",
          "-c",
          "approval_policy=never",
          "--",
          "{{pause 1}} {{done All done.}} When done, print this token on its own line: CDX_DONE_RUN001",
        ],
        cwd: repo,
        env: rig.env,
      });
      assert.ok(launch.supervisor_pid > 0);
      assert.notEqual(sessionOf(launch.supervisor_pid), sessionOf(Deno.pid), "setsid: a session of its own");
      const proc = await waitFor("proc.json", async () => (await readRun(dir)).proc);
      assert.ok(proc.codex && proc.codex.start, "Codex's identity recorded");
      assert.equal(
        sessionOf(proc.codex!.pid),
        proc.codex!.pid,
        "Codex leads a session (and group) of its own",
      );
      const exit = await waitFor("exit.json", async () => (await readRun(dir)).exit);
      assert.deepEqual({ code: exit.code, signal: exit.signal, error: exit.error }, {
        code: 0,
        signal: null,
        error: null,
      });
      const reading = await readExec({ dir, run: 1, schema: null }, null);
      assert.equal(reading.exec.turn, "completed");
      assert.match(reading.exec.thread_id ?? "", /^[0-9a-f-]{36}$/);
      assert.equal(reading.exec.last_agent_message, "All done.\n\nCDX_DONE_RUN001");
      assert.equal(reading.process.alive, false);
      assert.deepEqual(reading.process.exit, { code: 0, signal: null });
      const d = decide({
        target: { session: "cdx-1111", thread: reading.exec.thread_id },
        now: Date.now(),
        thread: null,
        pane: null,
        process: reading.process,
        exec: reading.exec,
        marker: "CDX_DONE_RUN001",
        artifacts: [],
      });
      assert.equal(d.rule, "exec.completed");
      assert.equal(d.verdict.reason, "marker_verified");
      assert.deepEqual(processesWith(dir), [], "nothing of the run is left");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec run ${version}: SIGKILL of Codex mid-turn is seen dead at once (exited, not working)`, async () => {
    const install = await codexInstall(version);
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const dir = join(rig.state, "runs", "1");
      await launchRun({
        dir,
        argv: [install.binary, "exec", "--json", "-s", "workspace-write", "--", "{{pause 30}} {{done}} wait"],
        cwd: repo,
        env: rig.env,
      });
      await waitFor(
        "turn.started",
        async () => (await readExec({ dir, run: 1, schema: null }, null)).exec.turn === "started",
      );
      await rig.mock.waitForRequests(1);
      // the supervisor records Codex's identity beside its output: the stream may come first
      const proc = await waitFor("proc.json", async () => (await readRun(dir)).proc);
      Deno.kill(proc.codex!.pid, "SIGKILL");
      const killedAt = Date.now();
      const reading = await waitFor("dead", async () => {
        const r = await readExec({ dir, run: 1, schema: null }, null);
        return r.process.alive ? null : r;
      });
      assert.ok(Date.now() - killedAt < 2000, `seen dead ${Date.now() - killedAt} ms after the kill`);
      assert.deepEqual(reading.process.exit, { code: null, signal: "SIGKILL" });
      const d = decide({
        target: { session: "cdx-2222", thread: reading.exec.thread_id },
        now: Date.now(),
        thread: null,
        pane: null,
        process: reading.process,
        exec: reading.exec,
        marker: null,
        artifacts: [],
      });
      assert.equal(d.verdict.state, "exited");
      assert.equal(d.rule, "exec.exited");
      await waitFor("supervisor gone", () => processesWith(dir).length === 0, 5000);
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec run ${version}: stopRun interrupts, terminates, kills the group; no process is left (/proc)`, async () => {
    const install = await codexInstall(version);
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const dir = join(rig.state, "runs", "1");
      const token = `codexctl-stop-${crypto.randomUUID().slice(0, 8)}`;
      await launchRun({
        dir,
        argv: [
          install.binary,
          "exec",
          "--json",
          "--dangerously-bypass-approvals-and-sandbox",
          "--",
          `{{shell touch ${token}.started; sleep 60; echo ${token}}} {{done}} run it`,
        ],
        cwd: repo,
        env: rig.env,
      });
      // Codex runs the command (past its login shell's start-up): the sleep's shell carries the token
      await waitFor("the command runs", async () => await exists(join(repo, `${token}.started`)) || null);
      assert.ok(processesWith(token).length > 0);
      const before = processesWith(dir).length + processesWith(token).length;
      assert.ok(before >= 2, "the supervisor and the command (Codex's own argv names neither)");
      const stopped = await stopRun(dir);
      assert.deepEqual(stopped.left, []);
      assert.notEqual(stopped.step, "already_gone");
      const proc = (await readRun(dir)).proc!;
      assert.deepEqual(processesWith(token), [], "the command Codex was running is gone");
      assert.deepEqual(processesWith(dir), [], "the supervisor is gone");
      assert.equal(
        processesWith(install.binary).filter((p) => p.pid === proc.codex!.pid).length,
        0,
        "Codex is gone",
      );
      const exit = (await readRun(dir)).exit;
      assert.ok(exit, "the supervisor recorded how Codex ended before it left");
      assert.equal((await stopRun(dir)).step, "already_gone", "idempotent");
    } finally {
      await rig.close();
    }
  });
}

Deno.test("exec run: stopRun also ends what Codex started in a session of its own (its sandbox does that)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-stop-strays-" });
  const token = `codexctl-stray-${crypto.randomUUID().slice(0, 8)}`;
  try {
    // a stand-in for Codex: a shell running a command in a new session, as codex-linux-sandbox does
    await launchRun({
      dir,
      argv: ["sh", "-c", `setsid sh -c 'sleep 3600; echo ${token}' & wait`],
      cwd: dir,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    });
    const codex = (await waitFor("proc.json", async () => (await readRun(dir)).proc)).codex!.pid;
    // the stand-in's own command line names the token too: the stray is the other one
    const stray = await waitFor(
      "the command runs",
      () => processesWith(token).find((p) => p.pid !== codex) ?? null,
    );
    assert.notEqual(sessionOf(stray.pid), sessionOf(codex), "the command runs in a session of its own");
    const stopped = await stopRun(dir, { interruptMs: 300, terminateMs: 300, killMs: 2000 });
    assert.deepEqual(stopped.left, []);
    assert.deepEqual(processesWith(token), [], "the command in its own session is gone too");
  } finally {
    for (const p of processesWith(token)) Deno.kill(p.pid, "SIGKILL");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`exec run ${version}: the mock's upstream errors come back from real Codex as failed with their cause`, async () => {
    const install = await codexInstall(version);
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const cases: [string, string, RegExp][] = [
        ["{{limit}}", "usage_limit", /hit your usage limit/],
        ["{{quota}}", "usage_limit", /Quota exceeded/],
        ["{{ratelimit}}", "rate_limit", /429 Too Many Requests/],
        ["{{context}}", "context_window", /context window/],
        ["{{unauthorized}}", "auth_failed", /401 Unauthorized/],
        ["{{fail}}", "model_error", /high demand/],
      ];
      for (const [i, [directive, reason, said]] of cases.entries()) {
        const dir = join(rig.state, "runs", String(i + 1));
        await launchRun({
          dir,
          argv: [install.binary, "exec", "--json", "-s", "workspace-write", "--", `${directive} go`],
          cwd: repo,
          env: rig.env,
        });
        await waitFor(`${directive} exits`, async () => (await readRun(dir)).exit);
        const reading = await readExec({ dir, run: i + 1, schema: null }, null);
        assert.match(reading.exec.error ?? "", said, `${directive}: Codex's own words`);
        assert.deepEqual(reading.process.exit, { code: 1, signal: null }, `${directive}: exec exits 1`);
        const d = decide({
          target: { session: "cdx-3333", thread: reading.exec.thread_id },
          now: Date.now(),
          thread: null,
          pane: null,
          process: reading.process,
          exec: reading.exec,
          marker: null,
          artifacts: [],
        });
        assert.equal(d.verdict.state, "failed", directive);
        assert.equal(d.verdict.reason, reason, `${directive}: ${d.verdict.summary}`);
      }
    } finally {
      await rig.close();
    }
  });
}
