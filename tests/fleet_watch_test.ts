/**
 * `codexctl watch --all` against real Codex (0.169, mock model): two pane sessions (the TUI in
 * tmux, started with `start --no-wait`), one headless session (`start --via exec --no-wait`: a
 * detached `codex exec` under codexctl's supervisor), one followed thread
 * (another `codex exec`), and a pane session started after the watch began. Also `start --no-wait`'s
 * `result.monitor`: one shape while the session lives, armed only when no `watch --all` runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { codexInstall } from "./support/codex_bin.ts";
import { hasScript, painted, runAtTerminal, runCli, stripColour } from "./support/cli.ts";
import { findRollout } from "./support/codex_exec.ts";
import { result, type SessionRig, startRig } from "./support/session_rig.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { denoDir } from "./support/deno_dir.ts";
import { EnvelopeSchema, type FleetEvent, FleetEventSchema } from "../src/envelope.ts";
import { newMarker, wrapTask } from "../src/codex/prompt.ts";
import type { SessionRow } from "../src/cli/sessions.ts";

const OWNER = "9c2d4e6f-0000-4000-8000-00000000f1ee";

/** A detached `codex exec` on `task` (wrapped with a marker); resolves once its rollout exists. */
async function execRun(
  rig: SessionRig,
  cwd: string,
  task: string,
): Promise<{ pid: number; thread: string; rollout: string; marker: string; child: Deno.ChildProcess }> {
  const install = await codexInstall("0.169.0");
  const marker = newMarker();
  const child = new Deno.Command(install.binary, {
    args: ["exec", "--json", "--skip-git-repo-check", wrapTask(task, marker)],
    cwd,
    env: rig.home.env(install),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  let thread: string | null = null;
  while (!thread) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`codex exec ended before thread.started:\n${text}`);
    text += new TextDecoder().decode(value);
    thread = text.match(/"thread_id":"([0-9a-f-]{36})"/)?.[1] ?? null;
  }
  // keep draining so codex never blocks on a full pipe
  (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();
  let rollout: string | null = null;
  for (let i = 0; i < 100 && !rollout; i++) {
    rollout = await findRollout(rig.home.dir, thread);
    if (!rollout) await new Promise((r) => setTimeout(r, 100));
  }
  if (!rollout) throw new Error(`no rollout for ${thread}`);
  return { pid: child.pid, thread, rollout, marker, child };
}

/** A running `codexctl watch …` whose JSON lines are collected as they come. */
function stream(rig: SessionRig, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, ...args],
    env: { ...rig.env, CODEXCTL_OWNER: OWNER, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const done = (async () => {
    let rest = "";
    for await (const chunk of child.stdout) {
      rest += new TextDecoder().decode(chunk);
      const parts = rest.split("\n");
      rest = parts.pop()!;
      lines.push(...parts.filter(Boolean));
    }
    if (rest) lines.push(rest);
  })();
  return {
    child,
    lines,
    async until(what: string, test: (events: FleetEvent[]) => boolean, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (test(lines.map(parse))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; lines:\n${lines.join("\n")}`);
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* ended */ }
      await child.status;
      await done;
      await child.stderr.cancel().catch(() => {});
    },
  };
}

function parse(line: string): FleetEvent {
  const env = EnvelopeSchema.parse(JSON.parse(line));
  assert.ok(env.ok);
  return FleetEventSchema.parse(env.result);
}

/** Every (target label-or-id, state) a line tells, with the line's event. */
function told(events: FleetEvent[]): { id: string; state: string | null; event: string }[] {
  const out: { id: string; state: string | null; event: string }[] = [];
  for (const e of events) {
    for (const t of e.target ? [e.target] : e.targets ?? []) {
      out.push({ id: t.session ?? t.thread!, state: t.state, event: e.event });
    }
  }
  return out;
}

Deno.test("watch --all --mine: two pane sessions, a headless one and a followed thread in one stream; a session started later is picked up; each change once; start --no-wait's monitor", async () => {
  const rig = await startRig("0.169.0", { CODEXCTL_OWNER: OWNER, CODEXCTL_HOOK_PID_CHECK_SEC: "1" });
  const execs: Deno.ChildProcess[] = [];
  let watch: ReturnType<typeof stream> | null = null;
  try {
    const repo = await rig.repo();
    const start = async (task: string, slug: string, via = "tmux") => {
      const out = result(
        await rig.cli(["start", "--task", task, "--slug", slug, "--via", via, "--no-wait", "--cwd", repo]),
      );
      return out;
    };
    const a = await start("{{pause 25}} {{done}}", "alpha");
    const b = await start("{{pause 27}} {{question}}", "beta");
    // one shape: a working session carries the monitor to arm (watch --all for this conversation)
    for (const r of [a, b]) {
      assert.equal(r.state, "working");
      assert.deepEqual(r.monitor, {
        command: "codexctl watch --all --mine --timeout 1740",
        description: "codex: changes of this conversation's Codex sessions",
        timeout_ms: 1_800_000,
        arm: true,
        running: null,
      });
      assert.deepEqual(r.next_action, {
        intent: "monitor",
        command: "codexctl watch --all --mine --timeout 1740",
        why: "arm Claude Code's Monitor tool with this command: one line per change of every session",
      });
    }
    // an instant first verdict (the folder-trust dialog, before any turn) carries the monitor too
    const untrusted = await rig.repo({ untrusted: true });
    const trustRun = await rig.cli([
      "start",
      "--task",
      "{{done}}",
      "--slug",
      "trusty",
      "--via",
      "tmux",
      "--no-wait",
      "--cwd",
      untrusted,
    ]);
    const trust = result(trustRun);
    assert.equal(`${trust.state}/${trust.reason}`, "awaiting_approval/trust_dialog");
    assert.equal((trust.monitor as { arm: boolean }).arm, true);
    assert.match(
      String((trust.next_action as { command: string }).command),
      /reply --session cdx-[0-9a-f]+ --choice 1/,
    );
    assert.equal((await rig.cli(["end", "--session", String(trustRun.json?.session)])).code, 0);
    // the headless session: start --via exec (a detached codex exec under codexctl's supervisor)
    const h = await start("{{pause 26}} {{done}}", "headless", "exec");
    assert.equal(h.state, "working");
    assert.equal((h.monitor as { arm: boolean }).arm, true);
    // a thread this conversation follows (Codex started elsewhere)
    const followed = await execRun(rig, repo, "{{pause 28}} {{say the followed thread is done}}");
    execs.push(followed.child);
    const follow = await rig.cli(["follow", "--thread", followed.thread], { CODEXCTL_OWNER: OWNER });
    assert.equal(follow.code, 0, follow.stderr);

    watch = stream(rig, ["watch", "--all", "--mine", "--timeout", "150", "--min-interval", "0.2"]);
    await watch.until("the snapshot", (ev) => ev.length >= 1);
    const snap = parse(watch.lines[0]);
    assert.equal(snap.event, "snapshot");
    assert.deepEqual(snap.counts, { sessions: 3, threads: 1, working: 4 });

    // started after the watch: picked up; and start --no-wait now says a watch runs (arm: false)
    const d = await start("{{pause 6}} {{done}}", "delta");
    const m = d.monitor as { arm: boolean; running: { pid: number; command: string | null } | null };
    assert.equal(m.arm, false);
    assert.equal(m.running?.pid, watch.child.pid);
    assert.equal(m.running?.command, "codexctl watch --all --mine");
    assert.deepEqual(d.next_action, {
      intent: "wait",
      command: null,
      why: `a codexctl watch --all (pid ${watch.child.pid}) already streams this session's changes`,
    });

    const finals = (ev: FleetEvent[]) => {
      const t = told(ev);
      const has = (label: RegExp, state: string) =>
        ev.some((e) =>
          [...(e.target ? [e.target] : e.targets ?? [])].some((x) => label.test(x.label) && x.state === state)
        );
      return has(/alpha/, "completed") && has(/beta/, "awaiting_clarification") &&
        has(/headless/, "completed") &&
        has(/delta/, "completed") && t.some((x) => x.id === followed.thread && x.state === "completed");
    };
    await watch.until("every target's change", finals, 150_000);
    const events = watch.lines.map(parse);
    assert.ok(
      events.some((e) => e.event === "added" && /delta/.test(e.target?.label ?? "")),
      "delta picked up",
    );
    // each change appears once
    const t = told(events).filter((x) => x.state !== "working");
    const keys = t.map((x) => `${x.id} ${x.state}`);
    assert.deepEqual(keys, [...new Set(keys)], `a change was told twice:\n${watch.lines.join("\n")}`);
    for (const line of watch.lines) assert.ok(line.length <= 500, `${line.length}: ${line}`);
    const beta = events.flatMap((e) => e.target ? [e.target] : e.targets ?? []).find((x) =>
      /beta/.test(x.label) && x.state === "awaiting_clarification"
    )!;
    assert.match(beta.next ?? "", /^codexctl reply --session cdx-[0-9a-f]+ --text "<answer>"$/);
    // the headless session's line names its thread as soon as the run's stream does
    const headless = events.flatMap((e) => e.target ? [e.target] : e.targets ?? []).find((x) =>
      /headless/.test(x.label) && x.state === "completed"
    )!;
    assert.match(headless.thread ?? "", /^[0-9a-f-]{36}$/, JSON.stringify(headless));

    // sessions lists the same sessions: JSON when piped (slug, age's start, the next command) …
    const listed = result(await rig.cli(["sessions", "--mine"])) as { live: SessionRow[] };
    const row = (slug: string) => listed.live.find((r) => r.slug === slug);
    assert.equal(row("beta")?.state, "awaiting_clarification");
    assert.equal(row("beta")?.next, beta.next);
    assert.equal(row("alpha")?.state, "completed");
    assert.match(row("alpha")?.next ?? "", /^codexctl end --session cdx-[0-9a-f]+$/);
    assert.ok(Date.now() - Date.parse(row("alpha")!.created) < 600_000);
    // … and a table at a terminal: coloured state, age, slug, cwd, next command, within 120 columns
    if (await hasScript()) {
      const table = await runAtTerminal(
        ["sessions", "--mine"],
        { ...rig.env, CODEXCTL_OWNER: OWNER, NO_COLOR: "" },
        120,
      );
      const plain = stripColour(table);
      for (const l of plain.trimEnd().split("\n")) assert.ok(l.length <= 120, `${l.length}: ${l}`);
      assert.match(
        plain,
        new RegExp(
          `\\n  ${beta.session} +awaiting_clarification/free_text_question +\\d+[sm]  beta +tmux +\\S+\\n`,
        ),
        plain,
      );
      assert.ok(plain.includes(`└ next: ${beta.next}`), plain);
      assert.ok(table.includes(painted(33, "awaiting_clarification/free_text_question")), table);
      const noColour = await runAtTerminal(["sessions", "--mine"], {
        ...rig.env,
        CODEXCTL_OWNER: OWNER,
        NO_COLOR: "1",
      }, 120);
      assert.equal(stripColour(noColour), noColour);
    }

    // ended sessions are dropped
    await rig.cli(["end", "--session", beta.session!]);
    await watch.until(
      "beta dropped",
      (ev) => ev.some((e) => e.event === "dropped" && /beta/.test(e.target?.label ?? "")),
      30_000,
    );
    await watch.stop();
    watch = null;

    // told once across paths: the hooks of this conversation have nothing left to say
    const hook = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, "hook", "post-tool-use"],
      env: { ...rig.env, DENO_DIR: await denoDir() },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const w = hook.stdin.getWriter();
    await w.write(
      new TextEncoder().encode(JSON.stringify({ session_id: OWNER, hook_event_name: "PostToolUse" })),
    );
    await w.close();
    const hookOut = new TextDecoder().decode((await hook.output()).stdout);
    assert.doesNotMatch(hookOut, /is (completed|awaiting_clarification)/, hookOut);

    // a re-armed watch repeats nothing: only its snapshot
    const again = stream(rig, ["watch", "--all", "--mine", "--timeout", "3"]);
    await again.child.status;
    await again.stop();
    const rearmed = again.lines.map(parse);
    assert.deepEqual(rearmed.map((e) => e.event), ["snapshot", "ended"], again.lines.join("\n"));
    assert.match(rearmed[1].summary, /re-arm with codexctl watch --all --mine/);
  } finally {
    await watch?.stop();
    for (const c of execs) {
      try {
        c.kill("SIGKILL");
      } catch { /* ended */ }
      await c.status.catch(() => {});
    }
    await rig.close();
  }
});

