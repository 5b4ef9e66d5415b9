/**
 * Access to the recorded fixtures for tests: raw lines, and folds of the whole file or of the
 * prefix that ends at an interesting line (the moment a verdict rule is about).
 *
 * @module
 */
import { join } from "node:path";
import { newStats, type ParseStats, type RolloutEvent } from "../../src/codex/rollout/events.ts";
import { parseLine } from "../../src/codex/rollout/parse.ts";
import {
  foldWithTransitions,
  initialState,
  type ThreadState,
  type Transition,
} from "../../src/codex/rollout/fold.ts";
import { compatibility } from "../../src/codex/rollout/compat.ts";
import type { Evidence } from "../../src/verdict/evidence.ts";
import { FIXTURES_DIR } from "./paths.ts";

/** Which run of a scenario. */
export type RunKind = "exec" | "tui";

/** Path of a fixture rollout. */
export function rolloutPath(version: string, scenario: string, kind: RunKind): string {
  return join(FIXTURES_DIR, `codex-${version}`, scenario, `${kind}.rollout.jsonl`);
}

/** True when that run was recorded. */
export function hasRollout(version: string, scenario: string, kind: RunKind): boolean {
  try {
    return Deno.statSync(rolloutPath(version, scenario, kind)).isFile;
  } catch {
    return false;
  }
}

/** The raw lines of a fixture rollout. */
export function rolloutLines(version: string, scenario: string, kind: RunKind): string[] {
  return Deno.readTextFileSync(rolloutPath(version, scenario, kind)).split("\n").filter(Boolean);
}

/** A fold of some lines. */
export interface Folded {
  state: ThreadState;
  transitions: Transition[];
  events: RolloutEvent[];
  stats: ParseStats;
}

/** Folds the given lines one-shot. */
export function foldLines(lines: string[]): Folded {
  const stats = newStats();
  const enc = new TextEncoder();
  let offset = 0;
  const events: RolloutEvent[] = [];
  for (const line of lines) {
    const bytes = enc.encode(line);
    const e = parseLine(bytes, offset, stats);
    if (e) events.push(e);
    offset += bytes.length + 1;
  }
  const { state, transitions } = foldWithTransitions(initialState(), events);
  return { state, transitions, events, stats };
}

/** Folds the lines up to and including the first line matching `test` (the whole file if none). */
export function foldUntil(lines: string[], test: (line: string) => boolean): Folded {
  const i = lines.findIndex(test);
  if (i === -1) throw new Error("no line matches");
  return foldLines(lines.slice(0, i + 1));
}

/** Evidence for a fold, as `status --thread` would build it. */
export function evidenceOf(folded: Folded, extra: Partial<Evidence> = {}): Evidence {
  const compat = compatibility(folded.stats, folded.state);
  return {
    target: { session: null, thread: folded.state.thread_id },
    now: Date.now(),
    thread: {
      state: folded.state,
      rollout_path: null,
      confidence: compat.confidence,
      warnings: compat.warnings,
    },
    pane: null,
    process: null,
    marker: null,
    artifacts: [],
    ...extra,
  };
}

/** A Codex home holding copies of fixture rollouts under sessions/YYYY/MM/DD/, as Codex lays them out. */
export async function homeFromFixtures(
  runs: { version: string; scenario: string; kind: RunKind }[],
): Promise<{ home: string; threads: { id: string; path: string; scenario: string }[] }> {
  const home = await Deno.makeTempDir({ prefix: "codexctl-fixture-home-" });
  const threads: { id: string; path: string; scenario: string }[] = [];
  for (const [i, run] of runs.entries()) {
    const text = Deno.readTextFileSync(rolloutPath(run.version, run.scenario, run.kind));
    const meta = JSON.parse(text.slice(0, text.indexOf("\n")));
    const id: string = meta.payload.id;
    const dir = join(home, "sessions", "2026", "11", "21");
    await Deno.mkdir(dir, { recursive: true });
    const path = join(dir, `rollout-2026-11-21T16-${String(10 + i).padStart(2, "0")}-00-${id}.jsonl`);
    await Deno.writeTextFile(path, text);
    // make listing order deterministic: later runs are newer
    await Deno.utime(
      path,
      new Date(Date.now() - (runs.length - i) * 60_000),
      new Date(Date.now() - (runs.length - i) * 60_000),
    );
    threads.push({ id, path, scenario: run.scenario });
  }
  return { home, threads };
}
