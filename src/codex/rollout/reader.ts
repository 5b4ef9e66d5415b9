/**
 * Reading a thread: tail new bytes from a cursor, parse them, fold them as they stream by. The
 * result (cursor + state + counters) is plain JSON that watchers and hooks persist between runs.
 *
 * @module
 */
import { newStats, type ParseStats, type RolloutEvent } from "./events.ts";
import { scanHead } from "./head.ts";
import { headDecides, parseLine, setterKey, settles } from "./parse.ts";
import {
  foldInto,
  initialState,
  type ThreadState,
  type ToolOutputTransition,
  type Transition,
} from "./fold.ts";
import { toolOutputFacts } from "./tool_output.ts";
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
  /** The transitions of this read, in order: the newest {@linkcode MAX_TRANSITIONS} at most. */
  transitions: Transition[];
  /** Older transitions of this read that were let go to keep memory bounded (0 almost always). */
  transitions_dropped: number;
  /**
   * The tool outputs of this read with their facts (only with `toolOutputs`): the newest
   * {@linkcode MAX_TRANSITIONS} at most, kept apart so they never crowd out the transitions.
   */
  tool_outputs: ToolOutputTransition[];
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
  /**
   * Keep the normalised events in the result (default true). Their number grows with the bytes
   * read: readers of whole rollouts pass false.
   */
  keepEvents?: boolean;
  /**
   * Extract each tool output's facts (exit code, clipped text — `tool_output.ts`) into its
   * `tool_output` transition (default false: the output lines are then decided from their head).
   */
  toolOutputs?: boolean;
}

/** The most transitions one read keeps (the newest). */
export const MAX_TRANSITIONS = 64;
/** Events folded at once: setters are resolved within such a segment (see `resolveSetters`). */
const SEGMENT_EVENTS = 64;
/** Bytes of put-off setter lines held before the segment is folded. */
const SEGMENT_BYTES = 256 * 1024;
/** Lines longer than this whose head says all the state needs are read for their head only. */
const HEAD_ONLY_AFTER = 64 * 1024;
/** How much of such a line is kept (more than `head.ts` ever looks at). */
const HEAD_ONLY_KEEP = 1024;

/**
 * Reads and folds whatever `path` gained since `progress` (a fresh reader when omitted).
 *
 * Memory does not grow with the bytes read: lines are folded as they stream by, in segments of
 * {@linkcode SEGMENT_EVENTS} events; a long line whose head decides it (a tool output, a context
 * message, reasoning, a compaction) is never held beyond its head; only the newest
 * {@linkcode MAX_TRANSITIONS} transitions are kept. The folded state itself is bounded (`fold.ts`).
 */
export async function readThread(
  path: string,
  progress: ThreadProgress = freshProgress(),
  options: ReadThreadOptions = {},
): Promise<ThreadRead> {
  const keep = options.keepEvents ?? true;
  let restarted: ThreadRead["restarted"] = null;
  // the state and counters this read folds into (a copy: the caller's progress is not modified);
  // made at the first line, once the tailer said whether the file started over
  let run: { state: ThreadState; stats: ParseStats } | null = null;
  const begin = () =>
    run ??= restarted
      ? { state: initialState(), stats: newStats() }
      : { state: structuredClone(progress.state), stats: cloneStats(progress.stats) };
  const kept: RolloutEvent[] = [];
  const transitions = new Recent<Transition>(MAX_TRANSITIONS);
  const outputs = new Recent<ToolOutputTransition>(MAX_TRANSITIONS);
  let batch: (RolloutEvent | Deferred)[] = [];
  let setters = new Map<string, number[]>(); // setter key → indexes in batch
  const arena = new Arena(); // the bytes of the put-off setters of this segment
  const flush = () => {
    const { state } = begin();
    resolveSetters(batch, setters, arena);
    const events = batch as RolloutEvent[]; // resolveSetters replaced every deferred entry
    const caused: Transition[] = [];
    foldInto(state, events, caused);
    for (const t of caused) {
      if (t.t === "tool_output") outputs.push(t);
      else transitions.push(t);
    }
    if (keep) { for (const e of events) kept.push(e); }
    batch = [];
    setters = new Map();
    arena.reset();
  };
  const scan = await scanLines(path, progress.cursor, (bytes, offset) => {
    const { stats } = begin();
    const head = scanHead(bytes);
    const key = setterKey(head);
    if (key === null) {
      const event = parseLine(bytes, offset, stats, head);
      if (event?.k === "tool_output" && options.toolOutputs) {
        // a long line may come as its head only: its facts are read from there
        const facts = toolOutputFacts(bytes);
        if (facts) event.facts = facts;
      }
      if (event) batch.push(event);
    } else {
      // a setter: keep its bytes, decide at the end of the segment whether it must be parsed
      stats.lines++;
      stats.known++;
      stats.head_only++;
      const at = setters.get(key) ?? [];
      at.push(batch.length);
      setters.set(key, at);
      batch.push({ k: "deferred", key, ts: head.ts, offset, at: arena.add(bytes), length: bytes.length });
    }
    if (batch.length >= SEGMENT_EVENTS || arena.used >= SEGMENT_BYTES) flush();
  }, {
    ...options,
    headOnly: { after: HEAD_ONLY_AFTER, keep: HEAD_ONLY_KEEP, test: headDecides },
    onRestart: (why) => {
      restarted = why;
      options.onRestart?.(why);
    },
  });
  flush();
  const { state, stats } = begin();
  // a line still being skipped from the previous read is not counted twice
  stats.oversized +=
    scan.skipped.filter((x) =>
      restarted || !(progress.cursor.skipping && x.offset === progress.cursor.offset)
    ).length;
  return {
    progress: { cursor: scan.cursor, state, stats },
    events: kept,
    transitions: transitions.items(),
    transitions_dropped: transitions.dropped,
    tool_outputs: outputs.items(),
    restarted,
    bytes: restarted ? scan.cursor.offset : scan.cursor.offset - progress.cursor.offset,
    skipped: scan.skipped,
    more: scan.more,
    mtime: scan.mtime,
  };
}

