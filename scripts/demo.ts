/**
 * `deno task demo`: the offline demo. Starts the bundled mock model on loopback, runs a real Codex
 * (the pinned 0.169.0 from npm) on a small task in a scratch git repository, and prints what
 * happened: the live event stream, the file Codex created, the rollout Codex wrote and what Codex
 * sent the model. Nothing leaves the machine.
 *
 * @module
 */
import { join } from "node:path";
import { CODEX_VERSIONS, codexInstall } from "../tests/support/codex_bin.ts";
import { makeCodexHome } from "../tests/support/codex_home.ts";
import { findRollout } from "../tests/support/codex_exec.ts";
import { MockModel } from "../tests/support/mock_model.ts";
import { newMarker, wrapTask } from "../src/codex/prompt.ts";
import { rolloutShape } from "../tests/support/shape.ts";
import { spawnCli } from "../tests/support/cli_stream.ts";
import { runExec } from "../tests/support/codex_exec.ts";

const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = "") => console.log(s);

say(bold("codexctl demo — a real Codex CLI, fully offline, against the bundled mock model"));
say();
say(dim(`• getting Codex ${CODEX_VERSIONS.current} (installed from npm into .cache/ on first run)…`));
const install = await codexInstall(CODEX_VERSIONS.current);
const mock = await MockModel.start();
say(dim(`• mock Responses API listening on ${mock.baseUrl}`));
const work = await Deno.makeTempDir({ prefix: "codexctl-demo-" });
const repo = join(work, "repo");
await Deno.mkdir(repo);
await new Deno.Command("git", { args: ["init", "-q", "-b", "main", repo] }).output();
const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo], parent: work });
say(dim(`• scratch repository ${repo}, private CODEX_HOME ${home.dir}`));

const marker = newMarker();
const task = wrapTask(
  "{{shell printf 'hello from codex\\n' > hello.txt}} {{done Created hello.txt.}} Create hello.txt.",
  marker,
);
say();
say(bold("task sent to Codex:"));
say(`  ${task}`);
say(dim("  ({{…}} are directives the mock model follows; the rest is codexctl's marker contract)"));
say();
say(bold("codex exec --json, live:"));

