/**
 * Headless sessions end to end (`start --via exec`), as the CLI, with real `codex exec` 0.169.0 and
 * 0.130.0 against the mock model: the verdicts (completed with and without the marker, failed, the
 * usage limit named), a shell command writing a file under the default sandbox with `--expect`,
 * `--no-wait` then `await`, a follow-up resuming the same thread (refused while a run goes), Codex
 * killed mid-turn seen `exited` at the next status, `end` of a running run leaving no process
 * (/proc), `--output-schema` parsed and checked, and the caller killed while Codex runs on.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ALL_CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { StdioAppServer } from "../src/codex/app_server/stdio_client.ts";
import { IDE_VISIBLE_WARNING } from "../src/cli/start.ts";
import { EnvelopeSchema, ErrorEnvelopeSchema, VerdictSchema } from "../src/envelope.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { procAlive, processesWith, waitFor } from "./support/procs.ts";
import { result, type SessionRig, startRig } from "./support/session_rig.ts";

type Json = Record<string, unknown>;

/** `codexctl start --via exec --cwd <repo> --task <task> <flags…> --json`. */
function startExec(rig: SessionRig, repo: string, task: string, ...flags: string[]) {
  return rig.cli(["start", "--via", "exec", "--cwd", repo, "--task", task, ...flags, "--json"]);
}

/** The run directory of run `n` of a session. */
function runDirOf(rig: SessionRig, session: string, n: number): string {
  return join(rig.state, "exec", session, "runs", String(n));
}

/** The argv run `n` of a session was started with. */
async function argvOf(rig: SessionRig, session: string, n: number): Promise<string[]> {
  return JSON.parse(await Deno.readTextFile(join(runDirOf(rig, session, n), "spec.json"))).argv;
}

/** The pids a run recorded (the supervisor and Codex). */
async function pidsOf(
  rig: SessionRig,
  session: string,
  n: number,
): Promise<{ supervisor: number; codex: number }> {
  const proc = await waitFor("proc.json", async () => {
    try {
      return JSON.parse(await Deno.readTextFile(join(runDirOf(rig, session, n), "proc.json")));
    } catch {
      return null;
    }
  });
  return { supervisor: proc.supervisor.pid, codex: proc.codex.pid };
}

/** The error object of a failed call (its envelope checked against the v1 schema). */
function errorOf(r: { json: Json | undefined; stdout: string; stderr: string }): Json {
  assert.equal(r.json?.ok, false, `expected an error envelope:\n${r.stdout}\n${r.stderr}`);
  ErrorEnvelopeSchema.parse(r.json);
  return r.json!.error as Json;
}

/** The result of a call, its envelope and verdict checked against the v1 schema. */
function checked(r: { json: Json | undefined; stdout: string; stderr: string; code: number }): Json {
  const v = result(r as Parameters<typeof result>[0]);
  EnvelopeSchema.parse(r.json);
  VerdictSchema.parse(v);
  return v;
}

