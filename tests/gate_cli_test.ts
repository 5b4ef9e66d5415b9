/**
 * `codexctl gate` end to end, run as users run it (from source, a subprocess): fake `nvidia-smi`
 * and `docker` replaying recorded real output where the real thing is absent here (no GPU, no
 * daemon), the real docker client where it is installed, real processes for --procs, the real
 * memory figures and real df; bad input as v1 error envelopes; a real terminal (tmux) for the
 * checklist.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EnvelopeSchema, GateResultSchema } from "../src/envelope.ts";
import { APPS_QUERY, GPU_QUERY } from "../src/gate/nvidia.ts";
import { runCli } from "./support/cli.ts";
import { capture, FakeGateTools, GATE_FIXTURES, which } from "./support/fake_gate_tools.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { TmuxServer } from "./support/tmux.ts";

type Gate = ReturnType<typeof GateResultSchema.parse>;

async function gateRun(args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  const res = await runCli(["gate", ...args], { env, timeoutMs });
  assert.ok(res.json, `gate printed JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  EnvelopeSchema.parse(res.json);
  return {
    code: res.code,
    envelope: res.json,
    result: res.json.ok ? GateResultSchema.parse(res.json.result) : null,
  };
}

function check(result: Gate | null, name: string) {
  const c = result?.checks.find((x) => x.name === name);
  assert.ok(c, `a ${name} check in ${JSON.stringify(result)}`);
  return c as Record<string, unknown> & { status: string; summary: string };
}

const docker = (name: string) => join(GATE_FIXTURES, "docker", name);

Deno.test("gate with neither nvidia-smi nor docker on PATH: both said plainly, free, exit 0", async () => {
  const tools = await FakeGateTools.create();
  try {
    const { code, result } = await gateRun(["--gpu", "--docker"], tools.env());
    assert.equal(code, 0);
    assert.equal(result!.verdict, "free");
    assert.deepEqual(
      result!.checks.map((c) => [c.name, c.status, c.summary]),
      [["gpu", "absent", "no GPU: nvidia-smi is not installed"], [
        "docker",
        "absent",
        "docker is not installed",
      ]],
    );
    assert.deepEqual(result!.reasons, []);
    assert.equal(result!.next_action.intent, "start");
  } finally {
    await tools.remove();
  }
});

Deno.test("gate --gpu on recorded captures: exactly codexctl's two queries; idle free, loaded busy; no driver is no GPU", async () => {
  const tools = await FakeGateTools.create({ nvidiaSmi: true });
  try {
    await tools.setGpu({ capture: capture("h100"), state: "load" });
    const busy = await gateRun(["--gpu"], tools.env());
    assert.equal(busy.code, 0);
    assert.equal(busy.result!.verdict, "busy");
    assert.match(
      busy.result!.reasons[0],
      /3 compute processes \(11327 memhog 2566 MiB, 11328 memhog 1542 MiB, 11345 gpu_burn/,
    );
    assert.equal(busy.result!.next_action.command, "codexctl gate --gpu --wait-free --timeout 600");
    assert.deepEqual(await tools.gpuCalls(), [GPU_QUERY.slice(1), APPS_QUERY.slice(1)]);

    await tools.setGpu({ capture: capture("rtx4080"), state: "idle" });
    const desktop = await gateRun(["--gpu"], tools.env());
    assert.equal(desktop.result!.verdict, "free");
    assert.match(
      check(desktop.result, "gpu").summary,
      /NVIDIA GeForce RTX 4080 SUPER: 596\/16376 MiB, 0 % util; 1 small process not counted/,
    );

    await tools.setGpu({ stdout: join(GATE_FIXTURES, "nvidia-smi", "driver_not_loaded.stdout"), exit: 9 });
    const noDriver = await gateRun(["--gpu"], tools.env());
    assert.equal(noDriver.result!.verdict, "free");
    assert.equal(check(noDriver.result, "gpu").status, "absent");
    assert.match(
      check(noDriver.result, "gpu").summary,
      /^no GPU: the NVIDIA driver is not loaded \(nvidia-smi: NVIDIA-SMI has failed/,
    );

    await tools.setGpu({ stdout: join(GATE_FIXTURES, "docker", "version.txt"), exit: 0 });
    const garbage = await gateRun(["--gpu"], tools.env());
    assert.equal(garbage.result!.verdict, "busy", "output codexctl cannot read vouches for nothing");
    assert.equal(check(garbage.result, "gpu").status, "unknown");
    assert.match(
      check(garbage.result, "gpu").summary,
      /^nvidia-smi printed what codexctl cannot read: Client:/,
    );
  } finally {
    await tools.remove();
  }
});

Deno.test("gate --docker on recorded docker ps: running containers busy, paused not, no daemon said, permission denied busy", async () => {
  const tools = await FakeGateTools.create({ docker: true });
  try {
    const cases: [Parameters<FakeGateTools["setDocker"]>[0], string, string, RegExp][] = [
      [{ stdout: docker("ps_none.stdout") }, "free", "free", /^no running container$/],
      [
        { stdout: docker("ps_two_running.stdout") },
        "busy",
        "busy",
        /^2 running containers: isaac-sim \(local\/busybox:1, Up 2 seconds\), trainer/,
      ],
      [
        { stdout: docker("ps_one_paused.stdout") },
        "busy",
        "busy",
        /^1 running container: isaac-sim .*\(1 paused, not counted\)$/,
      ],
      [
        { stderr: docker("ps_no_daemon.stderr"), exit: 1 },
        "free",
        "absent",
        /^the docker daemon is not running \(Cannot connect to the Docker daemon/,
      ],
      [
        { stderr: docker("ps_permission_denied.stderr"), exit: 1 },
        "busy",
        "unknown",
        /^docker ps was refused \(permission denied on the docker socket\): add this user to the docker group, or gate without --docker — permission denied while trying to connect/,
      ],
    ];
    for (const [config, verdict, status, summary] of cases) {
      await tools.setDocker(config);
      const { code, result } = await gateRun(["--docker"], tools.env());
      assert.equal(code, 0);
      assert.equal(result!.verdict, verdict, JSON.stringify(result));
      assert.equal(check(result, "docker").status, status);
      assert.match(check(result, "docker").summary, summary);
    }
    assert.deepEqual(new Set(await tools.dockerCalls()), new Set(["ps --format {{json .}}"]));
  } finally {
    await tools.remove();
  }
});

Deno.test("gate --docker with the real docker client where it is installed agrees with docker ps", async (t) => {
  let real: string;
  try {
    real = await which("docker");
  } catch {
    t.step({ name: "docker is not installed here", ignore: true, fn: () => {} });
    return;
  }
  const ps = await new Deno.Command(real, {
    args: ["ps", "--format", "{{json .}}"],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const { result } = await gateRun(["--docker"], { PATH: Deno.env.get("PATH") ?? "" });
  const docker = check(result, "docker");
  if (!ps.success && /Cannot connect to the Docker daemon/.test(new TextDecoder().decode(ps.stderr))) {
    assert.equal(docker.status, "absent");
    assert.equal(result!.verdict, "free");
  } else if (ps.success) {
    const running = new TextDecoder().decode(ps.stdout).split("\n").filter((l) =>
      /"State":"running"/.test(l)
    );
    assert.equal(docker.status, running.length ? "busy" : "free");
  } else {
    assert.equal(docker.status, "unknown");
  }
});

Deno.test("gate --procs on real processes: a distinctive sleep is busy, a codex-named one is left out, gone is free", async () => {
  const tools = await FakeGateTools.create();
  const sleeper = new Deno.Command("sleep", { args: ["987.654321"], stdout: "null", stderr: "null" }).spawn();
  const codexLike = new Deno.Command("bash", {
    args: ["-c", "exec -a codex sleep 987.654322"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await new Promise((r) => setTimeout(r, 200));
    const busy = await gateRun(
      ["--procs", "987\\.65432", "--procs", "no-such-program-[0-9]{9}"],
      tools.env(),
    );
    assert.equal(busy.result!.verdict, "busy");
    const [first, second] = busy.result!
      .checks as (Record<string, unknown> & { matches: { pid: number; command: string }[] })[];
    assert.deepEqual(first.matches.map((m) => m.pid), [sleeper.pid]);
    assert.match(first.matches[0].command, /^(\/usr)?(\/bin\/)?sleep 987\.654321$/);
    assert.equal(first.status, "busy");
    assert.equal(second.status, "free");
    assert.equal(second.summary, "no process matches /no-such-program-[0-9]{9}/");
    assert.equal(
      busy.result!.next_action.command,
      "codexctl gate --procs '987\\.65432' --procs 'no-such-program-[0-9]{9}' --wait-free --timeout 600",
    );
    // the pattern also matches this codexctl call's own command line: left out as its ancestry
    const self = await gateRun(["--procs", "gate --procs"], tools.env());
    assert.equal(self.result!.verdict, "free", JSON.stringify(self.result));
  } finally {
    sleeper.kill();
    codexLike.kill();
    await sleeper.status;
    await codexLike.status;
  }
  try {
    const free = await gateRun(["--procs", "987\\.65432"], tools.env());
    assert.equal(free.result!.verdict, "free");
  } finally {
    await tools.remove();
  }
});

Deno.test("gate --min-free-mem: the real available memory (MemAvailable of /proc/meminfo); above it busy", async () => {
  const tools = await FakeGateTools.create();
  try {
    const { result } = await gateRun(["--min-free-mem", "0.01"], tools.env());
    const mem = check(result, "memory");
    const meminfo = Deno.build.os === "linux" ? await Deno.readTextFile("/proc/meminfo") : "";
    const kib = (key: string) => Number(meminfo.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]);
    if (Deno.build.os === "linux") {
      assert.ok(Math.abs((mem.total_gib as number) - kib("MemTotal") / 1024 ** 2) < 0.1, JSON.stringify(mem));
      assert.ok(
        Math.abs((mem.available_gib as number) - kib("MemAvailable") / 1024 ** 2) < 1,
        JSON.stringify(mem),
      );
    }
    assert.equal(mem.status, "free");
    assert.equal(result!.verdict, "free");
    const low = await gateRun(["--min-free-mem", "100000"], tools.env());
    assert.equal(low.result!.verdict, "busy");
    assert.match(low.result!.reasons[0], /^memory: .* GiB available, below the 100000 GiB asked for$/);
    assert.equal(
      low.result!.next_action.command,
      "codexctl gate --min-free-mem 100000 --wait-free --timeout 600",
    );
  } finally {
    await tools.remove();
  }
});

Deno.test("gate --min-free-disk [--path]: real df of that filesystem; too much asked is busy", async () => {
  const tools = await FakeGateTools.create();
  const dir = await Deno.makeTempDir({ prefix: "codexctl gate path " });
  try {
    const { result } = await gateRun(["--min-free-disk", "0.001", "--path", dir], tools.env());
    const disk = check(result, "disk");
    assert.equal(disk.path, dir);
    assert.equal(disk.status, "free");
    assert.ok((disk.total_gib as number) > 0 && (disk.available_gib as number) <= (disk.total_gib as number));
    const low = await gateRun(["--min-free-disk", "99999999", "--path", dir], tools.env());
    assert.equal(low.result!.verdict, "busy");
    assert.equal(
      low.result!.next_action.command,
      `codexctl gate --min-free-disk 99999999 --path '${dir}' --wait-free --timeout 600`,
    );
    // without a check flag: GPU, docker, memory and the disk of the current directory
    const all = await runCli(["gate", "--json"], { env: tools.env(), cwd: dir });
    const plain = GateResultSchema.parse((all.json as { result: unknown }).result);
    assert.deepEqual(plain.checks.map((c) => c.name), ["gpu", "docker", "memory", "disk"]);
    assert.equal((plain.checks[3] as { path: string }).path, dir);
  } finally {
    await tools.remove();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gate --wait-free: returns once the GPU frees up; a timeout is a busy result, exit 0", async () => {
  const tools = await FakeGateTools.create({ nvidiaSmi: true });
  try {
    await tools.setGpu({ capture: capture("h100"), state: "load" });
    const started = performance.now();
    const waiting = gateRun(["--gpu", "--wait-free", "--timeout", "60"], tools.env());
    await new Promise((r) => setTimeout(r, 2500));
    await tools.setGpu({ capture: capture("h100"), state: "idle" });
    const { code, result } = await waiting;
    const elapsed = performance.now() - started;
    assert.equal(code, 0);
    assert.equal(result!.verdict, "free");
    assert.ok(
      result!.waited && result!.waited.polls >= 2 && !result!.waited.timed_out,
      JSON.stringify(result!.waited),
    );
    assert.ok(elapsed < 20_000, `freed within the bounded pause (${elapsed} ms)`);

    await tools.setGpu({ capture: capture("h100"), state: "load" });
    const t0 = performance.now();
    const out = await gateRun(["--gpu", "--wait-free", "--timeout", "1.5"], tools.env());
    const took = performance.now() - t0;
    assert.equal(out.code, 0);
    assert.equal(out.result!.verdict, "busy");
    assert.equal(out.result!.waited!.timed_out, true);
    assert.ok(out.result!.waited!.seconds >= 1.5, JSON.stringify(out.result!.waited));
    assert.ok(took < 15_000, `stopped at the deadline (${took} ms)`);
    assert.match(out.result!.summary, /^busy after waiting 1\.\d s: gpu: 3 compute processes/);
    assert.equal(out.result!.next_action.command, "codexctl gate --gpu --wait-free --timeout 1.5");
  } finally {
    await tools.remove();
  }
});

Deno.test("gate: bad input is a v1 error envelope with exit 2 (nonexistent --path, lone --path/--timeout, bad numbers, bad regex)", async () => {
  const tools = await FakeGateTools.create();
  try {
    const cases: [string[], string, RegExp][] = [
      [
        ["--min-free-disk", "1", "--path", "/no/such/dir/anywhere"],
        "BAD_PATH",
        /--path \/no\/such\/dir\/anywhere does not exist/,
      ],
      [["--path", "/tmp"], "BAD_ARGS", /--path goes with --min-free-disk/],
      [["--timeout", "5"], "BAD_ARGS", /--timeout goes with --wait-free/],
      [["--min-free-mem", "lots"], "BAD_ARGS", /--min-free-mem: expected a number of GiB, got "lots"/],
      [["--min-free-mem", "0"], "BAD_ARGS", /must be more than 0 GiB/],
      [["--procs", "(unclosed"], "BAD_ARGS", /--procs: "\(unclosed" is not a valid regular expression/],
      [["--procs", ""], "BAD_ARGS", /must not be empty/],
      [["--wait-free", "--timeout", "-3"], "BAD_FLAG", /--timeout needs a value/],
      [["--gpus"], "BAD_FLAG", /codexctl gate has no flag --gpus/],
    ];
    for (const [args, code, message] of cases) {
      const res = await gateRun(args, tools.env());
      assert.equal(res.code, 2, `${args.join(" ")}: ${JSON.stringify(res.envelope)}`);
      const error = (res.envelope as { error: { class: string; code: string; message: string } }).error;
      assert.equal(error.class, "usage");
      assert.equal(error.code, code, `${args.join(" ")}: ${error.message}`);
      assert.match(error.message, message);
    }
  } finally {
    await tools.remove();
  }
});

Deno.test("gate in a terminal: a short checklist with the verdict and the next command (NO_COLOR honoured)", async () => {
  const tools = await FakeGateTools.create({ nvidiaSmi: true, docker: true });
  const server = await TmuxServer.create();
  try {
    await tools.setGpu({ capture: capture("h100"), state: "load" });
    await tools.setDocker({ stdout: docker("ps_none.stdout") });
    // tmux keeps its own PATH for a new pane: set the environment through env(1) instead
    const env = Object.entries({ ...tools.env(), NO_COLOR: "1" }).map(([k, v]) => `${k}=${v}`);
    const pane = await server.spawn(
      [
        "/usr/bin/env",
        ...env,
        Deno.execPath(),
        "run",
        "-q",
        "-P",
        `--config=${REPO_ROOT}/deno.json`,
        MAIN_TS,
        "gate",
        "--gpu",
        "--docker",
      ],
      { cwd: REPO_ROOT, width: 200 },
    );
    await pane.waitFor(/→ codexctl gate/, 30_000);
    // the whole output, also when tmux's "Pane is dead" line has scrolled its first line away
    const screen = await pane.history();
    const lines = screen.split("\n").filter((l) => l !== "" && !/^Pane is dead/.test(l));
    assert.match(lines[0], /^busy — not free for a hand-off$/);
    assert.match(lines[1], /^ {2}✗ gpu {5}3 compute processes/);
    assert.match(lines[2], /^ {2}✓ docker {2}no running container$/);
    assert.equal(lines[3], "  → codexctl gate --gpu --docker --wait-free --timeout 600");
    assert.equal(lines.length, 4);
    assert.doesNotMatch(screen, /\{|"ok"/, "no JSON at a terminal");
  } finally {
    await server.kill();
    await tools.remove();
  }
});

Deno.test("gate --help and codexctl schema gate describe the verb and its result", async () => {
  const help = await runCli(["gate", "--help"], { env: { NO_COLOR: "1" } });
  assert.equal(help.code, 0);
  for (
    const text of [
      "--gpu",
      "--docker",
      "--procs <PATTERN>",
      "--min-free-mem <GB>",
      "--path <P>",
      "--wait-free",
      "--timeout <S>",
      "nvidia-smi",
      "docker ps",
      "no GPU",
    ]
  ) {
    assert.ok(help.stdout.includes(text), `gate --help mentions ${text}`);
  }
  const schema = await runCli(["schema", "gate"]);
  assert.equal(schema.code, 0);
  const doc = schema.json as { $id: string; properties: Record<string, { enum?: string[] }> };
  assert.equal(doc.$id, "https://codexctl.dev/schema/v1/gate.json");
  assert.deepEqual(doc.properties.verdict.enum, ["free", "busy"]);
  const list = await runCli(["--help"], { env: { NO_COLOR: "1" } });
  assert.match(
    (list.json as { result: { help: string } }).result.help,
    /^ {2}gate +Say whether this machine is free for a hand-off/m,
  );
});
