/**
 * The gate's pure parts on recorded real outputs: nvidia-smi captures from real GPUs and docker ps
 * recorded here (tests/fixtures/gate/README.md), parsed and judged; the process filter; df and ps
 * parsing on this machine's real output; the --wait-free loop on a scripted clock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { GateResultSchema } from "../src/envelope.ts";
import { decideGate, GPU_PROCESS_MIN_MIB } from "../src/gate/decide.ts";
import { parseDockerPs } from "../src/gate/docker.ts";
import type { GateEvidence, GpuFacts, Probe } from "../src/gate/evidence.ts";
import { APPS_QUERY, GPU_QUERY, parseAppsCsv, parseGpuCsv } from "../src/gate/nvidia.ts";
import { isCodexProcess, matchProcesses, parsePs, PS_ARGV } from "../src/gate/procs.ts";
import { dfArgv, parseDfP } from "../src/gate/disk.ts";
import { FIRST_POLL_MS, gate, MAX_POLL_MS } from "../src/gate/wait.ts";
import { answer, captureSection } from "./support/fake_nvidia_smi.ts";
import { capture, GATE_FIXTURES } from "./support/fake_gate_tools.ts";

const NEXT = { waitCommand: "codexctl gate --gpu --wait-free --timeout 600" };
const NO_MIN = { minFreeMemGib: null, minFreeDiskGib: null };

/** What codexctl's own two queries get from a recorded capture, parsed. */
function gpuFacts(name: Parameters<typeof capture>[0], state: "idle" | "load"): GpuFacts {
  const text = Deno.readTextFileSync(capture(name));
  const ask = (argv: readonly string[], kind: "gpu" | "apps") => {
    const [query, format] = argv.slice(1);
    const out = answer(
      captureSection(text, state, kind),
      kind,
      query.slice(query.indexOf("=") + 1).split(","),
      format.slice("--format=".length),
    );
    assert.equal(out.code, 0, out.stdout);
    return out.stdout;
  };
  const gpus = parseGpuCsv(ask(GPU_QUERY, "gpu"));
  const processes = parseAppsCsv(ask(APPS_QUERY, "apps"));
  assert.ok(gpus && processes, "codexctl reads what nvidia-smi prints");
  return { gpus, processes };
}

function gpuVerdict(facts: GpuFacts) {
  return decideGate({ gpu: { kind: "ok", value: facts } }, NO_MIN, NEXT);
}

Deno.test("gpu: recorded captures — idle GPUs are free, loaded ones busy with their processes named", () => {
  const h100idle = gpuFacts("h100", "idle");
  assert.deepEqual(h100idle.gpus, [{
    index: 0,
    uuid: "GPU-00000000-0000-0000-0000-000000000000",
    name: "NVIDIA H100 80GB HBM3",
    memoryUsedMib: 0,
    memoryTotalMib: 81559,
    utilizationPct: 0,
  }]);
  assert.deepEqual(h100idle.processes, []);
  assert.equal(gpuVerdict(h100idle).verdict, "free");

  const h100load = gpuFacts("h100", "load");
  assert.deepEqual(h100load.processes.map((p) => [p.pid, p.name, p.usedMemoryMib]), [
    [11327, "/root/tools/memhog", 2566],
    [11328, "/root/tools/memhog", 1542],
    [11345, "./gpu_burn", 15690],
  ]);
  const busy = gpuVerdict(h100load);
  assert.equal(busy.verdict, "busy");
  assert.equal(busy.checks[0].status, "busy");
  assert.match(
    busy.reasons[0],
    /^gpu: 3 compute processes \(11327 memhog 2566 MiB, 11328 memhog 1542 MiB, 11345 gpu_burn 15690 MiB\)/,
  );
  assert.match(busy.reasons[0], /19818\/81559 MiB, 100 % util/);
  assert.deepEqual(busy.next_action, {
    intent: "wait",
    command: NEXT.waitCommand,
    why: "wait until it is free, then hand off (or hand off work that does not need this resource)",
  });
  GateResultSchema.parse(busy);
});