/** Waits until the session's current run has shown its turn started (the model was asked). */
async function turnStarted(rig: SessionRig, session: string, n = 1): Promise<void> {
  await waitFor("turn.started", async () => {
    try {
      return (await Deno.readTextFile(join(runDirOf(rig, session, n), "events.jsonl"))).includes(
        "turn.started",
      );
    } catch {
      return false;
    }
  });
}

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`exec session ${version}: a shell command writes a file under the default sandbox, --expect verifies it; send resumes the same thread`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const call = await startExec(
        rig,
        repo,
        "{{shell echo hi > out.txt}} {{done All done.}}",
        "--expect",
        "out.txt",
      );
      const r = checked(call);
      const session = call.json!.session as string;
      assert.equal(r.state, "completed", String(r.summary));
      assert.equal(r.reason, "marker_verified");
      assert.equal(
        await Deno.readTextFile(join(repo, "out.txt")),
        "hi\n",
        "written by Codex's sandboxed shell",
      );
      assert.match(r.final_message as string, /^All done\.\n\nCDX_DONE_[0-9A-F]{6}$/);
      const exec = r.exec as Json;
      assert.equal(exec.sandbox, "workspace-write");
      assert.equal(exec.unsandboxed, false);
      const argv = await argvOf(rig, session, 1);
      const at = (flag: string) => argv[argv.indexOf(flag) + 1];
      assert.equal(argv[1], "exec");
      assert.equal(at("-s"), "workspace-write");
      assert.equal(at("-c"), "approval_policy=never");
      assert.ok(argv.includes("--json"));
      assert.ok(!argv.includes("--ephemeral"), "never --ephemeral: the thread must be resumable");
      // status reads the same run: its final message whole, its process gone with exit 0
      const s = checked(await rig.cli(["status", "--session", session, "--json"]));
      assert.equal(s.state, "completed");
      assert.equal(s.final_message, r.final_message);
      const thread = (s.thread as Json | null)?.id;
      assert.match(String(thread), /^[0-9a-f-]{36}$/);
      assert.deepEqual((s.exec as Json).exit, { code: 0, signal: null });
      assert.equal((s.exec as Json).alive, false);
      // the follow-up is run 2 of the same session, on the same thread
      const f = checked(
        await rig.cli(["send", "--session", session, "--message", "{{done Again.}}", "--json"]),
      );
      assert.equal(f.state, "completed", String(f.summary));
      assert.equal(f.reason, "marker_verified");
      assert.match(f.final_message as string, /^Again\./);
      assert.equal((f.delivery as Json).delivered, true);
      const resumed = await argvOf(rig, session, 2);
      assert.deepEqual(resumed.slice(1, 3), ["exec", "resume"]);
      assert.equal(resumed[resumed.indexOf("--") + 1], thread, "exec resume <the same thread>");
      const s2 = result(await rig.cli(["status", "--session", session, "--json"]));
      assert.equal((s2.thread as Json).id, thread, "still the same thread");
      assert.equal((s2.exec as Json).run, 2);
      const audit = await Deno.readTextFile(join(rig.state, "logs", "audit.jsonl")).catch(() => "");
      assert.ok(!audit.includes('"sandbox"'), "a sandboxed run is not audited as unsandboxed");
      const end = result(await rig.cli(["end", "--session", session, "--json"]));
      assert.equal(end.pane_state, "already gone", "the run had exited");
      await assert.rejects(Deno.stat(join(rig.state, "exec", session)), "its state is cleaned");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: completed without the marker, a failed turn, and the usage limit named`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const start = (task: string) => startExec(rig, repo, task);
      const plain = result(await start("{{say Just words, no token.}}"));
      assert.equal(plain.state, "completed");
      assert.equal(plain.reason, "turn_complete");
      assert.equal(plain.marker_found, false);
      assert.equal(plain.final_message, "Just words, no token.");
      const failed = result(await start("{{fail}} go"));
      assert.equal(failed.state, "failed");
      assert.equal(failed.reason, "model_error", String(failed.summary));
      const limited = result(await start("{{limit}} go"));
      assert.equal(limited.state, "failed");
      assert.equal(limited.reason, "usage_limit");
      assert.match(String(limited.summary), /usage limit/i, "the summary names the limit");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: --no-wait then await; a send while the run works is refused (THREAD_BUSY, next_action await); watch --session streams it`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const t0 = Date.now();
      const r = await startExec(rig, repo, "{{pause 6}} {{done Waited.}}", "--no-wait");
      const started = checked(r);
      const session = r.json!.session as string;
      assert.match(session, /^cdx-[0-9a-f]+$/);
      assert.ok(Date.now() - t0 < 6000, "--no-wait returns before Codex's turn ends");
      assert.equal(started.state, "working");
      const monitor = started.monitor as Json;
      assert.match(
        String(monitor.command),
        /^codexctl watch --all --timeout \d+$/,
        "one Monitor for every session, headless ones too",
      );
      await turnStarted(rig, session);
      const busy = await rig.cli(["send", "--session", session, "--message", "and more", "--json"]);
      assert.equal(busy.code, 3);
      const err = errorOf(busy);
      assert.equal(err.code, "THREAD_BUSY");
      assert.equal((err.next_action as Json).command, `codexctl await --session ${session}`);
      assert.equal((err.next_action as Json).intent, "wait");
      await assert.rejects(Deno.stat(runDirOf(rig, session, 2)), "nothing was started");
      const watch = rig.cli(["watch", "--session", session, "--timeout", "60"]);
      const done = result(await rig.cli(["await", "--session", session, "--json"]));
      assert.equal(done.state, "completed", String(done.summary));
      assert.equal(done.reason, "marker_verified");
      assert.match(done.final_message as string, /^Waited\./);
      const lines = (await watch).lines;
      assert.ok(lines.length >= 1, "watch printed lines");
      const last = lines.at(-1)!.result as Json;
      assert.equal(last.event, "verdict", JSON.stringify(lines));
      assert.equal(last.state, "completed", JSON.stringify(lines));
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: Codex killed mid-turn is exited at the next status (within 2 s); sessions prunes it; end of a running run leaves no process`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const start = async (task: string) => {
        const r = await startExec(rig, repo, task, "--no-wait");
        result(r);
        return r.json!.session as string;
      };
      const killed = await start("{{pause 60}} {{done}} wait");
      await turnStarted(rig, killed);
      const pids = await pidsOf(rig, killed, 1);
      Deno.kill(pids.codex, "SIGKILL");
      const t = Date.now();
      const s = result(await rig.cli(["status", "--session", killed, "--json"]));
      const took = Date.now() - t;
      assert.equal(s.state, "exited", String(s.summary));
      assert.deepEqual((s.exec as Json).exit, { code: null, signal: "SIGKILL" });
      assert.ok(took <= 2000, `status said exited in ${took} ms`);
      const listed = result(await rig.cli(["sessions", "--json"]));
      const pruned = (listed.pruned as Json[]).find((p) => p.session === killed);
      assert.equal(pruned?.state, "exited");
      // a run that goes on until ended: Codex, the command it runs and the supervisor all go
      const token = `codexctl-end-${crypto.randomUUID().slice(0, 8)}`;
      const running = await start(
        `{{shell touch ${token}.started; sleep 60; echo ${token}}} {{done}} run it`,
      );
      // past its login shell's start-up (a shell killed there can leave the machine's dotfiles half run)
      await waitFor(
        "the command runs",
        () => Deno.stat(join(repo, `${token}.started`)).then(() => true, () => false),
      );
      assert.ok(processesWith(token).length > 0);
      const live = await pidsOf(rig, running, 1);
      assert.ok(procAlive(live.codex) && procAlive(live.supervisor));
      const ended = result(await rig.cli(["end", "--session", running, "--json"]));
      assert.equal(ended.pane_state, "closed");
      assert.match(String(ended.summary), /Codex stopped/);
      assert.equal(procAlive(live.codex), false, "Codex is gone");
      assert.equal(procAlive(live.supervisor), false, "the supervisor is gone");
      assert.deepEqual(processesWith(token), [], "the command Codex ran is gone");
      assert.deepEqual(processesWith(join(rig.state, "exec", running)), [], "nothing of the run is left");
      await assert.rejects(Deno.stat(join(rig.state, "exec", running)), "its state is cleaned");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: --output-schema — result.output parsed and checked against the schema`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const schema = join(repo, "..", `schema-${crypto.randomUUID().slice(0, 6)}.json`);
      await Deno.writeTextFile(
        schema,
        JSON.stringify({
          type: "object",
          properties: {
            summary: { type: "string" },
            passed: { type: "boolean" },
            count: { type: "integer" },
          },
          required: ["summary", "passed", "count"],
          additionalProperties: false,
        }),
      );
      const start = (task: string, file = schema) => startExec(rig, repo, task, "--output-schema", file);
      const good = checked(await start("{{structured}} report"));
      assert.equal(good.state, "completed", String(good.summary));
      assert.deepEqual(
        good.output,
        { summary: "mock", passed: true, count: 1 },
        "Codex sent the schema; the answer parsed",
      );
      assert.deepEqual(good.output_errors, []);
      const bad = result(await start("{{structured bad}} report"));
      assert.equal(bad.state, "completed");
      assert.equal(bad.reason, "output_invalid", String(bad.summary));
      assert.ok((bad.output_errors as string[]).length > 0);
      const broken = join(repo, "..", "broken.json");
      await Deno.writeTextFile(broken, "{ not json");
      const refused = await start("{{structured}}", broken);
      assert.equal(refused.code, 2);
      assert.equal(errorOf(refused).code, "BAD_SCHEMA");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: --ide-visible marks the thread for the IDE's list once the run ended; the thread still resumes`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      const install = await codexInstall(version);
      const listed = async () => {
        const server = await StdioAppServer.spawn({ codex: install.binary, cwd: repo, env: rig.env });
        try {
          const r = await server.request("thread/list", {});
          return ((r.result as Json)?.data as Json[] ?? []).map((t) => t.id);
        } finally {
          await server.close();
        }
      };
      const call = await startExec(rig, repo, "{{done Visible.}}", "--ide-visible");
      const r = result(call);
      const session = call.json!.session as string;
      assert.equal(r.state, "completed");
      assert.ok(
        (r.warnings as string[]).includes(IDE_VISIBLE_WARNING),
        "the result warns that Codex's file is edited",
      );
      const ide = await waitFor("ide.json", async () => {
        const s = result(await rig.cli(["status", "--session", session, "--json"]));
        return (s.exec as Json).ide_visible as Json | null;
      });
      assert.equal(ide.outcome, "marked", JSON.stringify(ide));
      const thread = ide.thread as string;
      const meta = JSON.parse((await Deno.readTextFile(ide.path as string)).split("\n")[0]);
      assert.equal(meta.payload.source, "vscode");
      assert.ok((await listed()).includes(thread), "the IDE's default thread list shows it");
      const f = result(
        await rig.cli(["send", "--session", session, "--message", "{{done Again.}}", "--json"]),
      );
      assert.equal(f.state, "completed", String(f.summary));
      assert.equal(
        (result(await rig.cli(["status", "--session", session, "--json"])).thread as Json).id,
        thread,
      );
      // without the flag, an exec thread stays out of the IDE's list (as Codex made it)
      const plain = await startExec(rig, repo, "{{done Hidden.}}");
      const hidden = (result(await rig.cli(["status", "--session", plain.json!.session as string, "--json"]))
        .thread as Json).id;
      assert.ok(!(await listed()).includes(hidden));
    } finally {
      await rig.close();
    }
  });

  Deno.test(`exec session ${version}: the caller killed right after start (waiting or --no-wait) — Codex runs on to completed`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await rig.repo();
      // a foreground start cut off while it waits (Claude Code's Bash time limit): its whole group killed
      const caller = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-q",
          "-P",
          `--config=${REPO_ROOT}/deno.json`,
          MAIN_TS,
          "start",
          "--via",
          "exec",
          "--cwd",
          repo,
          "--task",
          "{{pause 4}} {{done Survived.}}",
          "--json",
        ],
        env: { ...rig.env, NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
      const reader = caller.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let said = "";
      while (!/cdx-[0-9a-f]+/.test(said)) {
        const { value, done } = await reader.read();
        if (done) break;
        said += value;
      }
      const session = said.match(/cdx-[0-9a-f]+/)![0];
      Deno.kill(-caller.pid, "SIGKILL");
      await caller.status;
      reader.releaseLock();
      await caller.stdout.cancel().catch(() => {});
      await caller.stderr.cancel().catch(() => {});
      const done = result(await rig.cli(["await", "--session", session, "--json"]));
      assert.equal(done.state, "completed", String(done.summary));
      assert.match(done.final_message as string, /^Survived\./);
      // --no-wait from a shell that is killed at once, with its whole process group
      const shell = new Deno.Command("sh", {
        args: [
          "-c",
          `"$0" run -q -P --config="$1" "$2" start --via exec --cwd "$3" --task "{{pause 3}} {{done Still here.}}" --no-wait --json; sleep 60`,
          Deno.execPath(),
          `${REPO_ROOT}/deno.json`,
          MAIN_TS,
          repo,
        ],
        env: { ...rig.env, NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "null",
        detached: true,
      }).spawn();
      const out = shell.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await out.read();
        if (done) break;
        text += value;
      }
      Deno.kill(-shell.pid, "SIGKILL");
      await shell.status;
      out.releaseLock();
      await shell.stdout.cancel().catch(() => {});
      const second = JSON.parse(text).session as string;
      const done2 = result(await rig.cli(["await", "--session", second, "--json"]));
      assert.equal(done2.state, "completed", String(done2.summary));
      assert.match(done2.final_message as string, /^Still here\./);
    } finally {
      await rig.close();
    }
  });
}

