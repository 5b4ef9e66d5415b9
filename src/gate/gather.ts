/**
 * One pass of the gate's probes, run side by side: what to look at ({@linkcode GatePlan}) in,
 * {@linkcode GateEvidence} out. The judging is `decide.ts`'s.
 *
 * @module
 */
import type { GateEvidence, Probe, Space } from "./evidence.ts";
import { probeGpu } from "./nvidia.ts";
import { probeDocker } from "./docker.ts";
import { listProcesses, matchProcesses } from "./procs.ts";
import { probeMemory } from "./memory.ts";
import { probeDisk } from "./disk.ts";

/** What one gate call looks at. */
export interface GatePlan {
  gpu: boolean;
  docker: boolean;
  /** `--procs` patterns, as given. */
  procs: readonly string[];
  memory: boolean;
  /** The path whose filesystem is checked, or null. */
  disk: string | null;
}

/** Budget for each outside tool of a pass. */
export const PROBE_TIMEOUT_MS = 10_000;

/** Runs the probes of `plan` once. `self` is the pid whose ancestry `--procs` leaves out. */
export async function gatherEvidence(
  plan: GatePlan,
  self: number = Deno.pid,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<GateEvidence> {
  const [gpu, docker, procs, memory, disk] = await Promise.all([
    plan.gpu ? probeGpu(timeoutMs) : undefined,
    plan.docker ? probeDocker(timeoutMs) : undefined,
    plan.procs.length ? probeProcs(plan.procs, self, timeoutMs) : undefined,
    plan.memory ? probeMemory() : undefined,
    plan.disk !== null ? probeDisk(plan.disk, timeoutMs) : undefined,
  ]);
  const evidence: GateEvidence = {};
  if (gpu) evidence.gpu = gpu;
  if (docker) evidence.docker = docker;
  if (procs) evidence.procs = procs;
  if (memory) evidence.memory = memory;
  if (plan.disk !== null) evidence.disk = { path: plan.disk, probe: disk as Probe<Space> };
  return evidence;
}

async function probeProcs(
  patterns: readonly string[],
  self: number,
  timeoutMs: number,
): Promise<GateEvidence["procs"]> {
  const listing = await listProcesses(timeoutMs);
  return patterns.map((pattern) => ({
    pattern,
    probe: listing.kind === "ok"
      ? { kind: "ok", value: matchProcesses(listing.value, new RegExp(pattern), self) }
      : listing,
  }));
}