Deno.test("gpu: a desktop compositor holding 25 MiB is listed but not work; two ffmpeg encoders are", () => {
  const idle = gpuFacts("rtx4080", "idle");
  assert.deepEqual(idle.processes.map((p) => [p.name, p.usedMemoryMib]), [["/usr/bin/kwin_wayland", 25]]);
  assert.ok(25 < GPU_PROCESS_MIN_MIB);
  const free = gpuVerdict(idle);
  assert.equal(free.verdict, "free");
  const check = free.checks[0] as { processes: { counted: boolean }[]; summary: string };
  assert.deepEqual(check.processes.map((p) => p.counted), [false]);
  assert.match(check.summary, /1 small process not counted/);
  const load = gpuVerdict(gpuFacts("rtx4080", "load"));
  assert.equal(load.verdict, "busy");
  assert.match(load.reasons[0], /2 compute processes \(5022 ffmpeg 503 MiB, 5021 ffmpeg 360 MiB\)/);
});

Deno.test("gpu: MIG reports no utilisation ([N/A] → null) and is judged by its processes", () => {
  const idle = gpuFacts("h100mig", "idle");
  assert.equal(idle.gpus[0].utilizationPct, null);
  assert.equal(idle.gpus[0].memoryUsedMib, 59);
  assert.equal(gpuVerdict(idle).verdict, "free");
  assert.match(gpuVerdict(idle).checks[0].summary, /util n\/a/);
  assert.equal(gpuVerdict(gpuFacts("h100mig", "load")).verdict, "busy");
});

Deno.test("gpu: a 100 % utilisation sample with nothing allocated is free; the same load with memory in use and no visible process is busy", () => {
  const idle = gpuFacts("l40s", "idle");
  assert.equal(idle.gpus[0].utilizationPct, 100);
  assert.equal(idle.gpus[0].memoryUsedMib, 0);
  assert.equal(gpuVerdict(idle).verdict, "free");
  // the H100 under load, seen from a namespace where its processes are invisible (another container)
  const load = gpuFacts("h100", "load");
  const hidden = gpuVerdict({ gpus: load.gpus, processes: [] });
  assert.equal(hidden.verdict, "busy");
  assert.match(hidden.reasons[0], /GPU 0 at 100 % with no compute process visible/);
});

Deno.test("gpu: parsers refuse what is not their shape; [N/A] memory counts a process (it cannot be measured)", () => {
  assert.equal(
    parseGpuCsv("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."),
    null,
  );
  assert.equal(parseGpuCsv("0, GPU-x, A100, 12 MiB, 80 MiB, 3 %"), null, "units must be gone (nounits)");
  assert.deepEqual(parseGpuCsv(""), []);
  assert.equal(parseAppsCsv("pid, process_name\n1, x"), null);
  const apps = parseAppsCsv("GPU-a, 42, C:\\Program Files (x86)\\x, y.exe, [N/A]\n");
  assert.deepEqual(apps, [{
    gpuUuid: "GPU-a",
    pid: 42,
    name: "C:\\Program Files (x86)\\x, y.exe",
    usedMemoryMib: null,
  }]);
  const facts: GpuFacts = {
    gpus: [{ index: 0, uuid: "GPU-a", name: "X", memoryUsedMib: 5, memoryTotalMib: 100, utilizationPct: 0 }],
    processes: apps!,
  };
  assert.equal(gpuVerdict(facts).verdict, "busy");
});

Deno.test("gpu: absent is free and said plainly; unknown is busy", () => {
  const absent = decideGate(
    { gpu: { kind: "absent", why: "no GPU: nvidia-smi is not installed" } },
    NO_MIN,
    NEXT,
  );
  assert.equal(absent.verdict, "free");
  assert.equal(absent.checks[0].status, "absent");
  assert.deepEqual(absent.reasons, []);
  assert.equal(absent.next_action.intent, "start");
  assert.equal(absent.next_action.command, null);
  const unknown = decideGate({ gpu: { kind: "unknown", why: "nvidia-smi failed (exit 18)" } }, NO_MIN, NEXT);
  assert.equal(unknown.verdict, "busy");
  assert.deepEqual(unknown.reasons, ["gpu: nvidia-smi failed (exit 18)"]);
});

