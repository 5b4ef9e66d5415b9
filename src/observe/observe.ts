/**
 * One observation of one Codex: the evidence of every source assembled into one snapshot, and the
 * verdict machine's decision on it. This is the only place that calls `decide` (`src/verdict/`);
 * `status`, the session driver, `watch` and the Claude Code hooks all observe through here, and the
 * readers they feed it (rollout, pane, daemon, process) stay readers.
 *
 * Sources, one slot each in {@linkcode Sources}:
 * - `rollout` — a {@linkcode RolloutReading} (`rollout.ts`): the folded thread, its format
 *   confidence and how long it has been silent (with `stallMs`, an open turn becomes stalled);
 * - `pane` — what the substrate read off the pane (screen, scrollback, herdr's agent status);
 * - `daemon` — ask the Codex daemon what the thread waits on (`daemon.ts`);
 * - `process` — whether the Codex process lives (later also its start time and exit status);
 * - `exec` — a headless `codex exec` run (`start --via exec`): its event stream, read by the exec
 *   substrate (`substrate/exec_read.ts`) together with its `process` (pid + start time, exit status);
 * - `review` — the run is a review (`codexctl review`): once its turn ended, the review Codex kept in
 *   the thread's rollout (else its final message's text) is read (`codex/rollout/review_read.ts`).
 *
 * Adding a source: give it a slot here and in `verdict/evidence.ts` (`Evidence`), a reader below
 * `src/observe/` (e.g. `codex/exec/`), rules with their own `source` in `src/verdict/`, and a case
 * in `tests/verdict_rules_test.ts`' rule coverage.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import { notFoundError } from "../errors.ts";
import { type Compatibility, compatibility } from "../codex/rollout/compat.ts";
import { codexHome, locateOrThrow } from "../codex/rollout/locate.ts";
import type { DaemonReading } from "../codex/daemon/evidence.ts";
import type {
  Evidence,
  ExecEvidence,
  PaneEvidence,
  ProcessEvidence,
  ReviewEvidence,
  VerdictTarget,
} from "../verdict/evidence.ts";
import { readReview } from "../codex/rollout/review_read.ts";
import { filterReview } from "../codex/rollout/review.ts";
import { decide } from "../verdict/machine.ts";
import type { VerdictSource } from "../verdict/rule.ts";
import { verdictSignature } from "../verdict/change.ts";
import { type EndedFacts, endedVerdict } from "../verdict/ended.ts";
import { checkArtifacts } from "./artifacts.ts";
import { askDaemon } from "./daemon.ts";
import { quietMs, readRollout, type RolloutReading } from "./rollout.ts";

/** Everything one observation is told, one slot per evidence source. */
export interface Sources {
  /** What the verdict is about (its `next_action` commands name it). */
  target: VerdictTarget;
  /** ms since the epoch (default: now). */
  now?: number;
  /** The rollout as read by `readRollout` (null: none bound or found). */
  rollout: RolloutReading | null;
  /** The pane, as the substrate read it (absent: Codex does not run in a pane). */
  pane?: PaneEvidence | null;
  /** The Codex process, when known. */
  process?: ProcessEvidence | null;
  /** Ask the Codex daemon under this Codex home about the thread (absent: do not ask). */
  daemon?: { codexHome: string; timeoutMs?: number } | null;
  /** A headless run's event stream (the exec substrate's reading). */
  exec?: ExecEvidence | null;
  /** The exec run is a review: read what it found once its turn ended (absent: not a review). */
  review?: ReviewSource | null;
  /** The completion marker (null: the one the thread's own messages asked for). */
  marker: string | null;
  /** `--expect` paths; relative ones are taken from `cwd`, else from the thread's cwd. */
  expect?: string[];
  cwd?: string | null;
  /** Judge an open turn stalled once its rollout has been silent this long (absent: never). */
  stallMs?: number | null;
}

/** Where a review run's review is read from. */
export interface ReviewSource {
  codexHome: string;
  /** The repository the review ran in (files inside it are reported relative to it). */
  repoRoot: string | null;
  /** Keep only findings at this priority or higher (null: all). */
  minPriority: number | null;
}

