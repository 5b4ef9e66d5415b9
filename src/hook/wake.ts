/**
 * The wake-up: `codexctl hook wake`, a Stop hook that Claude Code runs with `asyncRewake` (see
 * hooks/hooks.json). In an interactive Claude Code it runs in the background after Claude stopped;
 * when it exits with status 2, its stderr wakes Claude as a new message. (Under `claude -p`
 * Claude Code runs an `asyncRewake` hook in the foreground instead: the Stop waits, and exit 2
 * keeps Claude working with the same text — verified against the pinned Claude Code, see
 * tests/claude_wake_test.ts.)
 *
 * It waits — on filesystem events (the rollouts, the session records, the cursor index), never a
 * tight poll — for the first change of an owned session that needs Claude (`needsClaude`: it
 * completed, failed, was interrupted or exited, or awaits an answer, approval or plan decision),
 * claims it in the owner's cursor index under the owner's lock (so the PostToolUse, UserPromptSubmit
 * and Stop hooks never tell it again, and it never tells what they told), and only then prints one
 * line per claimed change: the session, its state and reason, the next command. It leaves without
 * a word (exit 0) when there is nothing to wait for (no owned session still working), when the Stop
 * hook of the same event blocks (Claude keeps working anyway), when a newer wake-up takes over (the
 * next Stop) or UserPromptSubmit ends it (Claude is busy again), when Claude Code is gone, or when
 * its time runs out (`CODEXCTL_WAKE_SEC`, default 3540 s, under the hook's timeout of 3600 s).
 *
 * @module
 */
import { CodexctlError } from "../errors.ts";
import { OverBudget, withSyncedIndex } from "../fleet/pass.ts";
import { type CursorEntry, indexPath, readIndex } from "../fleet/cursor.ts";
import { ownerKey, ownerTargets } from "../fleet/targets.ts";
import { releaseLease, stillHeld, stopBlocked, takeLease } from "../fleet/lease.ts";
import { fleetDirs, FleetWaiter, nextRecheck, parentGone } from "../fleet/wait.ts";
import { failureNeedsClaude, needsClaude, stillWorking } from "./stop_rules.ts";
import { type Told, toldText } from "./render.ts";
import { failurePatterns } from "../policy/failure_config.ts";
import { logHook } from "./log.ts";
import type { HookInput } from "./input.ts";

/** What a wake-up knows. */
export interface WakeContext {
  env: { get(key: string): string | undefined };
  root: string;
  owner: string;
  input: HookInput;
  /** How long to wait at most (ms). */
  waitMs: number;
  stallMs: number;
  pidCheckMs: number;
}

/** How a wake-up ended: the text to print on stderr and exit 2 with, or why it left quietly. */
export type WakeOutcome =
  | { wake: true; text: string; claimed: { key: string; sig: string }[] }
  | { wake: false; why: string };

/** One synced pass: what it claimed, whether anything still works, and the index as committed. */
interface Round {
  blocked: boolean;
  claimed: { key: string; entry: CursorEntry; what: Told["what"] }[];
  working: boolean;
}

/** Waits for the first change of an owned session that needs Claude; claims it before returning it. */
export async function wakeUp(ctx: WakeContext): Promise<WakeOutcome> {
  const started = Date.now();
  const deadline = started + ctx.waitMs;
  const startPpid = Deno.ppid;
  const key = ownerKey(ctx.owner);
  const lease = takeLease(ctx.root, "wake", key, {
    expires: deadline + 5000,
    command: "codexctl hook wake",
  });
  const waiter = new FleetWaiter();
  // the failure patterns of config.jsonc; a broken one is logged and the defaults apply
  const failures = await failurePatterns(ctx.env, ctx.root).catch(() => undefined);
  let lastPass = 0;
  try {
    for (;;) {
      const targets = ownerTargets(ctx.root, ctx.owner);
      if (!targets.some((t) => t.kind === "session")) return { wake: false, why: "no session to wait for" };
      let round: Round;
      try {
        lastPass = Date.now();
        round = await withSyncedIndex(
          {
            env: ctx.env,
            root: ctx.root,
            owner: ctx.owner,
            deadline: Date.now() + 10_000,
            stallMs: ctx.stallMs,
            failures,
          },
          targets,
          (index) => {
            // the Stop hook of this very Stop blocked: Claude keeps working; its next Stop re-arms
            if (stopBlocked(ctx.root, key, ctx.input.event_id)) {
              return { blocked: true, claimed: [], working: false };
            }
            const claimed: { key: string; entry: CursorEntry; what: Told["what"] }[] = [];
            let working = false;
            for (const [target, entry] of Object.entries(index.entries)) {
              if (needsClaude(entry)) {
                // a failure in its tool output nobody told yet comes with it, once; alone it wakes nobody
                if (failureNeedsClaude(entry)) {
                  entry.failure_told = entry.failure!.sig;
                  claimed.push({ key: target, entry, what: "failure" });
                }
                entry.delivered = entry.sig;
                claimed.push({ key: target, entry, what: "verdict" });
              } else if (stillWorking(entry)) working = true;
            }
            return { blocked: false, claimed, working };
          },
        );
      } catch (err) {
        // over its time budget or the lock was busy: nothing was claimed; look again shortly
        if (!(err instanceof OverBudget) && !(err instanceof CodexctlError && err.code === "LOCK_TIMEOUT")) {
          throw err;
        }
        round = { blocked: false, claimed: [], working: true };
      }
      if (round.blocked) {
        return { wake: false, why: "the Stop hook of this Stop blocks; Claude keeps working" };
      }
      if (round.claimed.length) {
        return {
          wake: true,
          text: toldText(round.claimed.map((c) => ({ facts: c.entry, what: c.what }))),
          claimed: round.claimed.map((c) => ({
            key: c.key,
            sig: c.what === "failure" ? c.entry.failure!.sig : c.entry.sig!,
          })),
        };
      }
      if (!round.working) return { wake: false, why: "no owned session still works" };
      if (!stillHeld(ctx.root, lease)) {
        return { wake: false, why: "a newer wake-up took over, or Claude is busy again" };
      }
      if (parentGone(ctx.env, startPpid)) return { wake: false, why: "Claude Code is gone" };
      const now = Date.now();
      if (now >= deadline) return { wake: false, why: `no change within ${Math.round(ctx.waitMs / 1000)} s` };
      const index = readIndex(indexPath(ctx.root, ctx.owner), ctx.owner);
      waiter.watch(fleetDirs(ctx.root, targets, index));
      const recheck = nextRecheck(index, now, {
        pidCheckMs: ctx.pidCheckMs,
        lastPidProbe: lastPass,
        targets,
      });
      // Claude Code's own liveness is looked at every 10 s at the latest
      const until = Math.min(deadline, recheck ?? Infinity, now + 10_000);
      await waiter.wait(until - now);
    }
  } finally {
    waiter.close();
    releaseLease(ctx.root, lease);
  }
}

/** Runs the wake-up for a hook: logs how it ended, returns the exit code (2 wakes Claude). */
export async function runWake(
  ctx: WakeContext,
  stderr: (text: string) => Promise<void>,
): Promise<number> {
  const outcome = await wakeUp(ctx);
  if (!outcome.wake) {
    await logHook(ctx.root, { event: "Stop", hook: "wake", owner: ctx.owner, left: outcome.why });
    return 0;
  }
  await logHook(ctx.root, {
    event: "Stop",
    hook: "wake",
    owner: ctx.owner,
    woke: outcome.claimed,
    chars: outcome.text.length,
  });
  await stderr(outcome.text + "\n");
  return 2;
}