const dockerFile = (name: string) => Deno.readTextFileSync(join(GATE_FIXTURES, "docker", name));

Deno.test("docker: recorded docker ps — none is free, two running is busy with their names, a paused one is not counted", () => {
  assert.deepEqual(parseDockerPs(dockerFile("ps_none.stdout")), []);
  const two = parseDockerPs(dockerFile("ps_two_running.stdout"))!;
  assert.deepEqual(two.map((c) => [c.name, c.image, c.state]), [
    ["isaac-sim", "local/busybox:1", "running"],
    ["trainer", "local/busybox:1", "running"],
  ]);
  const busy = decideGate({ docker: { kind: "ok", value: two } }, NO_MIN, NEXT);
  assert.equal(busy.verdict, "busy");
  assert.match(
    busy.reasons[0],
    /^docker: 2 running containers: isaac-sim \(local\/busybox:1, Up 2 seconds\), trainer/,
  );
  const paused = parseDockerPs(dockerFile("ps_one_paused.stdout"))!;
  assert.deepEqual(paused.map((c) => c.state), ["running", "paused"]);
  const one = decideGate({ docker: { kind: "ok", value: paused } }, NO_MIN, NEXT);
  assert.match(one.reasons[0], /1 running container: isaac-sim .*\(1 paused, not counted\)/);
  const onlyPaused = decideGate({ docker: { kind: "ok", value: paused.slice(1) } }, NO_MIN, NEXT);
  assert.equal(onlyPaused.verdict, "free");
  // older docker prints no State: read from Status
  assert.deepEqual(
    parseDockerPs(
      '{"ID":"a","Names":"x","Image":"i","Status":"Up 3 hours (Paused)"}\n{"ID":"b","Names":"y","Image":"i","Status":"Up 1 second"}',
    )!
      .map((c) => c.state),
    ["paused", "running"],
  );
  assert.equal(parseDockerPs("CONTAINER ID   IMAGE"), null);
  assert.equal(parseDockerPs("[1,2]"), null);
});

Deno.test("procs: the pattern against whole command lines, Codex and codexctl and this call's ancestry left out", () => {
  const entries = parsePs([
    "    1     0 /sbin/init",
    "    2     0 [kthreadd]",
    "  100     1 bash -c codexctl gate --procs pytest",
    "  101   100 /home/u/.deno/bin/deno run -q -P --config=/p/codexctl/deno.json /p/codexctl/src/main.ts gate --procs pytest",
    "  200     1 python -m pytest tests/",
    "  300     1 /usr/lib/node_modules/@openai/codex/vendor/codex-x86_64-unknown-linux-musl exec run pytest",
    "  301     1 node /usr/lib/node_modules/@openai/codex/bin/codex.js exec run pytest",
    "  302     1 /root/.claude/plugins/codexctl/bin/codexctl watch --session cdx-1 pytest",
    "  303     1 deno run -A /somewhere/codexctl/src/main.ts watch pytest",
    "  400     1 pytest-watch",
  ].join("\n"));
  assert.equal(entries.length, 9, "the kernel thread is left out");
  const matches = matchProcesses(entries, /pytest/, 101);
  assert.deepEqual(matches, [
    { pid: 200, command: "python -m pytest tests/" },
    { pid: 400, command: "pytest-watch" },
  ]);
  assert.deepEqual(matchProcesses(entries, /^pytest$/, 101), []);
  for (
    const cmd of [
      "codex",
      "codex exec x",
      "/a/codex.js",
      "codexctl",
      "/x/codexctl-linux-x64 gate",
      "node /usr/local/bin/codex exec run pytest",
      "/usr/bin/deno run -q -P --config /home/u/.claude/plugins/cache/codexctl/codexctl/0.1.0/deno.json /home/u/.claude/plugins/cache/codexctl/codexctl/0.1.0/src/main.ts watch --session cdx-1",
      "bash /home/u/.claude/plugins/cache/codexctl/codexctl/0.1.0/bin/codexctl hook stop",
    ]
  ) {
    assert.ok(isCodexProcess(cmd), cmd);
  }
  for (
    const cmd of [
      "python codex_eval.py",
      "node codex_eval.js",
      "/home/me/codexperiments/run.sh",
      "vim codex.md",
    ]
  ) {
    assert.equal(isCodexProcess(cmd), false, cmd);
  }
  assert.deepEqual([...PS_ARGV], ["ps", "-A", "-ww", "-o", "pid=,ppid=,args="]);
});

