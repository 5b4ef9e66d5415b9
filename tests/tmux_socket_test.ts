/**
 * A session in the user's own tmux server, on a non-default socket, looked at later from a shell
 * without $TMUX (issue 16, item 2) — real tmux, real Codex 0.169 against the mock model:
 * - the record names that server's socket, and status/sessions/end address it: the session is live,
 *   never exited/pane_gone, never pruned, and end closes Codex's pane;
 * - while that server cannot be reached (its socket moved away, the server and Codex still running):
 *   status is not exited (pane.alive null, the reason said), sessions does not prune, and end
 *   refuses (environment/TMUX_UNREACHABLE, exit 3) and keeps the session — Codex keeps running;
 *   end --force deletes the state and says the pane was not reached;
 * - with the server unreachable and Codex's own process gone, end knows the pane is gone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { result, type SessionRig, startRig } from "./support/session_rig.ts";
import { tmux } from "./support/tmux.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { denoDir } from "./support/deno_dir.ts";
import { pidAlive } from "../src/names.ts";

/** Starts a session from inside the user's tmux server (as Claude Code running in tmux would). */
async function startInside(rig: SessionRig, socket: string, name: string, task: string) {
  const repo = await rig.repo();
  const out = join(repo, "..", `${name}.json`);
  const env: Record<string, string> = { ...rig.env, DENO_DIR: await denoDir(), NO_COLOR: "1" };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const cmd = [
    Deno.execPath(),
    "run",
    "-q",
    "-P",
    `--config=${REPO_ROOT}/deno.json`,
    MAIN_TS,
    "start",
    "--task",
    task,
    "--via",
    "tmux",
    "--cwd",
    repo,
    "--timeout",
    "90",
    "--json",
  ];
  // the caller: a shell pane of the user's server, whose output goes to a file
  const shell = `${cmd.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ")} > '${out}' 2>&1; sleep 600`;
  // tmux gives a new process the PATH of the client that asks for it: ask with the rig's PATH
  const res = await tmuxWithPath(env.PATH, socket, [
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "200",
    "-y",
    "50",
    ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    "sh",
    "-c",
    shell,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const deadline = Date.now() + 150_000;
  for (;;) {
    const text = await Deno.readTextFile(out).catch(() => "");
    try {
      return JSON.parse(text) as { ok: boolean; session: string; result: Record<string, unknown> };
    } catch { /* not written yet */ }
    if (Date.now() > deadline) throw new Error(`start inside tmux wrote no envelope:\n${text}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function tmuxWithPath(path: string, socket: string, args: string[]) {
  const out = await new Deno.Command("tmux", {
    args: ["-S", socket, ...args],
    env: { PATH: path },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

function record(rig: SessionRig, session: string) {
  return JSON.parse(Deno.readTextFileSync(join(rig.state, "sessions", `${session}.json`)));
}

Deno.test("a session in the user's tmux (non-default socket) seen from a shell without $TMUX: live, never pruned, ended for real; an unreachable server is no proof of exit", async () => {
  const rig = await startRig();
  const dir = await Deno.makeTempDir({ prefix: "codexctl-usertmux-" });
  const socket = join(dir, "work.sock");
  try {
    const started = await startInside(rig, socket, "work", "{{question}} Which database?");
    assert.equal(started.ok, true, JSON.stringify(started));
    assert.equal(started.result.state, "awaiting_clarification", JSON.stringify(started).slice(0, 3000));
    const id = started.session;
    const rec = record(rig, id);
    assert.equal(
      await Deno.realPath(rec.pane.socket),
      await Deno.realPath(socket),
      "the user's server socket is recorded",
    );
    assert.match(rec.pane.pane_id, /^%\d+$/);
    assert.ok(rec.pane.pid > 0 && pidAlive(rec.pane.pid), "Codex's process is recorded");
    assert.equal(
      (started.result.pane as Record<string, unknown>).attach,
      null,
      "the user's own server shows it already",
    );

    // from a shell without $TMUX (the rig's environment has TMUX="")
    const status = result(await rig.cli(["status", "--session", id]));
    assert.equal(status.state, "awaiting_clarification", JSON.stringify(status));
    assert.equal((status.pane as Record<string, unknown>).alive, true);
    const listed = result(await rig.cli(["sessions"]));
    assert.deepEqual((listed.live as { session: string }[]).map((s) => s.session), [id]);
    assert.deepEqual(listed.pruned, []);

    // the server is running but cannot be reached at its recorded socket
    await Deno.rename(socket, socket + ".away");
    const blind = result(await rig.cli(["status", "--session", id]));
    assert.notEqual(blind.state, "exited", JSON.stringify(blind));
    assert.equal(blind.state, "awaiting_clarification", "the rollout still decides");
    const pane = blind.pane as Record<string, unknown>;
    assert.equal(pane.alive, null);
    assert.match(String(pane.unreachable), new RegExp(`^the tmux server at ${socket}: `));
    const blindList = result(await rig.cli(["sessions"]));
    assert.deepEqual((blindList.live as { session: string }[]).map((s) => s.session), [id], "not pruned");
    const refused = await rig.cli(["end", "--session", id]);
    assert.equal(refused.code, 3, refused.stdout);
    const err = refused.json!.error as Record<string, string>;
    assert.equal(err.code, "TMUX_UNREACHABLE");
    assert.match(
      err.message,
      new RegExp(`Codex \\(pid ${rec.pane.pid}\\) still runs there, so nothing was closed`),
    );
    assert.ok(Deno.statSync(join(rig.state, "sessions", `${id}.json`)).isFile, "the session is kept");
    assert.throws(
      () => Deno.statSync(join(rig.state, "ended", `${id}.json`)),
      Deno.errors.NotFound,
      "the ended record written before the pane was tried is taken back",
    );
    assert.ok(pidAlive(rec.pane.pid), "Codex still runs");

    // reachable again: end closes Codex's pane for real
    await Deno.rename(socket + ".away", socket);
    const ended = result(await rig.cli(["end", "--session", id]));
    assert.match(String(ended.summary), /pane closed/);
    const panes = await tmux(socket, ["list-panes", "-a", "-F", "#{pane_id}"]);
    assert.ok(!panes.stdout.split("\n").includes(rec.pane.pane_id), "Codex's pane is gone");
    for (let i = 0; i < 50 && pidAlive(rec.pane.pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!pidAlive(rec.pane.pid), "Codex exited with its pane");
    const tomb = JSON.parse(Deno.readTextFileSync(join(rig.state, "ended", `${id}.json`)));
    assert.deepEqual(
      [tomb.by, tomb.final.state],
      ["end", "awaiting_clarification"],
      "the verdict it ended on",
    );
    const after = result(await rig.cli(["status", "--session", id]));
    assert.match(String(after.summary), new RegExp(`^Session ${id} ended by codexctl end at `));

    // unreachable with Codex gone (its process is the proof): end cleans up; --force for the rest
    const second = await startInside(rig, socket, "work2", "{{question}} Which cache?");
    const rec2 = record(rig, second.session);
    const third = await startInside(rig, socket, "work3", "{{question}} Which queue?");
    const rec3 = record(rig, third.session);
    await Deno.rename(socket, socket + ".away");
    Deno.kill(rec2.pane.pid, "SIGKILL");
    // a loaded machine may take a while to reap it (tmux's SIGCHLD): wait up to 20 s, then say so
    for (let i = 0; i < 200 && pidAlive(rec2.pane.pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!pidAlive(rec2.pane.pid), "the killed Codex is gone before end is asked");
    const gone = result(await rig.cli(["end", "--session", second.session]));
    assert.match(String(gone.summary), /pane already gone/);
    const forced = result(await rig.cli(["end", "--session", third.session, "--force"]));
    assert.match(String(forced.summary), /pane not reached \(left as it is; Codex may still run there\)/);
    assert.ok(pidAlive(rec3.pane.pid), "--force did not pretend to stop Codex");
    await Deno.rename(socket + ".away", socket);
  } finally {
    await tmux(socket, ["kill-server"]).catch(() => {});
    await tmux(socket + ".away", ["kill-server"]).catch(() => {});
    await rig.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
