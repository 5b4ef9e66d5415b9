/**
 * The memory probe: available and total memory, from Deno's `systemMemoryInfo()` — on Linux that is
 * `/proc/meminfo`'s `MemAvailable` (the kernel's own estimate of what a new program can use) and
 * `MemTotal`, on macOS the adapter Deno keeps for it. (Deno's permission set does not let a program
 * read `/proc/meminfo` itself short of `--allow-all`; `--allow-sys` reaches it this way.)
 *
 * @module
 */
import type { Probe, Space } from "./evidence.ts";

/** Reads available and total memory. */
export function probeMemory(): Promise<Probe<Space>> {
  try {
    const info = Deno.systemMemoryInfo();
    return Promise.resolve(
      info.total > 0
        ? { kind: "ok", value: { availableBytes: info.available, totalBytes: info.total } }
        : { kind: "unknown", why: "the system reports no memory figures" },
    );
  } catch (err) {
    return Promise.resolve({
      kind: "unknown",
      why: `cannot read the memory figures: ${err instanceof Error ? err.message : err}`,
    });
  }
}
