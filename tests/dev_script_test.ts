/**
 * `scripts/dev`, the way a person uses it: `scripts/dev codexctl …` runs in the caller's directory
 * (not the checkout), tasks print no "Task …" banner into a pipe (and do at a terminal), and
 * `scripts/dev try` starts the mock model, writes a CODEX_HOME and prints export lines with which a
 * real Codex is driven by hand through bin/codexctl — then stops cleanly on Ctrl-C.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pidsMentioning } from "./support/codex_home.ts";
import { denoDir } from "./support/deno_dir.ts";
import { REPO_ROOT } from "./support/paths.ts";

const DEV = join(REPO_ROOT, "scripts", "dev");

async function dev(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(DEV, {
    args,
    cwd,
    env: { DENO_DIR: await denoDir(), NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("scripts/dev codexctl keeps the caller's directory (threads --cwd ., start's default --cwd)", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codexctl-dev-cwd-" }));
  try {
    const res = await dev(["codexctl", "threads", "--cwd", ".", "--json"], dir, {
      CODEX_HOME: join(dir, "codex-home"),
    });
    assert.equal(res.code, 0, res.stderr);
    const result = JSON.parse(res.stdout).result;
    assert.equal(result.cwd, dir, "--cwd . is the caller's directory, not the checkout");
    // start resolves its default --cwd from the same process cwd: a directory that vanished
    // under the caller is reported as the caller's, never silently replaced by the checkout
    const start = await dev(
      ["codexctl", "start", "--task", "x", "--via", "tmux", "--cwd", "./nope", "--json"],
      dir,
      {
        CODEXCTL_HOME: join(dir, "state"),
      },
    );
    assert.equal(start.code, 2, start.stdout + start.stderr);
    assert.match(JSON.parse(start.stdout).error.message, /--cwd \.\/nope is not a directory/);
    assert.ok(!(await Deno.stat(join(REPO_ROOT, "nope")).then(() => true, () => false)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scripts/dev prints no task banner into a pipe (and does at a terminal)", async () => {
  const piped = await dev(["fmt", "--check", "deno.json"], "/");
  assert.equal(piped.code, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr + piped.stdout, /Task fmt/);
  // at a terminal (script(1) gives the task a pty) the banner is deno's usual one
  const hasScript = await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false);
  if (!hasScript) return;
  const tty = await new Deno.Command("script", {
    args: ["-qec", `${DEV} fmt --check deno.json`, "/dev/null"],
    env: { DENO_DIR: await denoDir(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.match(new TextDecoder().decode(tty.stdout), /Task fmt/);
});

Deno.test("scripts/dev try: mock model + CODEX_HOME + export lines drive a real Codex by hand through bin/codexctl; Ctrl-C stops it", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codexctl-try-" }));
  const child = new Deno.Command(DEV, {
    args: ["try", "--dir", dir],
    cwd: dir,
    env: { DENO_DIR: await denoDir() },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let errText = "";
  const drainErr = (async () => {
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) return;
      errText += value;
    }
  })();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let script = "";
  const state = join(dir, "codexctl-state");
  try {
    while (!script.includes("What Codex sent the mock")) {
      const { value, done } = await stdout.read();
      if (done) throw new Error(`try ended early:\n${script}\n${errText}`);
      script += value;
    }
    assert.match(script, new RegExp(`^export CODEX_HOME=${join(dir, "codex-home")}$`, "m"));
    assert.match(script, new RegExp(`^export CODEXCTL_HOME=${state}$`, "m"));
    assert.match(script, new RegExp(`^export PATH=${join(REPO_ROOT, "bin")}:.*:"\\$PATH"$`, "m"));
    await Deno.writeTextFile(join(dir, "try.env"), script);
    // a person's shell: paste the lines, then drive Codex (outside any tmux: the private server)
    const shell = await new Deno.Command("bash", {
      args: [
        "-c",
        `unset TMUX; source ${dir}/try.env && codexctl doctor --check codex --json && ` +
        `codexctl start --task "{{done Said hello.}} Say hello" --timeout 120 --json`,
      ],
      env: { DENO_DIR: await denoDir() },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(shell.stdout);
    assert.equal(shell.code, 0, out + new TextDecoder().decode(shell.stderr));
    const [doctor, start] = out.split(/\n(?=\{)/).map((t) => JSON.parse(t));
    assert.equal(doctor.result.checks[0].status, "ok", JSON.stringify(doctor));
    assert.match(doctor.result.checks[0].details.version, /^0\.169\.0/);
    assert.equal(start.ok, true, JSON.stringify(start));
    assert.deepEqual([start.result.state, start.result.reason], ["completed", "marker_verified"]);
    assert.equal(
      start.result.pane.cwd,
      join(dir, "scratch"),
      "the exports' cd: the trusted scratch repository",
    );
    // done, with Codex's pane still open: the next command is end
    assert.deepEqual(
      [start.result.next_action.intent, start.result.next_action.command],
      ["end", `codexctl end --session ${start.session}`],
    );
    // outside tmux the pane is on codexctl's private server: the result says how to see it
    const socket = join(state, "tmux", "codexctl.sock");
    const attach = String(start.result.pane.attach).match(/^tmux -S (\S+) attach -t (%\d+)$/);
    assert.ok(attach, String(start.result.pane.attach));
    assert.equal(attach[1], socket);
    const shown = await new Deno.Command("tmux", {
      args: ["-S", socket, "display", "-p", "-t", attach[2], "#{pane_id}"],
      stdout: "piped",
    }).output();
    assert.equal(
      new TextDecoder().decode(shown.stdout).trim(),
      attach[2],
      "the attach target is the Codex pane",
    );
    const end = await new Deno.Command("bash", {
      args: ["-c", `source ${dir}/try.env && codexctl end --session ${start.session} --json`],
      env: { DENO_DIR: await denoDir() },
      stdout: "piped",
    }).output();
    assert.equal(JSON.parse(new TextDecoder().decode(end.stdout)).result.state, "ended");
  } finally {
    child.kill("SIGINT");
    const status = await child.status;
    await drainErr;
    await stdout.cancel().catch(() => {});
    await new Deno.Command("tmux", {
      args: ["-S", join(state, "tmux", "codexctl.sock"), "kill-server"],
      stderr: "null",
    })
      .output().catch(() => {});
    assert.equal(status.code, 0, errText);
    assert.match(errText, /try: stopped/);
    assert.deepEqual(await pidsMentioning(join(dir, "codex-home")), [], "no Codex of that home is left");
    await Deno.remove(dir, { recursive: true });
  }
});
