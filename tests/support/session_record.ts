/**
 * Session records for hook tests, written straight into a state directory the way the pane driver
 * (issue 5) writes them, bound to a real Codex rollout: a recorded fixture (optionally cut at a
 * line, to be completed later by appending the rest), or a thread a live `codex exec` produced.
 *
 * @module
 */
import { join } from "node:path";
import { type SessionRecord, SessionRecordSchema } from "../../src/session/record.ts";
import { atomicWrite } from "../../src/store/atomic.ts";
import { rolloutPath } from "./fixtures.ts";
import { FIXTURE_MARKER } from "./scenarios.ts";

/** Options of {@linkcode writeSession}. */
export interface SessionOptions {
  session: string;
  owner: string | null;
  rollout_path: string | null;
  thread_id?: string | null;
  codex_home?: string;
  pid?: number | null;
  slug?: string | null;
  /** The completion marker (default: the one the recorded fixtures asked for). */
  marker?: string;
  expect?: string[];
  cwd?: string;
  /** A pane session's substrate and its handle (default: a headless `exec` record, no pane). */
  substrate?: string;
  pane?: Record<string, unknown> | null;
  mode?: "pane" | "tab" | "space" | null;
  label?: string | null;
  plan_mode?: boolean;
  last_state?: string;
  /** The task still to send (a session between start and delivery). */
  pending_task?: string;
}

/** Writes a session record (validated by the real schema) into `<root>/sessions/`, atomically as the store does. */
export async function writeSession(root: string, o: SessionOptions): Promise<SessionRecord> {
  const now = new Date().toISOString();
  const record = SessionRecordSchema.parse({
    v: 1,
    session: o.session,
    created: now,
    updated: now,
    owner: o.owner,
    substrate: o.substrate ?? "exec",
    pane: o.pane ?? null,
    mode: o.mode ?? null,
    slug: o.slug ?? null,
    label: o.label ?? null,
    cwd: o.cwd ?? "/tmp",
    codex_home: o.codex_home ?? "/tmp/codex-home",
    marker: o.marker ?? FIXTURE_MARKER,
    expect: o.expect ?? [],
    plan_mode: o.plan_mode ?? false,
    keep: false,
    worktree: null,
    thread_id: o.thread_id ?? null,
    rollout_path: o.rollout_path,
    pid: o.pid ?? null,
    last_state: o.last_state ?? "working",
    last_reason: null,
    plan: null,
    ...(o.pending_task !== undefined ? { pending_task: o.pending_task } : {}),
  });
  await atomicWrite(join(root, "sessions", `${o.session}.json`), JSON.stringify(record, null, 2) + "\n");
  return record;
}

/** A recorded rollout split in two: `head` are the first lines, `rest` what Codex wrote after them. */
export interface SplitRollout {
  thread: string;
  head: string;
  rest: string;
}

/**
 * Splits a fixture rollout just before the first line matching `cut` (e.g. the turn's end), so a
 * test can write the head (Codex working) and append the rest later (the change).
 */
export function splitFixture(
  version: string,
  scenario: string,
  cut: (line: string) => boolean,
): SplitRollout {
  const text = Deno.readTextFileSync(rolloutPath(version, scenario, "exec"));
  const lines = text.split("\n").filter(Boolean);
  const at = lines.findIndex(cut);
  if (at <= 0) throw new Error(`no line to cut ${scenario} at`);
  const thread = JSON.parse(lines[0]).payload.id as string;
  return {
    thread,
    head: lines.slice(0, at).join("\n") + "\n",
    rest: lines.slice(at).join("\n") + "\n",
  };
}

/** Cuts before the first turn end (`task_complete` / `turn_aborted`): Codex is still working. */
export const BEFORE_TURN_END = (line: string): boolean =>
  line.includes('"type":"task_complete"') || line.includes('"type":"turn_aborted"');
