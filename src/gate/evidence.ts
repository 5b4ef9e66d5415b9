/**
 * What the gate's probes found, before any judgement: the raw facts of each resource, or why they
 * could not be had. `decide.ts` turns this evidence into a verdict; nothing here judges.
 *
 * @module
 */

/** A probe's outcome: the facts, the resource is not there, or it could not be read. */
export type Probe<T> =
  | { kind: "ok"; value: T }
  /** The resource does not exist here (no GPU, no docker, no daemon): nothing can be using it. */
  | { kind: "absent"; why: string }
  /** The resource may exist but could not be read (an error, a timeout, output not understood). */
  | { kind: "unknown"; why: string };

/** One GPU (`nvidia-smi --query-gpu`). */
export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  memoryUsedMib: number | null;
  memoryTotalMib: number | null;
  /** null where the GPU reports none (`[N/A]`, e.g. in MIG mode). */
  utilizationPct: number | null;
}

/** One compute process on a GPU (`nvidia-smi --query-compute-apps`). */
export interface GpuProcess {
  gpuUuid: string;
  pid: number;
  name: string;
  /** null where the driver reports none (`[N/A]`). */
  usedMemoryMib: number | null;
}

/** What `nvidia-smi` reported. */
export interface GpuFacts {
  gpus: GpuInfo[];
  processes: GpuProcess[];
}

/** One container (`docker ps`). */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** `running`, `paused`, … */
  state: string;
  /** docker's own words, e.g. `Up 2 hours (Paused)`. */
  status: string;
}

/** One process whose command line matched a `--procs` pattern (Codex and codexctl excluded). */
export interface ProcessMatch {
  pid: number;
  command: string;
}

/** Space on a device, in bytes. */
export interface Space {
  availableBytes: number;
  totalBytes: number;
}

/** Everything the probes of one gate pass found; a check that was not asked for is absent here. */
export interface GateEvidence {
  gpu?: Probe<GpuFacts>;
  docker?: Probe<ContainerInfo[]>;
  procs?: { pattern: string; probe: Probe<ProcessMatch[]> }[];
  memory?: Probe<Space>;
  disk?: { path: string; probe: Probe<Space> };
}
