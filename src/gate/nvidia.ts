/**
 * The GPU probe: two `nvidia-smi` queries in CSV without header or units — the GPUs (memory used and
 * total, utilisation) and the compute processes — parsed into {@linkcode GpuFacts}. No `nvidia-smi`,
 * or one that finds no driver or no device, means no GPU: said plainly, never an error.
 *
 * @module
 */
import { clip } from "../text.ts";
import type { GpuFacts, GpuInfo, GpuProcess, Probe } from "./evidence.ts";
import { firstLine, runTool, type ToolRun } from "../tool.ts";

/** The argv of the GPU query. */
export const GPU_QUERY: readonly string[] = [
  "nvidia-smi",
  "--query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu",
  "--format=csv,noheader,nounits",
];

/** The argv of the compute-process query. */
export const APPS_QUERY: readonly string[] = [
  "nvidia-smi",
  "--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory",
  "--format=csv,noheader,nounits",
];

/** nvidia-smi's exit code when the NVIDIA driver is not loaded. */
const DRIVER_NOT_LOADED = 9;

/** Asks `nvidia-smi` about the GPUs and their compute processes. */
export async function probeGpu(timeoutMs: number): Promise<Probe<GpuFacts>> {
  const gpus = readOutput(await runTool(GPU_QUERY, timeoutMs));
  if (!gpus.ok) return gpus.probe;
  const parsedGpus = parseGpuCsv(gpus.stdout);
  if (!parsedGpus) return unreadable(gpus.stdout);
  if (parsedGpus.length === 0) return { kind: "absent", why: "nvidia-smi lists no GPU" };
  const apps = readOutput(await runTool(APPS_QUERY, timeoutMs));
  if (!apps.ok) {
    return apps.probe.kind === "absent"
      ? { kind: "unknown", why: `nvidia-smi lists GPUs but not their processes: ${apps.probe.why}` }
      : apps.probe;
  }
  const parsedApps = parseAppsCsv(apps.stdout);
  if (!parsedApps) return unreadable(apps.stdout);
  return { kind: "ok", value: { gpus: parsedGpus, processes: parsedApps } };
}

/** A run's stdout, or the probe outcome of a run that produced none to use. */
function readOutput(run: ToolRun): { ok: true; stdout: string } | { ok: false; probe: Probe<never> } {
  switch (run.kind) {
    case "missing":
      return { ok: false, probe: { kind: "absent", why: "no GPU: nvidia-smi is not installed" } };
    case "timeout":
      return {
        ok: false,
        probe: { kind: "unknown", why: "nvidia-smi did not answer in time (a hung driver?)" },
      };
    case "failed":
      return {
        ok: false,
        probe: { kind: "unknown", why: clip(`nvidia-smi could not be run: ${run.message}`, 300) },
      };
    case "exited": {
      if (run.code === 0) return { ok: true, stdout: run.stdout };
      const said = firstLine(run.stdout, run.stderr);
      if (run.code === DRIVER_NOT_LOADED || /couldn't communicate with the NVIDIA driver/i.test(said)) {
        const why = clip(`no GPU: the NVIDIA driver is not loaded (nvidia-smi: ${said})`, 300);
        return { ok: false, probe: { kind: "absent", why } };
      }
      if (/No devices were found/i.test(said)) {
        return { ok: false, probe: { kind: "absent", why: "no GPU: nvidia-smi found no device" } };
      }
      return {
        ok: false,
        probe: { kind: "unknown", why: clip(`nvidia-smi failed (exit ${run.code}): ${said}`, 300) },
      };
    }
  }
}

function unreadable(stdout: string): Probe<never> {
  return {
    kind: "unknown",
    why: clip(`nvidia-smi printed what codexctl cannot read: ${firstLine(stdout)}`, 300),
  };
}

/** A number as `nounits` prints it, or null for `[N/A]`, `[Not Supported]` and the like. */
function numberOrNull(cell: string): number | null | undefined {
  if (/^\[.*\]$/.test(cell) || cell === "N/A") return null;
  return /^\d+(\.\d+)?$/.test(cell) ? Number(cell) : undefined;
}

/** Splits one CSV line of nvidia-smi (`, ` between cells). */
function cells(line: string): string[] {
  return line.split(",").map((c) => c.trim());
}

/**
 * Parses `--query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu` in
 * `csv,noheader,nounits`; null when a line is not of that shape. (A name with a comma is rejoined.)
 */
export function parseGpuCsv(text: string): GpuInfo[] | null {
  const out: GpuInfo[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l)) {
    const c = cells(line);
    if (c.length < 6) return null;
    const [index, uuid] = c;
    const [used, total, util] = c.slice(-3).map(numberOrNull);
    const name = c.slice(2, -3).join(", ");
    if (!/^\d+$/.test(index) || used === undefined || total === undefined || util === undefined) return null;
    out.push({
      index: Number(index),
      uuid,
      name,
      memoryUsedMib: used,
      memoryTotalMib: total,
      utilizationPct: util === null ? null : Math.min(100, util),
    });
  }
  return out;
}

/**
 * Parses `--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory` in `csv,noheader,nounits`
 * (no line at all when nothing runs); null when a line is not of that shape.
 */
export function parseAppsCsv(text: string): GpuProcess[] | null {
  const out: GpuProcess[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l)) {
    if (/^No running (compute )?processes found/i.test(line)) continue;
    const c = cells(line);
    if (c.length < 4) return null;
    const [uuid, pid] = c;
    const mem = numberOrNull(c[c.length - 1]);
    if (!/^\d+$/.test(pid) || mem === undefined) return null;
    out.push({ gpuUuid: uuid, pid: Number(pid), name: c.slice(2, -1).join(", "), usedMemoryMib: mem });
  }
  return out;
}