Deno.test("exec session: danger-full-access only when asked, and audited; --worktree; -m and effort reach codex exec", async () => {
  const rig = await startRig();
  try {
    const repo = await rig.repo();
    const r = await startExec(
      rig,
      repo,
      "{{done Unsandboxed.}}",
      "--sandbox",
      "danger-full-access",
      "--model",
      "mock-model",
      "--effort",
      "high",
      "--worktree",
      "--slug",
      "exec-wt",
    );
    const v = result(r);
    const session = r.json!.session as string;
    assert.equal(v.state, "completed", String(v.summary));
    assert.equal((v.exec as Json).unsandboxed, true);
    assert.ok((v.warnings as string[]).some((w) => /without its sandbox/.test(w)));
    const argv = await argvOf(rig, session, 1);
    const at = (flag: string) => argv[argv.indexOf(flag) + 1];
    assert.equal(at("-s"), "danger-full-access");
    assert.equal(at("-m"), "mock-model");
    assert.ok(argv.includes('model_reasoning_effort="high"'));
    const worktree = v.worktree as Json;
    assert.equal(worktree.branch, "codex/exec-wt");
    assert.equal(
      JSON.parse(await Deno.readTextFile(join(runDirOf(rig, session, 1), "spec.json"))).cwd,
      worktree.path,
    );
    const audit = (await Deno.readTextFile(join(rig.state, "logs", "audit.jsonl"))).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    const entry = audit.find((a) => a.event === "sandbox");
    assert.equal(entry?.session, session);
    assert.equal(entry?.sandbox, "danger-full-access");
    assert.deepEqual(entry?.flags, ["--sandbox danger-full-access"]);
    assert.equal(entry?.actor, "caller");
    result(await rig.cli(["end", "--session", session, "--json"]));
  } finally {
    await rig.close();
  }
});

