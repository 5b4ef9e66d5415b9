/**
 * `deno task bench` (second half): figures that need files and whole processes, printed as
 * tables with their goals. Nothing here fails on a slow machine; the figures are for reading.
 *
 * @module
 */
import { join } from "node:path";
import { freshProgress, readThread } from "../src/codex/rollout/reader.ts";
import { compileFailurePatterns, newFailures } from "../src/verdict/tool_failure.ts";
import { generateRollout, type RolloutEra } from "../tests/support/generate_rollout.ts";
import { spawnCli } from "../tests/support/cli_stream.ts";
import { LineStream } from "../tests/support/lines.ts";
import { denoDir } from "../tests/support/deno_dir.ts";
import { BEFORE_TURN_END, splitFixture, writeSession } from "../tests/support/session_record.ts";

const root = new URL("..", import.meta.url).pathname;

// child mode: one cold read of a rollout in a fresh process, timed from inside
if (Deno.args[0] === "--cold-read") {
  const { default: process } = await import("node:process");
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await readThread(Deno.args[1], freshProgress(), { keepEvents: false });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ms, cpu_ms: (cpu.user + cpu.system) / 1000 }));
  Deno.exit(0);
}
// `--hook`: only the Claude Code hook section (defined at the end)
if (Deno.args[0] === "--hook") {
  await hookBench();
  Deno.exit(0);
}
// `--fleet`: only the watch --all section (defined at the end)
if (Deno.args[0] === "--fleet") {
  await fleetBench(Number(Deno.args[1] ?? 60));
  Deno.exit(0);
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const row = (name: string, value: string, goal: string) =>
  console.log(`${name.padEnd(60)} ${value.padStart(16)}   ${goal}`);
// `--memory`: only the rollout memory and cold classification section (defined below)
if (Deno.args[0] === "--memory") {
  console.log(`${"figure".padEnd(60)} ${"value".padStart(16)}   goal`);
  await memoryBench();
  Deno.exit(0);
}
// `--exec`: only the headless-session section (defined below)
if (Deno.args[0] === "--exec") {
  console.log(`${"figure".padEnd(60)} ${"value".padStart(16)}   goal`);
  await execBench();
  Deno.exit(0);
}

async function timeRuns(args: string[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null", cwd: root }).output();
    times.push(performance.now() - t0);
  }
  return times;
}

console.log(`${"figure".padEnd(60)} ${"value".padStart(16)}   goal`);

// --- start-up
const empty = join(await Deno.makeTempDir(), "empty.ts");
await Deno.writeTextFile(empty, "");
const bare = await timeRuns(["run", "-q", empty], 15);
const version = await timeRuns(["run", "-q", "-P", "src/main.ts", "--version"], 15);
row("bare `deno run` of an empty script (p50)", `${pct(bare, 50).toFixed(1)} ms`, "");
row(
  "codexctl --version from source (p50)",
  `${pct(version, 50).toFixed(1)} ms`,
  `${(pct(version, 50) / pct(bare, 50)).toFixed(2)}× bare`,
);

// --- rollout engine: peak memory of `status` on generated rollouts of both eras, cold classification
await memoryBench();

// --- incremental reads on a 100 MB paginated rollout
const home = await Deno.makeTempDir({ prefix: "codexctl-bench-" });
const dir = join(home, "sessions", "2026", "11", "21");
await Deno.mkdir(dir, { recursive: true });
const { id, path } = await rollout(dir, "paginated", 100);
let progress = (await readThread(path, freshProgress(), { keepEvents: false })).progress;
const line = JSON.stringify({
  timestamp: new Date().toISOString(),
  type: "event_msg",
  payload: { type: "agent_message", message: "a".repeat(900) },
});
const appendCost: number[] = [];
for (let i = 0; i < 100; i++) {
  await Deno.writeTextFile(path, line + "\n", { append: true });
  const t0 = performance.now();
  progress = (await readThread(path, progress, { keepEvents: false })).progress;
  appendCost.push(performance.now() - t0);
}
row(
  "observing a 1 KB append (read + fold), p50 / p99",
  `${pct(appendCost, 50).toFixed(2)} / ${pct(appendCost, 99).toFixed(2)} ms`,
  "≤ 5 ms",
);
// the same for a 32 KB tool output read with its facts and judged by the failure rule (watch, hooks)
{
  const patterns = compileFailurePatterns();
  const output = (i: number) =>
    JSON.stringify({
      timestamp: new Date().toISOString(),
      type: "response_item",
      payload: {
        type: "function_call_output",
        call_id: `bench-${i}`,
        output: `Chunk ID: 0\nWall time: 1.0 seconds\nProcess exited with code 1\nOutput:\n${
          "tests/test_x.py ....\n".repeat(1500)
        }FAILED tests/test_x.py::test_${i} - assert 1 == 2\n`,
      },
    });
  const cost: number[] = [];
  let found = 0;
  for (let i = 0; i < 100; i++) {
    await Deno.writeTextFile(path, output(i) + "\n", { append: true });
    const t0 = performance.now();
    const read = await readThread(path, progress, { keepEvents: false, toolOutputs: true });
    found += newFailures(read.tool_outputs, patterns, null).failures.length;
    progress = read.progress;
    cost.push(performance.now() - t0);
  }
  if (found !== 100) throw new Error(`the failure rule found ${found} of 100 failures`);
  row(
    "observing a 32 KB tool output (read + fold + failure rule), p50 / p99",
    `${pct(cost, 50).toFixed(2)} / ${pct(cost, 99).toFixed(2)} ms`,
    "≤ 5 ms",
  );
}

// --- append → watch line latency
const state = await Deno.makeTempDir();
const watch = spawnCli(
  ["watch", "--thread", id, "--min-interval", "0", "--timeout", "900", "--stall", "900"],
  { CODEX_HOME: home, CODEXCTL_HOME: state },
);
await watch.lines.next(60_000); // snapshot
const latency: number[] = [];
for (let i = 0; i < 200; i++) {
  const started = i % 2 === 0;
  const payload = started
    ? { type: "task_started", turn_id: `bench-${i}`, model_context_window: 258400 }
    : { type: "task_complete", turn_id: `bench-${i - 1}`, last_agent_message: `bench turn ${i} done` };
  const t0 = performance.now();
  await Deno.writeTextFile(
    path,
    JSON.stringify({ timestamp: new Date().toISOString(), type: "event_msg", payload }) + "\n",
    { append: true },
  );
  await watch.lines.next(10_000);
  latency.push(performance.now() - t0);
}
row("append → watch line latency over 200 appends, p50", `${pct(latency, 50).toFixed(1)} ms`, "≤ 50 ms");
row("append → watch line latency over 200 appends, p99", `${pct(latency, 99).toFixed(1)} ms`, "≤ 250 ms");
watch.child.kill("SIGTERM");
await watch.exit();
await watch.lines.cancel();
await Deno.remove(home, { recursive: true });

// --- append of task_complete → watch --session verdict line latency (issue 5)
{
  const home = await Deno.makeTempDir({ prefix: "codexctl-bench-session-" });
  const state = join(home, "state");
  const dir = join(home, "codex", "sessions", "2026", "11", "21");
  await Deno.mkdir(dir, { recursive: true });
  const lines = (await Deno.readTextFile(
    join(root, "tests", "fixtures", "codex-0.169.0", "marker", "exec.rollout.jsonl"),
  )).split("\n").filter(Boolean);
  const meta = JSON.parse(lines[0]).payload;
  const rollout = join(dir, `rollout-2026-11-21T16-00-00-${meta.id}.jsonl`);
  const started = lines.find((l) => l.includes('"task_started"'))!;
  const complete = lines.find((l) => l.includes('"task_complete"'))!;
  await Deno.writeTextFile(rollout, lines[0] + "\n" + started + "\n");
  const socket = join(home, "tmux.sock");
  const tmuxOut = await new Deno.Command("tmux", {
    args: [
      "-S",
      socket,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-P",
      "-F",
      "#{pane_id}",
      "-x",
      "120",
      "-y",
      "40",
      "sleep",
      "3600",
    ],
    stdout: "piped",
  }).output();
  const paneId = new TextDecoder().decode(tmuxOut.stdout).trim();
  const id = "cdx-be01";
  await writeSession(state, {
    session: id,
    owner: null,
    rollout_path: rollout,
    thread_id: meta.id,
    codex_home: join(home, "codex"),
    slug: "bench",
    marker: "CDX_DONE_BENCH1",
    cwd: home,
    substrate: "tmux",
    pane: { socket, pane_id: paneId, created: "session", target: paneId },
    mode: "pane",
  });
  const latency = await completionToLine(
    ["watch", "--session", id, "--min-interval", "0", "--timeout", "60", "--no-close"],
    { CODEXCTL_HOME: state, CODEX_HOME: join(home, "codex"), TMUX: "" },
    {
      complete: () => Deno.writeTextFile(rollout, complete + "\n", { append: true }),
      reset: () => Deno.writeTextFile(rollout, started + "\n", { append: true }),
    },
  );
  latencyRow("append of task_complete → watch --session line, p50 (30 runs)", latency);
  await new Deno.Command("tmux", { args: ["-S", socket, "kill-server"] }).output();
  await Deno.remove(home, { recursive: true });
}

await execBench();
await hookBench();
await fleetBench(60);

/**
 * A fresh `codexctl <args>` (a `watch --session`) per run, 30 runs: given 1.5 s to settle,
 * `prepare(i)` writes what comes before, then the time from `complete()` — the append that ends
 * the turn — to the watch's next line, which must say completed; `reset()` opens the turn again.
 */
async function completionToLine(
  args: string[],
  env: Record<string, string>,
  o: { prepare?: (i: number) => Promise<void>; complete: () => Promise<void>; reset: () => Promise<void> },
): Promise<number[]> {
  const latency: number[] = [];
  for (let i = 0; i < 30; i++) {
    const watch = spawnCli(args, env);
    await new Promise((r) => setTimeout(r, 1500)); // running and waiting on its file
    await o.prepare?.(i);
    const t0 = performance.now();
    await o.complete();
    const line = await watch.lines.next(10_000);
    latency.push(performance.now() - t0);
    if (!line || !line.includes('"completed"')) throw new Error(`unexpected watch line: ${line}`);
    try {
      watch.child.kill("SIGTERM");
    } catch {
      // it ended on its own
    }
    await watch.exit();
    await o.reset();
  }
  return latency;
}

/** One latency figure against the 50 ms goal. */
function latencyRow(name: string, latency: number[]): void {
  row(name, `${pct(latency, 50).toFixed(1)} ms`, `≤ 50 ms (p90 ${pct(latency, 90).toFixed(1)} ms)`);
}

// ---------------------------------------------------------------------------------------------
// Rollout engine: peak memory of `status --thread` by rollout size and era, cold classification
// ---------------------------------------------------------------------------------------------

/** A generated rollout of `era` of about `mb` MB in `dir`, named so `status --thread` finds it. */
async function rollout(dir: string, era: RolloutEra, mb: number) {
  const probe = join(dir, "probe.jsonl");
  const { id } = await generateRollout(probe, 1024, { era });
  await Deno.remove(probe);
  const path = join(dir, `rollout-2026-11-21T16-00-00-${id}.jsonl`);
  const gen = await generateRollout(path, mb * 1024 * 1024, { era });
  return { id, path, gen, mb: gen.bytes / (1024 * 1024) };
}

/** Median wall and CPU MB/s of one cold read of `path` in a fresh process (5 processes). */
async function coldRead(path: string, mb: number) {
  const cold: { ms: number; cpu_ms: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--cold-read", path],
      stdout: "piped",
    }).output();
    cold.push(JSON.parse(new TextDecoder().decode(out.stdout)));
  }
  return {
    wall: mb / (pct(cold.map((c) => c.ms), 50) / 1000),
    cpu: mb / (pct(cold.map((c) => c.cpu_ms), 50) / 1000),
  };
}

