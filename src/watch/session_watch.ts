/**
 * Following a session: one compact line (≤ 500 characters) per change of its verdict, de-duplicated
 * by signature; permission gates surfaced (or approved and audited with --auto-approve); the pane
 * closed on verified completion unless --no-close.
 *
 * @module
 */
import type { Envelope, Verdict } from "../envelope.ts";
import type { Session, SessionObservation } from "../driver/session.ts";
import { endSession } from "../driver/end.ts";
import { statusCommand } from "../verdict/next.ts";
import { type Change, coalesce, failureChange, gateSignature } from "../verdict/change.ts";
import { type FailurePatterns, newFailures } from "../verdict/tool_failure.ts";
import { type FileValue, readFileValue, valueChange, type WatchedFile } from "./file_value.ts";
import { isVerifiedCompletion } from "../verdict/states.ts";
import { renderLine } from "./line.ts";
import { RateLimiter } from "./rate.ts";
import type { ApprovalPolicy } from "../policy/config.ts";
import { answerSession } from "../driver/answering.ts";
import { CodexctlError } from "../errors.ts";
import { ChangeNotifier } from "../codex/rollout/changes.ts";

/** Options of {@linkcode watchSession}. */
export interface SessionWatchOptions {
  timeoutSec: number;
  /** The approval policy (config rules and --auto-approve); the default surfaces every gate. */
  policy: ApprovalPolicy;
  noClose: boolean;
  minIntervalSec: number;
  /** The failure rule's patterns (`config.jsonc` `failures`, else the defaults). */
  failures: FailurePatterns;
  /** `--watch-file`: the file and its value when the watch began (null: none). */
  file: { file: WatchedFile; value: FileValue } | null;
  emit(text: string, envelope: Envelope): void;
}

/** How often a `--watch-file` is read. */
const FILE_CHECK_MS = 1000;

/** A one-line summary of a verdict for a watch line (questions and options inline). */
export function verdictSummary(v: Verdict): string {
  const options = v.options.length ? ` (${v.options.map((o) => `${o.key}. ${o.label}`).join(", ")})` : "";
  return `${v.summary}${options}`;
}

/** Watches a session until it completes, exits, or the time runs out. Returns the exit code. */
export async function watchSession(session: Session, o: SessionWatchOptions): Promise<number> {
  const deadline = Date.now() + o.timeoutSec * 1000;
  const target = { session: session.id, thread: session.record.thread_id };
  const detail = statusCommand(target);
  const limiter = new RateLimiter(o.minIntervalSec * 1000);
  let lastSig: string | null = null;
  // wake on rollout writes at once; look at the screen at least every 700 ms
  let notifier: ChangeNotifier | null = null;
  let candidate: string | null = null;
  const line = (item: Change, verdict: Verdict) => {
    const { text, envelope } = renderLine(
      item,
      verdict,
      { session: session.id, thread: session.record.thread_id },
      null,
      detail,
    );
    o.emit(text, envelope);
  };
  // failures in new tool output (at most one per turn) and value changes of --watch-file: lines of
  // their own, through the same rate limit, coalesced when several wait
  const extra: Change[] = [];
  let failureTurn: string | null = null;
  let fileValue = o.file?.value ?? null;
  let lastFile = Date.now();
  const gather = (obs: SessionObservation) => {
    const found = newFailures(obs.toolOutputs, o.failures, failureTurn);
    failureTurn = found.told;
    for (const f of found.failures) extra.push(failureChange(f));
    if (o.file && fileValue && Date.now() - lastFile >= FILE_CHECK_MS) {
      lastFile = Date.now();
      const value = readFileValue(o.file.file);
      const change = valueChange(o.file.file, fileValue, value);
      if (change) extra.push(change);
      fileValue = value;
    }
  };
  /** Writes what waits (all of it when `force`, else while the rate limit allows). */
  const flush = (verdict: Verdict, force = false) => {
    if (extra.length && (force || limiter.take(Date.now()))) line(coalesce(extra.splice(0)), verdict);
  };
  try {
    while (Date.now() < deadline) {
      const obs = await session.observe({ toolOutputs: true });
      gather(obs);
      const v = obs.verdict;
      flush(v, v.state === "exited" || v.state === "completed" || !!session.ended);
      if (session.ended) {
        // ended elsewhere (end, another watch): say how, once, and stop
        line({ event: "ended", summary: v.summary, priority: 9 }, v);
        return 0;
      }
      const sig = obs.signature;
      // a state read off the screen must be seen twice in a row (the TUI may still be painting)
      const steady = obs.source === "thread" || obs.source === "pane" || obs.source === "exec" ||
        candidate === sig;
      candidate = sig;
      if (
        steady && sig !== lastSig && (v.state !== "working" || lastSig !== null) && limiter.take(Date.now())
      ) {
        lastSig = sig;
        await session.remember(v);
        line({ event: "verdict", summary: verdictSummary(v), priority: 5 }, v);
        if (v.state === "exited") return 0;
        if (v.state === "permission_gate") {
          // the policy answers through the answer path; never a gate whose text changed since it was read
          const again = await session.observe({ recent: false, toolOutputs: true });
          gather(again);
          const answered = await answerSession(session, again, { kind: "policy" }, {
            by: "watch",
            seen: gateSignature(v),
            policy: o.policy,
          }).catch((err) => {
            if (err instanceof CodexctlError && err.errorClass === "not_found") return null; // stale or gone
            throw err;
          });
          const d = answered?.decision;
          if (answered?.outcome === "answered" && d?.outcome === "allow") {
            const verb = d.answer.kind === "approve" ? "Approved" : "Rejected";
            line({
              event: "auto_approved",
              summary: `${verb} by policy (${d.rule}): ${v.summary}`,
              priority: 5,
            }, { ...v, state: "auto_approved" });
            lastSig = null;
            candidate = null;
          }
        } else if (v.state === "completed") {
          // a headless run has nothing left to close, and its session keeps the final message for status
          if (isVerifiedCompletion(v) && !o.noClose && session.substrate.can.screen) {
            const ended = await endSession(session.store, session.id, session.env, { by: "watch", final: v });
            const wt = ended.worktree
              ? (ended.worktree.kept ? `worktree kept (${ended.worktree.reason})` : "worktree removed")
              : "";
            line({
              event: "ended",
              summary: `Verified completion: session closed (pane ${ended.pane}${wt ? `, ${wt}` : ""})`,
              priority: 9,
            }, { ...v, state: "ended", reason: "auto_closed" });
          }
          return 0;
        }
      }
      // wake on writes to what decides: a headless run's event stream (its directory also gets the
      // exit status), else the rollout
      const watched = obs.evidence.exec?.events_path ?? session.record.rollout_path;
      if (watched) {
        if (!notifier) notifier = new ChangeNotifier(watched);
        else notifier.retarget(watched);
      }
      await (notifier ? notifier.wait(700) : new Promise((r) => setTimeout(r, 700)));
    }
  } finally {
    notifier?.close();
  }
  const last = await session.observe({ toolOutputs: true });
  gather(last);
  flush(last.verdict, true);
  line({
    event: "ended",
    summary:
      `watch ended: no more time (--timeout ${o.timeoutSec} s); re-arm with codexctl watch --session ${session.id}`,
    priority: 9,
  }, last.verdict);
  return 0;
}