Deno.test("exec session: --marker is the token asked for, --timeout running out is working/timeout (the run goes on), a final message past 64 Ki whole in its file", async () => {
  const rig = await startRig();
  try {
    const repo = await rig.repo();
    const start = (task: string, ...flags: string[]) => startExec(rig, repo, task, ...flags);
    const marked = result(await start("{{done Marked.}}", "--marker", "MY_OWN_TOKEN_42"));
    assert.equal(marked.reason, "marker_verified", String(marked.summary));
    assert.equal(marked.final_message, "Marked.\n\nMY_OWN_TOKEN_42");
    // --timeout: the wait ends, the run does not
    const t0 = Date.now();
    const slow = await start("{{pause 8}} {{done Late.}}", "--timeout", "2");
    const waited = result(slow);
    assert.ok(Date.now() - t0 < 7000, "start returned at its timeout, before Codex finished");
    assert.deepEqual([waited.state, waited.reason], ["working", "timeout"]);
    const late = result(await rig.cli(["await", "--session", slow.json!.session as string, "--json"]));
    assert.equal(late.reason, "marker_verified", String(late.summary));
    // longer than the 64 Ki characters a verdict carries: the start of it there, all of it in the file
    const words = Array.from({ length: 12_000 }, (_, i) => `w${i}`).join(" ");
    assert.ok(words.length > 65_536);
    const long = result(await start(`{{say ${words}}}`));
    assert.equal(long.state, "completed", String(long.summary));
    assert.equal((long.final_message as string).length, 65_536);
    assert.ok(words.startsWith(long.final_message as string), "the verdict holds its first 64 Ki");
    const path = long.final_message_path as string;
    assert.match(path, /\/runs\/1\/last_message\.txt$/);
    assert.equal(await Deno.readTextFile(path), words, "the file holds the message whole");
    const short = result(await start("{{say Short.}}"));
    assert.equal(short.final_message_path, null, "a message that fits names no file");
  } finally {
    await rig.close();
  }
});