/** What one observation produced. */
export interface Observation {
  evidence: Evidence;
  verdict: Verdict;
  /** The rule that decided (`thread.completed`, `screen.plan_menu` …; `fallback` when none did). */
  rule: string;
  /** The evidence that decided (null: nothing did). */
  source: VerdictSource | null;
  /** The change signature of the verdict (`verdict/change.ts`): equal signatures are the same news. */
  signature: string;
  /** How well the rollout's format was understood (null: no rollout). */
  compatibility: Compatibility | null;
  /** The daemon's reading (null: not asked, or no daemon socket). */
  daemon: DaemonReading | null;
}

/** Gathers the evidence of `sources` and decides its verdict. */
export async function observe(sources: Sources): Promise<Observation> {
  const now = sources.now ?? Date.now();
  const r = sources.rollout;
  const state = r?.progress.state ?? null;
  const compat = r ? compatibility(r.progress.stats, r.progress.state) : null;
  const evidence: Evidence = {
    target: sources.target,
    now,
    thread: r && compat
      ? {
        state: r.progress.state,
        rollout_path: r.path,
        confidence: compat.confidence,
        warnings: compat.warnings,
        quiet_ms: quietMs(r, now),
      }
      : null,
    pane: sources.pane ?? null,
    process: sources.process ?? null,
    marker: sources.marker,
    artifacts: await checkArtifacts(sources.expect ?? [], sources.cwd ?? state?.cwd ?? null),
    stall_ms: sources.stallMs ?? null,
  };
  if (sources.exec) evidence.exec = sources.exec;
  if (sources.review && sources.exec) evidence.review = await reviewEvidence(sources.review, sources.exec);
  const thread = sources.target.thread ?? state?.thread_id ?? null;
  const daemon = sources.daemon && thread
    ? await askDaemon(sources.daemon.codexHome, thread, sources.daemon.timeoutMs)
    : null;
  if (daemon?.available) evidence.daemon = daemon;
  const { verdict, rule, source } = decide(evidence);
  return {
    evidence,
    verdict,
    rule,
    source,
    // a headless session counts its runs (one turn each): a second finished run is news again
    signature: verdictSignature(verdict, sources.exec ? sources.exec.run : state?.turn_count ?? 0),
    compatibility: compat,
    daemon,
  };
}

/**
 * The observation of a session that has ended: its ended record is the only evidence left (the
 * pane is closed, the record deleted), and its verdict is the one it ended on (`verdict/ended.ts`).
 */
export function observeEnded(facts: EndedFacts, target: VerdictTarget, now = Date.now()): Observation {
  const verdict = endedVerdict(facts);
  return {
    evidence: { target, now, thread: null, pane: null, process: null, marker: null, artifacts: [] },
    verdict,
    rule: "session.ended",
    source: null,
    signature: verdictSignature(verdict, 0),
    compatibility: null,
    daemon: null,
  };
}

/** A review run's review, once its turn completed (read from the rollout, else the final message). */
async function reviewEvidence(source: ReviewSource, exec: ExecEvidence): Promise<ReviewEvidence> {
  if (exec.turn !== "completed") return { review: null, source: null };
  const read = await readReview({
    codexHome: source.codexHome,
    threadId: exec.thread_id,
    repoRoot: source.repoRoot,
    finalMessage: exec.last_agent_message,
  });
  return { review: read.review ? filterReview(read.review, source.minPriority) : null, source: read.source };
}

/** Options of {@linkcode observeThread}. */
export interface ObserveThreadOptions {
  expect?: string[];
  marker?: string | null;
  /** Ask the Codex daemon too. */
  daemon?: boolean;
}

/**
 * `status --thread`: locates a thread by reference (`not_found/NO_THREAD` when it has no rollout),
 * reads its rollout from the start and observes it.
 */
export async function observeThread(
  env: { get(k: string): string | undefined },
  ref: string,
  options: ObserveThreadOptions = {},
): Promise<Observation & { rollout: RolloutReading }> {
  const located = await locateOrThrow(env, ref);
  const home = codexHome(env);
  const rollout = await readRollout({ path: located.path, thread: located.id, codexHome: home, from: null });
  if (!rollout) {
    throw notFoundError(
      "NO_THREAD",
      `the rollout of thread ${located.id} vanished while it was being read`,
      `look again: codexctl status --thread ${located.id}`,
    );
  }
  const obs = await observe({
    target: { session: null, thread: located.id },
    rollout,
    daemon: options.daemon ? { codexHome: home } : null,
    marker: options.marker ?? null,
    expect: options.expect,
  });
  return { ...obs, rollout };
}
