/**
 * The gate's judgement: evidence in, verdict out. Pure — no IO, no clock — so every rule is tested
 * on recorded real readings (tests/gate_decide_test.ts).
 *
 * The rules, one per resource:
 * - GPU: busy when a compute process holds at least {@linkcode GPU_PROCESS_MIN_MIB} of GPU memory
 *   (smaller ones, such as a desktop compositor, are listed but not counted), or when utilisation is
 *   at least {@linkcode GPU_BUSY_UTIL_PCT} while at least {@linkcode GPU_BUSY_MEMORY_SHARE} of its
 *   memory is in use (work whose process this namespace cannot see, e.g. in another container).
 *   Utilisation alone is not enough: an idle GPU can report a 100 % sample with nothing allocated.
 * - docker: busy while a container is running (a paused one is listed, not counted).
 * - procs: busy while a process other than Codex, codexctl and this call matches the pattern.
 * - memory / disk: busy below the `--min-free-…` threshold; without one, reported only.
 * - Any check that could not be read counts as busy; one whose resource is absent counts as free.
 *
 * @module
 */
import type { GateCheck, GateCheckStatus, GateResult } from "../envelope.ts";
import { clip } from "../text.ts";
import type { ContainerInfo, GateEvidence, GpuFacts, Probe, ProcessMatch, Space } from "./evidence.ts";

/** A compute process holding less GPU memory than this (MiB) is not counted as work. */
export const GPU_PROCESS_MIN_MIB = 64;
/** Utilisation (percent) from which a GPU with memory in use counts as busy. */
export const GPU_BUSY_UTIL_PCT = 10;
/** Share of a GPU's memory in use from which high utilisation counts as busy. */
export const GPU_BUSY_MEMORY_SHARE = 0.1;

/** Thresholds of one gate call. */
export interface GateCriteria {
  /** `--min-free-mem` in GiB, or null (memory reported only). */
  minFreeMemGib: number | null;
  /** `--min-free-disk` in GiB, or null (disk reported only). */
  minFreeDiskGib: number | null;
}

/** What a wait has done so far (`--wait-free`), or null for a single look. */
export interface GateWaitInfo {
  seconds: number;
  polls: number;
  timedOut: boolean;
}

/** What the caller runs next: the same gate, waiting (used when busy). */
export interface GateNext {
  /** e.g. `codexctl gate --gpu --wait-free --timeout 600`. */
  waitCommand: string;
}

const GIB = 1024 ** 3;

/** At most this many processes or containers are listed in a check (the summary counts them all). */
export const MAX_LISTED = 50;

/** Judges one pass of evidence. */
export function decideGate(
  evidence: GateEvidence,
  criteria: GateCriteria,
  next: GateNext,
  waited: GateWaitInfo | null = null,
): GateResult {
  const checks: GateCheck[] = [];
  if (evidence.gpu) checks.push(gpuCheck(evidence.gpu));
  if (evidence.docker) checks.push(dockerCheck(evidence.docker));
  for (const p of evidence.procs ?? []) checks.push(procsCheck(p.pattern, p.probe));
  if (evidence.memory) checks.push(memoryCheck(evidence.memory, criteria.minFreeMemGib));
  if (evidence.disk) checks.push(diskCheck(evidence.disk.path, evidence.disk.probe, criteria.minFreeDiskGib));
  if (checks.length === 0) throw new Error("decideGate: no check was asked for");
  const blocking = checks.filter((c) => countsAsBusy(c.status));
  const verdict = blocking.length ? "busy" : "free";
  const reasons = blocking.map((c) => `${c.name}: ${c.summary}`);
  const summary = verdict === "free"
    ? clip(`free: ${checks.map((c) => c.name).join(", ")} clear`, 200)
    : clip(
      `busy${waited?.timedOut ? ` after waiting ${round(waited.seconds, 1)} s` : ""}: ${reasons.join("; ")}`,
      200,
    );
  return {
    verdict,
    summary,
    reasons,
    checks,
    waited: waited
      ? { seconds: round(waited.seconds, 1), polls: waited.polls, timed_out: waited.timedOut }
      : null,
    next_action: verdict === "free"
      ? {
        intent: "start",
        command: null,
        why:
          "the machine is free: hand the task off now (codexctl start --task … --no-wait, or send/reply to a waiting session)",
      }
      : {
        intent: "wait",
        command: next.waitCommand,
        why: waited?.timedOut
          ? "still busy when the wait ran out: wait again, or hand off work that does not need this resource"
          : "wait until it is free, then hand off (or hand off work that does not need this resource)",
      },
  };
}

/** Whether a check's status blocks a hand-off (busy, or not readable). */
export function countsAsBusy(status: GateCheckStatus): boolean {
  return status === "busy" || status === "unknown";
}

