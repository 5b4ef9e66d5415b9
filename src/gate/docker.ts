/**
 * The container probe: `docker ps --format '{{json .}}'` (running and paused containers, one JSON
 * object a line). No docker, or no daemon to ask, means no container can be running: said plainly.
 *
 * @module
 */
import { clip } from "../text.ts";
import type { ContainerInfo, Probe } from "./evidence.ts";
import { firstLine, runTool } from "../tool.ts";
import { jsonObject } from "../json.ts";

/** The argv of the container query. */
export const DOCKER_PS: readonly string[] = ["docker", "ps", "--format", "{{json .}}"];

/** Asks docker for its running (and paused) containers. */
export async function probeDocker(timeoutMs: number): Promise<Probe<ContainerInfo[]>> {
  const run = await runTool(DOCKER_PS, timeoutMs);
  switch (run.kind) {
    case "missing":
      return { kind: "absent", why: "docker is not installed" };
    case "timeout":
      return { kind: "unknown", why: "docker ps did not answer in time" };
    case "failed":
      return { kind: "unknown", why: clip(`docker could not be run: ${run.message}`, 300) };
    case "exited": {
      if (run.code !== 0) {
        const said = firstLine(run.stderr, run.stdout);
        if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(said)) {
          return { kind: "absent", why: clip(`the docker daemon is not running (${said})`, 300) };
        }
        if (/permission denied/i.test(said)) {
          return {
            kind: "unknown",
            why: clip(
              `docker ps was refused (permission denied on the docker socket): add this user to the docker group, or gate without --docker — ${said}`,
              300,
            ),
          };
        }
        return { kind: "unknown", why: clip(`docker ps failed (exit ${run.code}): ${said}`, 300) };
      }
      const containers = parseDockerPs(run.stdout);
      return containers ? { kind: "ok", value: containers } : {
        kind: "unknown",
        why: clip(`docker ps printed what codexctl cannot read: ${firstLine(run.stdout)}`, 300),
      };
    }
  }
}

/**
 * Parses `docker ps --format '{{json .}}'`: one object a line with `ID`, `Names`, `Image`, `State`
 * (docker 20.10 and later) and `Status`; null when a line is not such an object. Without `State`
 * (older docker) the state is read from `Status` ("Up … (Paused)" → paused, "Up …" → running).
 */
export function parseDockerPs(text: string): ContainerInfo[] | null {
  const out: ContainerInfo[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l)) {
    const r = jsonObject(line);
    if (!r) return null;
    const str = (key: string) => (typeof r[key] === "string" ? r[key] as string : "");
    if (!str("ID") && !str("Names")) return null;
    const status = str("Status");
    const state = str("State") ||
      (/\(Paused\)/i.test(status) ? "paused" : /^Up\b/i.test(status) ? "running" : "unknown");
    out.push({ id: str("ID"), name: str("Names"), image: str("Image"), state, status });
  }
  return out;
}