Deno.test("disk and ps: this machine's real df -Pk and ps output parse", async () => {
  const df = await new Deno.Command(dfArgv(Deno.cwd())[0], { args: dfArgv(Deno.cwd()).slice(1) }).output();
  const space = parseDfP(new TextDecoder().decode(df.stdout));
  assert.ok(space && space.totalBytes > 0 && space.availableBytes <= space.totalBytes, JSON.stringify(space));
  assert.deepEqual(
    parseDfP(
      "Filesystem     1024-blocks  Used Available Capacity Mounted on\nmy disk 1000 400 600 40% /mnt/my disk\n",
    ),
    { totalBytes: 1000 * 1024, availableBytes: 600 * 1024 },
  );
  assert.equal(parseDfP("df: /nope: No such file or directory"), null);
  const ps = await new Deno.Command(PS_ARGV[0], { args: PS_ARGV.slice(1) }).output();
  const entries = parsePs(new TextDecoder().decode(ps.stdout));
  const me = entries.find((e) => e.pid === Deno.pid);
  assert.ok(me, "this test's own process is listed");
  assert.equal(me.ppid, Deno.ppid);
  assert.match(me.command, /deno/);
});

Deno.test("memory and disk thresholds: below is busy, at or above is free, without one reported only", () => {
  const GiB = 1024 ** 3;
  const memory: Probe<{ availableBytes: number; totalBytes: number }> = {
    kind: "ok",
    value: { availableBytes: 3.5 * GiB, totalBytes: 16 * GiB },
  };
  const look = (ev: GateEvidence, mem: number | null, disk: number | null) =>
    decideGate(ev, { minFreeMemGib: mem, minFreeDiskGib: disk }, NEXT);
  assert.equal(look({ memory }, null, null).verdict, "free");
  assert.equal(look({ memory }, 3.5, null).verdict, "free");
  const low = look({ memory }, 4, null);
  assert.equal(low.verdict, "busy");
  assert.equal(low.reasons[0], "memory: 3.5 GiB of 16 GiB available, below the 4 GiB asked for");
  const disk = {
    path: "/data",
    probe: { kind: "ok", value: { availableBytes: 10 * GiB, totalBytes: 100 * GiB } },
  } as const;
  assert.equal(look({ disk }, null, 10).verdict, "free");
  assert.match(
    look({ disk }, null, 10.5).reasons[0],
    /^disk: 10 GiB of 100 GiB free at \/data, below the 10.5 GiB/,
  );
});