function gpuCheck(probe: Probe<GpuFacts>): GateCheck {
  if (probe.kind !== "ok") {
    return { name: "gpu", status: probe.kind, summary: probe.why, gpus: [], processes: [] };
  }
  const { gpus, processes } = probe.value;
  const counted = (mib: number | null) => mib === null || mib >= GPU_PROCESS_MIN_MIB;
  const procs = processes.map((p) => ({
    gpu_uuid: p.gpuUuid,
    pid: p.pid,
    name: p.name,
    used_memory_mib: p.usedMemoryMib,
    counted: counted(p.usedMemoryMib),
  }));
  const out = {
    gpus: gpus.map((g) => ({
      index: g.index,
      uuid: g.uuid,
      name: g.name,
      memory_used_mib: g.memoryUsedMib,
      memory_total_mib: g.memoryTotalMib,
      utilization_pct: g.utilizationPct,
    })),
    processes: procs,
  };
  if (gpus.length === 0) {
    return { name: "gpu", status: "absent", summary: "nvidia-smi lists no GPU", ...out };
  }
  const work = procs.filter((p) => p.counted);
  const unseen = gpus.filter((g) =>
    g.utilizationPct !== null && g.utilizationPct >= GPU_BUSY_UTIL_PCT &&
    g.memoryUsedMib !== null && g.memoryTotalMib !== null && g.memoryTotalMib > 0 &&
    g.memoryUsedMib / g.memoryTotalMib >= GPU_BUSY_MEMORY_SHARE &&
    !work.some((p) => p.gpu_uuid === g.uuid)
  );
  const gpuText = gpus.map(describeGpu).join("; ");
  if (work.length || unseen.length) {
    const bits: string[] = [];
    if (work.length) {
      bits.push(
        `${work.length} compute process${work.length === 1 ? "" : "es"} (${
          work.map((p) =>
            `${p.pid} ${baseName(p.name)}${p.used_memory_mib === null ? "" : ` ${p.used_memory_mib} MiB`}`
          )
            .join(", ")
        })`,
      );
    }
    for (const g of unseen) {
      bits.push(`GPU ${g.index} at ${g.utilizationPct} % with no compute process visible`);
    }
    return { name: "gpu", status: "busy", summary: clip(`${bits.join("; ")} — ${gpuText}`, 300), ...out };
  }
  const small = procs.length
    ? `; ${procs.length} small process${procs.length === 1 ? "" : "es"} not counted`
    : "";
  return { name: "gpu", status: "free", summary: clip(`no compute work — ${gpuText}${small}`, 300), ...out };
}

function describeGpu(g: GpuFacts["gpus"][number]): string {
  const mem = g.memoryUsedMib !== null && g.memoryTotalMib !== null
    ? `${g.memoryUsedMib}/${g.memoryTotalMib} MiB`
    : "memory n/a";
  const util = g.utilizationPct === null ? "util n/a" : `${g.utilizationPct} % util`;
  return `GPU ${g.index} ${g.name}: ${mem}, ${util}`;
}

function dockerCheck(probe: Probe<ContainerInfo[]>): GateCheck {
  if (probe.kind !== "ok") return { name: "docker", status: probe.kind, summary: probe.why, containers: [] };
  // running ones first, so a long list keeps what matters
  const all = [...probe.value].sort((a, b) => Number(b.state === "running") - Number(a.state === "running"));
  const containers = all.slice(0, MAX_LISTED);
  const running = all.filter((c) => c.state === "running");
  const others = all.length - running.length;
  const otherText = others ? ` (${others} paused, not counted)` : "";
  return running.length
    ? {
      name: "docker",
      status: "busy",
      summary: clip(
        `${running.length} running container${running.length === 1 ? "" : "s"}: ${
          running.map((c) => `${c.name} (${c.image}, ${c.status})`).join(", ")
        }${otherText}`,
        300,
      ),
      containers,
    }
    : { name: "docker", status: "free", summary: `no running container${otherText}`, containers };
}

function procsCheck(pattern: string, probe: Probe<ProcessMatch[]>): GateCheck {
  if (probe.kind !== "ok") {
    return { name: "procs", status: probe.kind, summary: probe.why, pattern, matches: [] };
  }
  const count = probe.value.length;
  const matches = probe.value.slice(0, MAX_LISTED).map((m) => ({
    pid: m.pid,
    command: clip(m.command, 300),
  }));
  return count
    ? {
      name: "procs",
      status: "busy",
      summary: clip(
        `${count} process${count === 1 ? " matches" : "es match"} /${pattern}/: ${
          matches.map((m) => `${m.pid} ${clip(m.command, 60)}`).join(", ")
        }`,
        300,
      ),
      pattern,
      matches,
    }
    : {
      name: "procs",
      status: "free",
      summary: clip(`no process matches /${pattern}/`, 300),
      pattern,
      matches,
    };
}

function memoryCheck(probe: Probe<Space>, min: number | null): GateCheck {
  return { name: "memory", ...spaceReading(probe, min, "available"), min_free_gib: min };
}

function diskCheck(path: string, probe: Probe<Space>, min: number | null): GateCheck {
  return { name: "disk", ...spaceReading(probe, min, `free at ${path}`), path, min_free_gib: min };
}

/** Status, summary and figures of a space (memory or disk) against an optional minimum. */
function spaceReading(probe: Probe<Space>, min: number | null, what: string) {
  if (probe.kind !== "ok") {
    return { status: probe.kind, summary: probe.why, available_gib: null, total_gib: null };
  }
  const available = round(probe.value.availableBytes / GIB, 1);
  const total = round(probe.value.totalBytes / GIB, 1);
  const low = min !== null && probe.value.availableBytes < min * GIB;
  const against = min === null
    ? ""
    : low
    ? `, below the ${min} GiB asked for`
    : ` (at least ${min} GiB asked for)`;
  return {
    status: low ? "busy" as const : "free" as const,
    summary: clip(`${available} GiB of ${total} GiB ${what}${against}`, 300),
    available_gib: available,
    total_gib: total,
  };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