/**
 * Peak RSS of the real `codexctl status --thread` process, run as a user runs it (through the
 * plugin's launcher bin/codexctl, which runs the source with deno here), on a one-turn rollout (the
 * fixed cost), then on generated 25/100/200 MB rollouts of each era (see
 * tests/support/generate_rollout.ts: many turns, big and huge tool outputs, plans, compactions), and
 * the cold classification speed of the 100 MB ones. The 200 MB ones are measured once more as a
 * bare `deno run` of the source, without the launcher's V8 flag.
 */
async function memoryBench(): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "codexctl-bench-memory-" });
  const dir = join(home, "sessions", "2026", "11", "21");
  await Deno.mkdir(dir, { recursive: true });
  // only what codexctl needs: no V8 flags or codexctl settings of the caller's
  const denoDirEnv = Deno.env.get("DENO_DIR");
  const env = {
    PATH: `${join(Deno.execPath(), "..")}:${Deno.env.get("PATH") ?? ""}`,
    HOME: Deno.env.get("HOME") ?? home,
    CODEX_HOME: home,
    CODEXCTL_HOME: join(home, "state"),
    ...(denoDirEnv ? { DENO_DIR: denoDirEnv } : {}),
  };
  const statusRss = async (id: string, how: "launcher" | "deno" = "launcher") => {
    const args = ["status", "--thread", id, "--json"];
    const command = how === "launcher" ? [join(root, "bin", "codexctl"), ...args] : [
      Deno.execPath(),
      ...["run", "-q", "-P", `--config=${join(root, "deno.json")}`, join(root, "src", "main.ts"), ...args],
    ];
    const runs: number[] = [];
    let via = "";
    for (let i = 0; i < 3; i++) {
      const peak = await peakRss(command, env);
      runs.push(peak.kb / 1024);
      via = peak.via;
    }
    return { mb: Math.max(...runs), via };
  };
  const fixture = join(root, "tests", "fixtures", "codex-0.169.0", "shell", "exec.rollout.jsonl");
  const tinyId = JSON.parse((await Deno.readTextFile(fixture)).split("\n")[0]).payload.id;
  const tiny = join(dir, `rollout-2026-11-21T15-00-00-${tinyId}.jsonl`);
  await Deno.copyFile(fixture, tiny);
  await statusRss(tinyId); // warm-up: deno's transpile cache of this tree is filled once
  const fixed = await statusRss(tinyId);
  await Deno.remove(tiny);
  row(
    "status --thread peak RSS, bin/codexctl, max of 3: one turn",
    `${fixed.mb.toFixed(1)} MiB`,
    `(${fixed.via})`,
  );
  for (const era of ["paginated", "legacy"] as RolloutEra[]) {
    for (const size of [25, 100, 200]) {
      const r = await rollout(dir, era, size);
      const peak = await statusRss(r.id);
      row(
        `  … ${r.mb.toFixed(0)} MiB ${era} rollout, ${r.gen.turns} turns, ${r.gen.huge} huge outputs`,
        `${peak.mb.toFixed(1)} MiB`,
        size === 200 ? "≤ 96 MB" : "",
      );
      if (size === 200) {
        const bare = await statusRss(r.id, "deno");
        row(`  … the same, a bare deno run (V8's default young generation)`, `${bare.mb.toFixed(1)} MiB`, "");
      }
      if (size === 100) {
        const speed = await coldRead(r.path, r.mb);
        row(
          `  cold classification of it (median of 5 processes)`,
          `${speed.wall.toFixed(0)} MB/s`,
          `≥ 400 MB/s (by CPU time: ${speed.cpu.toFixed(0)} MB/s)`,
        );
      }
      await Deno.remove(r.path);
    }
  }
  await Deno.remove(home, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Headless sessions (start --via exec)
// ---------------------------------------------------------------------------------------------

/**
 * Two figures of headless sessions (issue 10), with the pinned real Codex against the mock model:
 * `start --via exec --no-wait` from source against a bare background spawn of the same
 * `codex exec` by a shell (`sh -c 'codex exec … &'`), interleaved; and an exec event appended to
 * a run's stream → the `watch --session` line (the run's Codex stands in as a live `sleep`).
 */
async function execBench(): Promise<void> {
  const { CODEX_VERSIONS, codexInstall } = await import("../tests/support/codex_bin.ts");
  const { startRig } = await import("../tests/support/session_rig.ts");
  const { identify } = await import("../src/substrate/process.ts");
  const install = await codexInstall(CODEX_VERSIONS.current);
  const rig = await startRig(CODEX_VERSIONS.current);
  try {
    const repo = await rig.repo();
    const main = join(root, "src", "main.ts");
    const env = { ...rig.env, NO_COLOR: "1" };
    const wall = async (cmd: string, args: string[]) => {
      const t0 = performance.now();
      const out = await new Deno.Command(cmd, {
        args,
        env,
        cwd: repo,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return { ms: performance.now() - t0, stdout: new TextDecoder().decode(out.stdout) };
    };
    const starts: number[] = [];
    const spawns: number[] = [];
    const sessions: string[] = [];
    for (let i = 0; i < 12; i++) {
      const bare = await wall("sh", [
        "-c",
        '"$0" exec --json -s workspace-write -c approval_policy=never -- "{{done}} bench" >/dev/null 2>&1 &',
        install.binary,
      ]);
      // the bare run's Codex finishes first: each figure is taken on a machine the other left idle
      await new Promise((r) => setTimeout(r, 1500));
      const started = await wall(Deno.execPath(), [
        "run",
        "-q",
        "-P",
        `--config=${join(root, "deno.json")}`,
        main,
        "start",
        "--via",
        "exec",
        "--task",
        "{{done}} bench",
        "--no-wait",
        "--json",
      ]);
      const session = JSON.parse(started.stdout).session;
      if (!session) throw new Error(`start --via exec --no-wait failed: ${started.stdout}`);
      sessions.push(session);
      // the first of each is a warm-up (caches, the mock's first connection)
      if (i > 1) {
        starts.push(started.ms);
        spawns.push(bare.ms);
      }
      await new Promise((r) => setTimeout(r, 1500)); // its run finishes before the next pair
    }
    for (const s of sessions) await rig.cli(["end", "--session", s, "--json"]);
    row("start --via exec --no-wait, from source (p50)", `${pct(starts, 50).toFixed(1)} ms`, "");
    row("bare `codex exec` spawned in the background by sh (p50)", `${pct(spawns, 50).toFixed(1)} ms`, "");
    row(
      "start --via exec --no-wait minus the bare spawn (p50)",
      `${(pct(starts, 50) - pct(spawns, 50)).toFixed(1)} ms`,
      "≤ 150 ms",
    );

    // an exec session whose run dir this bench writes: its "Codex" is a sleep, so the run is alive
    const id = "cdx-be02";
    const dir = join(rig.state, "exec", id);
    const run = join(dir, "runs", "1");
    await Deno.mkdir(run, { recursive: true });
    const sleeper = new Deno.Command("sleep", {
      args: ["3600"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const me = await identify(Deno.pid);
    const codex = await identify(sleeper.pid);
    await Deno.writeTextFile(
      join(run, "spec.json"),
      JSON.stringify({ v: 1, argv: [install.binary, "exec"], cwd: repo, created: new Date().toISOString() }),
    );
    await Deno.writeTextFile(
      join(run, "proc.json"),
      JSON.stringify({ supervisor: me, codex, spawned_at: Date.now() }),
    );
    const thread = "01a2b3c4-0000-7000-8000-00000000be02";
    const events = join(run, "events.jsonl");
    const started = JSON.stringify({ type: "turn.started" });
    const message = (i: number) =>
      JSON.stringify({
        type: "item.completed",
        item: { id: `item_${i}`, type: "agent_message", text: `Bench ${i}.` },
      });
    const completed = JSON.stringify({
      type: "turn.completed",
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    await Deno.writeTextFile(
      events,
      JSON.stringify({ type: "thread.started", thread_id: thread }) + "\n" + started + "\n",
    );
    await writeSession(rig.state, {
      session: id,
      owner: null,
      rollout_path: null,
      thread_id: thread,
      codex_home: rig.home.dir,
      slug: "bench",
      marker: "CDX_DONE_BENCH2",
      cwd: repo,
      pane: {
        session: id,
        dir,
        codex: install.binary,
        options: [],
        first_options: [],
        first: ["exec"],
        cwd: repo,
        codex_home: rig.home.dir,
        schema: null,
        resume_schema: false,
        ide_visible: false,
      },
    });
    const latency = await completionToLine(
      ["watch", "--session", id, "--min-interval", "0", "--timeout", "60"],
      { ...rig.env, CODEXCTL_HOME: rig.state },
      {
        prepare: (i) => Deno.writeTextFile(events, message(i) + "\n", { append: true }),
        complete: () => Deno.writeTextFile(events, completed + "\n", { append: true }),
        reset: () => Deno.writeTextFile(events, started + "\n", { append: true }),
      },
    );
    latencyRow("exec event (turn.completed) → watch --session line, p50 (30 runs)", latency);
    sleeper.kill("SIGKILL");
    await sleeper.status;
  } finally {
    await rig.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Claude Code hook: the no-change path (what runs after almost every tool call of Claude Code)
// ---------------------------------------------------------------------------------------------

/**
 * `codexctl hook post-tool-use` when nothing changed, with 10 live sessions owned by the calling
 * Claude Code session (each bound to a rollout, its Codex pid alive), against a bare `deno run` of
 * an empty script given the same stdin. Runs are interleaved so both see the same machine load.
 */
async function hookBench(): Promise<void> {
  const runs = 40;
  const owner = "b3e4c000-0000-4000-8000-0000000000b1";
  const dir = await Deno.makeTempDir({ prefix: "codexctl-hook-bench-" });
  const state = join(dir, "state");
  const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
  for (let i = 0; i < 10; i++) {
    const rollout = join(dir, `rollout-${i}.jsonl`);
    await Deno.writeTextFile(rollout, split.head);
    await writeSession(state, {
      session: `cdx-b${String(i).padStart(3, "0")}`,
      owner,
      rollout_path: rollout,
      thread_id: split.thread,
      pid: Deno.pid,
      slug: `bench-${i}`,
    });
  }
  const emptyScript = join(dir, "empty.ts");
  await Deno.writeTextFile(emptyScript, "");
  const input = new TextEncoder().encode(
    JSON.stringify({ session_id: owner, hook_event_name: "PostToolUse" }),
  );
  const env = { CODEXCTL_HOME: state, HOME: Deno.env.get("HOME") ?? dir, PATH: Deno.env.get("PATH") ?? "" };
  const once = async (cmd: string, args: string[], extra: Record<string, string> = {}) => {
    const t0 = performance.now();
    const child = new Deno.Command(cmd, {
      args,
      env: { ...env, ...extra },
      cwd: dir,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(input);
    await w.close();
    const out = await child.output();
    return { ms: performance.now() - t0, out: new TextDecoder().decode(out.stdout) };
  };
  const deno = Deno.execPath();
  const hookArgs = [
    "run",
    "-q",
    "-P",
    `--config=${join(root, "deno.json")}`,
    join(root, "src", "main.ts"),
    "hook",
    "post-tool-use",
  ];
  // prime: the first pass observes the 10 sessions (all working: nothing to tell) and writes the cursors
  const primed = await once(deno, hookArgs);
  const bare: number[] = [];
  const hook: number[] = [];
  const launcher: number[] = [];
  const probing: number[] = [];
  let spoke = primed.out ? 1 : 0;
  for (let i = 0; i < runs; i++) {
    bare.push((await once(deno, ["run", "-q", emptyScript])).ms);
    const h = await once(deno, hookArgs);
    hook.push(h.ms);
    const l = await once(join(root, "bin", "codexctl"), ["hook", "post-tool-use"]);
    launcher.push(l.ms);
    const p = await once(deno, hookArgs, { CODEXCTL_HOOK_PID_CHECK_SEC: "0" });
    probing.push(p.ms);
    if (h.out || l.out || p.out) spoke++;
  }
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log("");
  console.log(`${"Claude Code hook, no change, 10 live sessions".padEnd(60)} ${"p50".padStart(16)}   goal`);
  console.log(
    `${"bare `deno run` of an empty script (same stdin)".padEnd(60)} ${
      `${p50(bare).toFixed(1)} ms`.padStart(16)
    }`,
  );
  console.log(
    `${"codexctl hook post-tool-use (deno run -P src/main.ts)".padEnd(60)} ${
      `${p50(hook).toFixed(1)} ms`.padStart(16)
    }   ${(p50(hook) / p50(bare)).toFixed(2)}× bare (goal ≤ 1.25×)`,
  );
  console.log(
    `${"the same through the plugin launcher bin/codexctl".padEnd(60)} ${
      `${p50(launcher).toFixed(1)} ms`.padStart(16)
    }   ${(p50(launcher) / p50(bare)).toFixed(2)}× bare`,
  );
  console.log(
    `${"the same, probing the 10 Codex pids on every run (else ≤ 1/10 s)".padEnd(60)} ${
      `${p50(probing).toFixed(1)} ms`.padStart(16)
    }   ${(p50(probing) / p50(bare)).toFixed(2)}× bare`,
  );
  if (spoke) {
    console.log(`warning: the hook printed something in ${spoke} runs; that was not the no-change path`);
  }
  await Deno.remove(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// watch --all over an idle fleet, and how fast a change becomes a line
// ---------------------------------------------------------------------------------------------

/** CPU time (user + system, ms) and resident memory (MiB) of process `pid`, from /proc. */
function procUsage(pid: number): { cpuMs: number; rssMiB: number } | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rss = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0);
    return { cpuMs: ticks * 10, rssMiB: rss / 1024 }; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * `codexctl watch --all --mine` over 50 idle sessions (each bound to its own rollout of an open
 * turn, its Codex pid alive so the pids are probed): CPU and peak RSS over `seconds`, then the time
 * from appending a turn's end to a rollout to the watch printing its line (p50 of 20).
 */
async function fleetBench(seconds: number): Promise<void> {
  const owner = "b3e4c000-0000-4000-8000-0000000000f1";
  const dir = await Deno.makeTempDir({ prefix: "codexctl-fleet-bench-" });
  const state = join(dir, "state");
  const split = splitFixture("0.169.0", "marker", BEFORE_TURN_END);
  const rollouts: string[] = [];
  for (let i = 0; i < 50; i++) {
    const rollout = join(dir, "codex", `rollout-${i}.jsonl`);
    await Deno.mkdir(join(dir, "codex"), { recursive: true });
    await Deno.writeTextFile(rollout, split.head);
    rollouts.push(rollout);
    await writeSession(state, {
      session: `cdx-f${String(i).padStart(3, "0")}`,
      owner,
      rollout_path: rollout,
      thread_id: split.thread,
      pid: Deno.pid,
      slug: `fleet-${i}`,
    });
  }
  // through the plugin's launcher, as the Monitor and the plugin monitor run it
  const child = new Deno.Command(join(root, "bin", "codexctl"), {
    args: ["watch", "--all", "--mine", "--timeout", String(seconds + 300), "--min-interval", "0"],
    env: {
      CODEXCTL_HOME: state,
      CODEX_HOME: join(dir, "codex-home"),
      CODEXCTL_OWNER: owner,
      HOME: dir,
      PATH: `${join(Deno.execPath(), "..")}:${Deno.env.get("PATH") ?? ""}`,
      DENO_DIR: await denoDir(),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const watch = { child, lines: new LineStream(child.stdout), exit: () => child.status };
  const first = await watch.lines.next(30_000);
  if (!first?.includes('"snapshot"')) throw new Error(`no snapshot line: ${first}`);
  await new Promise((r) => setTimeout(r, 2000)); // settled
  const pid = watch.child.pid;
  const before = procUsage(pid);
  let peak = before?.rssMiB ?? 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    peak = Math.max(peak, procUsage(pid)?.rssMiB ?? 0);
  }
  const after = procUsage(pid);
  const wall = performance.now() - t0;
  const latency: number[] = [];
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const at = performance.now();
    await Deno.writeTextFile(rollouts[i], split.rest, { append: true });
    for (;;) {
      const line = await watch.lines.next(10_000);
      if (!line) throw new Error(`no line for cdx-f${String(i).padStart(3, "0")}`);
      if (line.includes(`cdx-f${String(i).padStart(3, "0")}`)) break;
    }
    latency.push(performance.now() - at);
  }
  try {
    watch.child.kill("SIGTERM");
  } catch { /* ended */ }
  await watch.exit();
  console.log("");
  console.log(`${"watch --all --mine, 50 idle sessions".padEnd(60)} ${"value".padStart(16)}   goal`);
  if (before && after) {
    const cpuPct = ((after.cpuMs - before.cpuMs) / wall) * 100;
    console.log(
      `${`CPU over ${seconds} s (user + system)`.padEnd(60)} ${
        `${cpuPct.toFixed(2)} %`.padStart(16)
      }   < 1 %`,
    );
    console.log(`${"peak RSS".padEnd(60)} ${`${peak.toFixed(1)} MiB`.padStart(16)}   < 80 MB`);
  } else {
    console.log("(no /proc here: CPU and RSS not measured)");
  }
  const p = (q: number) => [...latency].sort((a, b) => a - b)[Math.floor((q / 100) * (latency.length - 1))];
  console.log(
    `${"append of a turn's end → its watch --all line, p50 (20 runs)".padEnd(60)} ${
      `${p(50).toFixed(1)} ms`.padStart(16)
    }   ≤ 50 ms (p90 ${p(90).toFixed(1)} ms)`,
  );
  await Deno.remove(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Peak resident memory of a child process
// ---------------------------------------------------------------------------------------------

/**
 * Runs `command` (its environment exactly `env`) and returns its peak resident set size in KiB: from
 * GNU time's `%M` (the kernel's maxrss of the finished child; a launcher that execs its runtime is
 * measured as that runtime) when /usr/bin/time exists, else from polling `VmHWM` in
 * /proc/<pid>/status every 2 ms while it runs (a high-water mark, so a late poll still sees an
 * earlier peak; only growth in its last 2 ms could be missed).
 */
async function peakRss(command: string[], env: Record<string, string>): Promise<{ kb: number; via: string }> {
  const time = "/usr/bin/time";
  const hasTime = await Deno.stat(time).then((s) => s.isFile, () => false);
  if (hasTime) {
    const out = await new Deno.Command(time, {
      args: ["-f", "CODEXCTL_MAXRSS %M", ...command],
      env,
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    const m = new TextDecoder().decode(out.stderr).match(/CODEXCTL_MAXRSS (\d+)/);
    if (!out.success || !m) throw new Error(`could not measure: ${new TextDecoder().decode(out.stderr)}`);
    return { kb: Number(m[1]), via: "GNU time %M" };
  }
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let kb = 0;
  let done = false;
  const status = child.status.then((s) => {
    done = true;
    return s;
  });
  while (!done) {
    try {
      const m = Deno.readTextFileSync(`/proc/${child.pid}/status`).match(/VmHWM:\s+(\d+) kB/);
      if (m) kb = Math.max(kb, Number(m[1]));
    } catch {
      // gone meanwhile
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!(await status).success) throw new Error("the measured process failed");
  return { kb, via: "VmHWM polled" };
}