/** The newest `max` items pushed, and how many older ones were let go. */
class Recent<T> {
  #items: T[] = [];
  #first = 0;
  dropped = 0;
  constructor(readonly max: number) {}

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length - this.#first > this.max) {
      this.#first++;
      this.dropped++;
      // compact now and then, so the array does not grow with what was dropped
      if (this.#first >= this.max) {
        this.#items = this.#items.slice(this.#first);
        this.#first = 0;
      }
    }
  }

  items(): T[] {
    return this.#first ? this.#items.slice(this.#first) : this.#items;
  }
}

/** A copy of parse counters. */
function cloneStats(s: ParseStats): ParseStats {
  return { ...s, unknown: { ...s.unknown } };
}

/** A setter line whose parsing was put off until the end of its segment. */
interface Deferred {
  k: "deferred";
  key: string;
  ts: number | null;
  offset: number;
  /** Where its bytes are in the segment's {@linkcode Arena}. */
  at: number;
  length: number;
}

/** One growing buffer for the bytes of a segment's put-off setters (no allocation per line). */
class Arena {
  #bytes = new Uint8Array(64 * 1024);
  used = 0;

  /** Copies `bytes` in; returns where they start. */
  add(bytes: Uint8Array): number {
    if (this.used + bytes.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.used + bytes.length, this.#bytes.length * 2));
      grown.set(this.#bytes.subarray(0, this.used));
      this.#bytes = grown;
    }
    const at = this.used;
    this.#bytes.set(bytes, at);
    this.used += bytes.length;
    return at;
  }

  /** The bytes of one put-off line (a view: valid until the next reset). */
  view(d: Deferred): Uint8Array {
    return this.#bytes.subarray(d.at, d.at + d.length);
  }

  /** Empties it; a buffer grown big by one long setter line is let go. */
  reset(): void {
    this.used = 0;
    if (this.#bytes.length > 4 * SEGMENT_BYTES) this.#bytes = new Uint8Array(64 * 1024);
  }
}

/**
 * Replaces deferred setters in place: the last of each kind is parsed; the earlier ones become
 * `tick` events (they still count as activity), unless the last one leaves a field unset, in which
 * case all of that kind are parsed. The fold result is exactly that of parsing every line.
 */
function resolveSetters(
  batch: (RolloutEvent | Deferred)[],
  setters: Map<string, number[]>,
  arena: Arena,
): void {
  const scratch = newStats();
  for (const indexes of setters.values()) {
    const last = batch[indexes[indexes.length - 1]] as Deferred;
    const lastEvent = parseLine(arena.view(last), last.offset, scratch);
    const all = !settles(lastEvent);
    for (const i of indexes) {
      const d = batch[i] as Deferred;
      if (d === last) batch[i] = lastEvent ?? { k: "tick", ts: d.ts, offset: d.offset };
      else if (all) {
        batch[i] = parseLine(arena.view(d), d.offset, scratch) ?? { k: "tick", ts: d.ts, offset: d.offset };
      } else batch[i] = { k: "tick", ts: d.ts, offset: d.offset };
    }
  }
}