Deno.test("exec session: flags that do not fit a headless run are usage errors, before anything runs", async () => {
  const rig = await startRig();
  try {
    const repo = await rig.repo();
    const cases: [string[], string, RegExp][] = [
      [["--via", "exec", "--plan"], "BAD_FLAG", /--plan is for Codex in a pane/],
      [["--via", "exec", "--in", "tab"], "BAD_FLAG", /--in is for Codex in a pane/],
      [["--sandbox", "read-only"], "BAD_FLAG", /--sandbox is for headless runs only/],
      [["--output-schema", "x.json"], "BAD_FLAG", /--output-schema is for headless runs only/],
      [["--via", "exec", "--codex-arg=--ephemeral"], "BAD_FLAG", /must keep its rollout/],
      [
        ["--via", "exec", "--codex-arg=-s", "--codex-arg=read-only"],
        "BAD_FLAG",
        /give the sandbox with --sandbox/,
      ],
      [
        ["--via", "exec", "--sandbox", "none"],
        "BAD_ARGS",
        /read-only, workspace-write or danger-full-access/,
      ],
      [["--via", "exec", "--output-schema", "/nonexistent/schema.json"], "BAD_SCHEMA", /cannot be read/],
      [["--via", "exec", "--model", "a b"], "BAD_ARGS", /model name/],
    ];
    for (const [flags, code, message] of cases) {
      const r = await rig.cli(["start", "--cwd", repo, "--task", "t", ...flags, "--json"]);
      assert.equal(r.code, 2, `${flags.join(" ")}: ${r.stdout}`);
      const err = errorOf(r);
      assert.equal(err.code, code, flags.join(" "));
      assert.match(String(err.message), message, flags.join(" "));
    }
    assert.deepEqual(result(await rig.cli(["sessions", "--json"])).live, [], "no session was made");
  } finally {
    await rig.close();
  }
});
