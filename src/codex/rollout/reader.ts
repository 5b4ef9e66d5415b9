/**
 * Reading a thread: tail new bytes from a cursor, parse them, fold them. The result (cursor +
 * state + counters) is plain JSON that watchers and hooks persist between runs.
 *
 * @module
 */
import { newStats, type ParseStats, type RolloutEvent } from "./events.ts";
import { scanHead } from "./head.ts";
import { parseLine, setterKey, settles } from "./parse.ts";
import { foldWithTransitions, initialState, type ThreadState, type Transition } from "./fold.ts";
import { scanLines, START, type TailCursor, type TailOptions } from "./tail.ts";

/** A reader's position in one rollout and what it learned so far. */
export interface ThreadProgress {
  cursor: TailCursor;
  state: ThreadState;
  stats: ParseStats;
}

/** Where a new reader starts. */
export function freshProgress(): ThreadProgress {
  return { cursor: { ...START }, state: initialState(), stats: newStats() };
}

/** What one read cycle produced. */
export interface ThreadRead {
  progress: ThreadProgress;
  events: RolloutEvent[];
  transitions: Transition[];
  /** The file shrank or was replaced: the reader started over from 0 (state was reset). */
  restarted: "truncated" | "replaced" | null;
  /** Bytes consumed by this read. */
  bytes: number;
  skipped: { offset: number; length: number }[];
  more: boolean;
  /** The file's last modification time at the read (ms since the epoch; null when unknown). */
  mtime: number | null;
}

/** Options of {@linkcode readThread}. */
export interface ReadThreadOptions extends TailOptions {
  /** Keep the normalised events in the result (default true; false saves memory on big files). */
  keepEvents?: boolean;
}

/** Reads and folds whatever `path` gained since `progress` (a fresh reader when omitted). */
export async function readThread(
  path: string,
  progress: ThreadProgress = freshProgress(),
  options: ReadThreadOptions = {},
): Promise<ThreadRead> {
  const keep = options.keepEvents ?? true;
  const delta = newStats();
  const batch: (RolloutEvent | Deferred)[] = [];
  const setters = new Map<string, number[]>(); // setter key → indexes in batch
  const scan = await scanLines(path, progress.cursor, (bytes, offset) => {
    const head = scanHead(bytes);
    const key = setterKey(head);
    if (key === null) {
      const event = parseLine(bytes, offset, delta, head);
      if (event) batch.push(event);
      return;
    }
    // a setter: keep its bytes, decide after the scan whether it must be parsed
    delta.lines++;
    delta.known++;
    delta.head_only++;
    const at = setters.get(key) ?? [];
    at.push(batch.length);
    setters.set(key, at);
    batch.push({ k: "deferred", key, ts: head.ts, offset, bytes: bytes.slice() });
  }, options);
  resolveSetters(batch, setters);
  // a line still being skipped from the previous read is not counted twice
  delta.oversized =
    scan.skipped.filter((x) => !(progress.cursor.skipping && x.offset === progress.cursor.offset)).length;
  const restarted: ThreadRead["restarted"] = scan.truncated ? "truncated" : scan.replaced ? "replaced" : null;
  // after a restart the old state describes content that is gone: start over
  const base = restarted ? initialState() : progress.state;
  const stats = restarted ? delta : addStats(progress.stats, delta);
  const events = batch as RolloutEvent[]; // resolveSetters replaced every deferred entry
  const { state, transitions } = foldWithTransitions(base, events);
  return {
    progress: { cursor: scan.cursor, state, stats },
    events: keep ? events : [],
    transitions,
    restarted,
    bytes: restarted ? scan.cursor.offset : scan.cursor.offset - progress.cursor.offset,
    skipped: scan.skipped,
    more: scan.more,
    mtime: scan.mtime,
  };
}

/** A setter line whose parsing was put off until the end of the read. */
interface Deferred {
  k: "deferred";
  key: string;
  ts: number | null;
  offset: number;
  bytes: Uint8Array;
}

/**
 * Replaces deferred setters in place: the last of each kind is parsed; the earlier ones become
 * `tick` events (they still count as activity), unless the last one leaves a field unset, in which
 * case all of that kind are parsed. The fold result is exactly that of parsing every line.
 */
function resolveSetters(batch: (RolloutEvent | Deferred)[], setters: Map<string, number[]>): void {
  const scratch = newStats();
  for (const indexes of setters.values()) {
    const last = batch[indexes[indexes.length - 1]] as Deferred;
    const lastEvent = parseLine(last.bytes, last.offset, scratch);
    const all = !settles(lastEvent);
    for (const i of indexes) {
      const d = batch[i] as Deferred;
      if (d === last) batch[i] = lastEvent ?? { k: "tick", ts: d.ts, offset: d.offset };
      else if (all) {
        batch[i] = parseLine(d.bytes, d.offset, scratch) ?? { k: "tick", ts: d.ts, offset: d.offset };
      } else batch[i] = { k: "tick", ts: d.ts, offset: d.offset };
    }
  }
}

/** Sums two sets of counters. */
export function addStats(a: ParseStats, b: ParseStats): ParseStats {
  const unknown = { ...a.unknown };
  for (const [k, v] of Object.entries(b.unknown)) unknown[k] = (unknown[k] ?? 0) + v;
  return {
    lines: a.lines + b.lines,
    known: a.known + b.known,
    head_only: a.head_only + b.head_only,
    invalid_json: a.invalid_json + b.invalid_json,
    malformed: a.malformed + b.malformed,
    unknown,
    oversized: a.oversized + b.oversized,
  };
}