let exitCode = 1;
let threadId: string | null = null;
try {
  const child = new Deno.Command(install.binary, {
    args: ["exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write", task],
    cwd: repo,
    env: home.env(install),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      const item = event.item as Record<string, unknown> | undefined;
      if (event.type === "thread.started") {
        threadId = String(event.thread_id);
        say(`  thread started      ${threadId}`);
      } else if (event.type === "turn.started") say("  turn started");
      else if (event.type === "item.started" && item?.type === "command_execution") {
        say(`  running             ${item.command}`);
      } else if (event.type === "item.completed" && item?.type === "command_execution") {
        say(`  command finished    exit ${item.exit_code}`);
      } else if (event.type === "item.completed" && item?.type === "agent_message") {
        say("  agent message:");
        for (const l of String(item.text).split("\n")) say(`    │ ${l}`);
      } else if (event.type === "turn.completed") say(`  turn completed      ${JSON.stringify(event.usage)}`);
      else if (event.type === "turn.failed") say(`  turn FAILED         ${JSON.stringify(event.error)}`);
    }
  }
  exitCode = (await child.status).code;
  say(`  codex exited        ${exitCode}`);
  say();

  const created = await Deno.readTextFile(join(repo, "hello.txt")).catch(() => null);
  say(bold("what happened:"));
  say(`  hello.txt           ${created === null ? "MISSING" : JSON.stringify(created)}`);
  const rollout = threadId ? await findRollout(home.dir, threadId) : null;
  if (rollout) {
    const text = await Deno.readTextFile(rollout);
    const lines = text.split("\n").filter(Boolean).length;
    say(`  rollout             ${rollout.replace(home.dir, "$CODEX_HOME")} (${lines} lines)`);
    say(`  rollout events      ${rolloutShape(text).join(" → ")}`);
    const lastLine = text.trim().split("\n").at(-1)!;
    const marked = text.includes(`\\n\\n${marker}`);
    say(
      `  turn ended with     ${JSON.parse(lastLine).payload?.type}; marker ${marker} ${
        marked ? "printed" : "NOT printed"
      }`,
    );
  }
  say(
    `  model requests      ${mock.requests.length} (${
      mock.requests.map((r) => r.reply.split(":")[0]).join(", ")
    })`,
  );
  say(`  tools Codex offered ${mock.requests[0]?.tools.join(", ")}`);
  if (created === null) exitCode = 1;

  if (threadId) {
    say();
    say(bold(`codexctl watch --thread ${threadId} --until completed  (the thread has finished):`));
    const state = join(work, "codexctl-state");
    const watchArgs = [
      "watch",
      "--thread",
      threadId,
      "--until",
      "completed",
      "--timeout",
      "120",
      "--min-interval",
      "0",
    ];
    const watchEnv = { CODEX_HOME: home.dir, CODEXCTL_HOME: state };
    const show = (line: string) => {
      const r = JSON.parse(line).result;
      say(
        `  ${String(r.event).padEnd(16)} ${`${r.state}/${r.reason}`.padEnd(34)} ${
          r.summary.replace(/\s+/g, " ").slice(0, 90)
        }`,
      );
      return r;
    };
    // a new watch of a finished thread: its snapshot, then it says the thread is already there
    const first = spawnCli(watchArgs, watchEnv);
    for (const line of await first.lines.rest(60_000)) show(line);
    await first.exit();
    say();
    say(bold("the same watch again (it continues from its saved cursor) while Codex resumes the thread:"));
    const watch = spawnCli(watchArgs, watchEnv);
    const second = runExec(
      install,
      home,
      wrapTask("{{pause 2}} {{shell wc -c hello.txt}} {{done Counted the bytes of hello.txt.}}", marker),
      { cwd: repo, resumeId: threadId },
    );
    for (;;) {
      const line = await watch.lines.next(90_000);
      if (line === null || show(line).event === "ended") break;
    }
    await watch.exit();
    const resumed = await second;
    say(
      dim(
        `  (codex exec resume exited ${resumed.code}; every line above is at most 500 characters, ready for Claude Code's Monitor tool)`,
      ),
    );
    const status = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "-P",
        join(import.meta.dirname!, "..", "src", "main.ts"),
        "status",
        "--thread",
        threadId,
      ],
      env: { CODEX_HOME: home.dir, CODEXCTL_HOME: state, NO_COLOR: "1" },
      stdout: "piped",
    }).output();
    const verdict = JSON.parse(new TextDecoder().decode(status.stdout)).result;
    say();
    say(bold("codexctl status --thread …:"));
    say(`  ${verdict.state}/${verdict.reason} — ${verdict.summary}`);
    say(
      `  turns ${verdict.rollout.turn_count}, model ${verdict.thread.model}, context ${verdict.thread.context_pct}%, next: ${verdict.next_action.intent}`,
    );
    if (resumed.code !== 0 || verdict.reason !== "marker_verified") exitCode = 1;
  }

  // the pane driver: the interactive Codex TUI in tmux, start → question → reply → completed → end
  say();
  say(bold("the pane driver: Codex's interactive TUI in a (private) tmux server"));
  const state = join(work, "codexctl-state");
  const env = { ...home.env(install), CODEXCTL_HOME: state, TMUX: "", TMUX_PANE: "" };
  const codexctl = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "-P", join(import.meta.dirname!, "..", "src", "main.ts"), ...args],
      env: { ...env, NO_COLOR: "1" },
      stdout: "piped",
    }).output();
    const envelope = JSON.parse(new TextDecoder().decode(out.stdout));
    const r = envelope.result ?? {};
    say(`  $ codexctl ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
    if (!envelope.ok) say(`    error ${envelope.error.code}: ${envelope.error.message}`);
    else {
      say(`    ${r.state}/${r.reason} — ${String(r.summary).slice(0, 110)}`);
      if (r.next_action?.command) say(dim(`    next: ${r.next_action.command}`));
    }
    return envelope;
  };
  const started = await codexctl(
    "start",
    "--task",
    "{{question}} Add a cache layer to the service.",
    "--via",
    "tmux",
    "--cwd",
    repo,
    "--slug",
    "cache-layer",
  );
  const session = started.session;
  const replied = await codexctl("reply", "--session", session, "--text", "Use SQLite");
  await codexctl("end", "--session", session);
  if (started.result?.reason !== "free_text_question" || replied.result?.reason !== "marker_verified") {
    exitCode = 1;
  }
  await new Deno.Command("tmux", {
    args: ["-S", join(state, "tmux", "codexctl.sock"), "kill-server"],
    stderr: "null",
  }).output().catch(() => {});

  // the headless driver: a detached codex exec, --no-wait → await → a follow-up on the same thread → end
  say();
  say(bold("the headless driver: a detached codex exec (start --via exec), no terminal needed"));
  const headless = await codexctl(
    "start",
    "--via",
    "exec",
    "--task",
    "{{pause 1}} {{shell ls}} List the repository.",
    "--cwd",
    repo,
    "--slug",
    "list",
    "--no-wait",
  );
  const hs = headless.session;
  const awaited = await codexctl("await", "--session", hs);
  say(`    final_message: ${JSON.stringify(String(awaited.result?.final_message ?? "").split("\n")[0])}`);
  const followed = await codexctl("send", "--session", hs, "--message", "{{done Checked it again.}}");
  const seen = await codexctl("status", "--session", hs);
  say(
    dim(
      `    run ${seen.result?.exec?.run} on thread ${seen.result?.thread?.id} (codex exec resume), exit ${
        JSON.stringify(seen.result?.exec?.exit)
      }`,
    ),
  );
  await codexctl("end", "--session", hs);
  if (awaited.result?.reason !== "marker_verified" || followed.result?.reason !== "marker_verified") {
    exitCode = 1;
  }
} finally {
  await mock.close();
  await home.cleanup();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
Deno.exit(exitCode);