Deno.test("watch --all: --mine needs an owner, --all takes no --session/--thread, --mine needs --all, --timeout 0 is for --all only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-fleet-flags-" });
  try {
    const env = {
      CODEXCTL_HOME: join(dir, "state"),
      HOME: dir,
      CLAUDE_CODE_SESSION_ID: "",
      CODEXCTL_OWNER: "",
    };
    const cases: [string[], string][] = [
      [["watch", "--all", "--mine"], "NO_OWNER"],
      [["watch", "--all", "--session", "cdx-1a2b"], "NO_TARGET"],
      [["watch", "--mine", "--session", "cdx-1a2b"], "BAD_FLAG"],
      [["watch", "--session", "cdx-1a2b", "--timeout", "0"], "BAD_FLAG"],
      [["watch", "--all", "--timeout", "soon"], "BAD_ARGS"],
    ];
    for (const [args, code] of cases) {
      const out = await runCli(args, { env });
      assert.equal(out.code, 2, `${args.join(" ")}: ${out.stdout}`);
      assert.equal((out.json?.error as { code: string }).code, code, args.join(" "));
    }
    // no sessions at all: a snapshot that says so, then the ended line naming the re-arm command
    const out = await runCli(["watch", "--all", "--timeout", "1"], { env });
    assert.equal(out.code, 0, out.stderr);
    const events = out.lines.map((l) => FleetEventSchema.parse(l.result));
    assert.deepEqual(events.map((e) => e.event), ["snapshot", "ended"]);
    assert.equal(
      events[0].summary,
      "watching 0 sessions and 0 followed threads (0 working); one line per change",
    );
    assert.match(events[1].summary, /re-arm with codexctl watch --all$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[issue 15 item 13] watch --all: a follow list that is not one is moved aside and said on stderr, never a silent empty list", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-fleet-follows-" });
  try {
    const state = join(dir, "state");
    const env = { CODEXCTL_HOME: state, HOME: dir, CLAUDE_CODE_SESSION_ID: OWNER };
    await Deno.mkdir(join(state, "follows"), { recursive: true, mode: 0o700 });
    const { ownerKey } = await import("../src/fleet/targets.ts");
    for (
      const [args, file, content, why] of [
        [["watch", "--all"], "everyone.json", "", "it is empty"],
        [
          ["watch", "--all", "--mine"],
          `${ownerKey(OWNER)}.json`,
          '{"v":1,"follows":[{"kind":"thr',
          "it is not JSON",
        ],
        [["watch", "--all"], `${ownerKey(OWNER)}.json`, '{"v":1,"follows":7}', "it is not a follow list"],
      ] as const
    ) {
      const path = join(state, "follows", file);
      await Deno.writeTextFile(path, content);
      const out = await runCli([...args, "--timeout", "1"], { env });
      assert.equal(out.code, 0, out.stdout + out.stderr);
      assert.match(out.stderr, new RegExp(`follow list ${path} was corrupt \\(${why}\\)`), args.join(" "));
      assert.equal(await Deno.readTextFile(`${path}.corrupt`), content, "kept for a person to read");
      assert.equal(await Deno.stat(path).then(() => true, () => false), false, "moved aside");
      await Deno.remove(`${path}.corrupt`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