Deno.test("--wait-free: looks again after 1 s, doubling to at most 10 s, until free; never past the deadline", async () => {
  let clock = 0;
  const pauses: number[] = [];
  const busy: GateEvidence = {
    docker: { kind: "ok", value: [{ id: "a", name: "job", image: "i", state: "running", status: "Up" }] },
  };
  const free: GateEvidence = { docker: { kind: "ok", value: [] } };
  let looks = 0;
  const deps = (freeAt: number) => ({
    gather: () => Promise.resolve(++looks >= freeAt ? free : busy),
    now: () => clock,
    sleep: (ms: number) => {
      pauses.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  });
  const freed = await gate(deps(6), NO_MIN, NEXT, 600_000);
  assert.equal(freed.verdict, "free");
  assert.deepEqual(pauses, [FIRST_POLL_MS, 2000, 4000, 8000, MAX_POLL_MS]);
  assert.deepEqual(freed.waited, { seconds: 25, polls: 6, timed_out: false });

  looks = 0;
  clock = 0;
  pauses.length = 0;
  const out = await gate(deps(Infinity), NO_MIN, NEXT, 5_500);
  assert.equal(out.verdict, "busy");
  assert.deepEqual(pauses, [1000, 2000, 2500], "the last pause ends at the deadline");
  assert.deepEqual(out.waited, { seconds: 5.5, polls: 4, timed_out: true });
  assert.match(out.summary, /^busy after waiting 5.5 s: docker: 1 running container/);
  assert.equal(out.next_action.intent, "wait");

  looks = 0;
  const once = await gate(deps(Infinity), NO_MIN, NEXT, null);
  assert.equal(once.waited, null);
  assert.equal(looks, 1);
});

Deno.test("long lists are bounded: at most 50 processes or containers listed, all of them counted", () => {
  const procs = Array.from({ length: 120 }, (_, i) => ({ pid: 1000 + i, command: `python job_${i}.py` }));
  const p = decideGate({ procs: [{ pattern: "python", probe: { kind: "ok", value: procs } }] }, NO_MIN, NEXT);
  const check = p.checks[0] as { matches: unknown[]; summary: string };
  assert.equal(check.matches.length, 50);
  assert.match(check.summary, /^120 processes match \/python\/: 1000 python job_0\.py/);
  const containers = Array.from({ length: 80 }, (_, i) => ({
    id: String(i),
    name: `c${i}`,
    image: "i",
    state: i < 70 ? "paused" : "running",
    status: "Up",
  }));
  const d = decideGate({ docker: { kind: "ok", value: containers } }, NO_MIN, NEXT);
  const dc = d.checks[0] as { containers: { state: string }[]; summary: string };
  assert.equal(dc.containers.length, 50);
  assert.equal(dc.containers.filter((c) => c.state === "running").length, 10, "the running ones are kept");
  assert.match(dc.summary, /^10 running containers: c70 .*\(70 paused, not counted\)$/);
  GateResultSchema.parse(p);
  GateResultSchema.parse(d);
});

Deno.test("the terminal checklist: verdict line, one line per check with its mark, the next step; colour only when asked", async () => {
  const { renderGate } = await import("../src/gate/render.ts");
  const result = decideGate(
    {
      gpu: { kind: "absent", why: "no GPU: nvidia-smi is not installed" },
      docker: { kind: "unknown", why: "docker ps did not answer in time" },
      memory: { kind: "ok", value: { availableBytes: 8 * 1024 ** 3, totalBytes: 16 * 1024 ** 3 } },
    },
    NO_MIN,
    NEXT,
    { seconds: 12.5, polls: 4, timedOut: true },
  );
  assert.equal(
    renderGate(result, false),
    [
      "busy — not free for a hand-off  (gave up after 12.5 s, 4 looks)",
      "  – gpu     no GPU: nvidia-smi is not installed",
      "  ? docker  docker ps did not answer in time",
      "  ✓ memory  8 GiB of 16 GiB available",
      `  → ${NEXT.waitCommand}`,
    ].join("\n"),
  );
  assert.ok(renderGate(result, true).startsWith("\x1b[1;31mbusy\x1b[0m"), "red when colour is on");
  const free = decideGate(
    { memory: { kind: "ok", value: { availableBytes: 1, totalBytes: 2 } } },
    NO_MIN,
    NEXT,
  );
  assert.match(
    renderGate(free, false),
    /^free — ready for a hand-off\n {2}✓ memory .*\n {2}→ the machine is free: hand the task off now/,
  );
});
