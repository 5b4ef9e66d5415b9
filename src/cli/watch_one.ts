/**
 * `codexctl watch --session` and `--thread` (loaded on demand by `watch.ts`, so that
 * `watch --all` does not load the pane driver, the approval policy or the daemon client).
 *
 * @module
 */
import { resolveTarget } from "./target.ts";
import { watchThread } from "../watch/thread_watch.ts";
import { watchSession } from "../watch/session_watch.ts";
import { Session } from "../driver/session.ts";
import { Store } from "../store/store.ts";
import type { Envelope } from "../envelope.ts";
import { loadApprovalPolicy } from "../policy/config.ts";
import { addExpect } from "./session_flags.ts";
import type { VerbContext } from "./verb.ts";
import type { FailurePatterns } from "../verdict/tool_failure.ts";
import type { FileValue, WatchedFile } from "../watch/file_value.ts";

/** The flags of `watch` that `--session` and `--thread` use. */
export interface WatchOneArgs {
  session?: string;
  thread?: string;
  timeout: number;
  stall: number;
  until?: "completed" | "settled";
  "min-interval": number;
  fresh?: boolean;
  "auto-approve"?: boolean;
  "no-close"?: boolean;
  expect: string[];
  marker?: string;
}

/** What `watch.ts` checked and loaded for every kind of watch. */
export interface WatchExtras {
  failures: FailurePatterns;
  file: { file: WatchedFile; value: FileValue } | null;
}

/** Watches one session or one thread; returns the exit code. */
export async function watchOne(args: WatchOneArgs, ctx: VerbContext, extras: WatchExtras): Promise<number> {
  const target = resolveTarget("watch", args);
  // a watch line is serialised once, by watch/line.ts (which fits it into 500 characters)
  const emit = (text: string, envelope: Envelope) => ctx.emitLine(envelope, text);
  if (target.kind === "session") {
    const session = await Session.load(Store.fromEnv(ctx.env), target.session, ctx.env);
    await addExpect(session, args.expect);
    return await watchSession(session, {
      timeoutSec: args.timeout,
      policy: await loadApprovalPolicy(ctx.env, { autoApprove: args["auto-approve"] ?? false }),
      noClose: args["no-close"] ?? false,
      minIntervalSec: args["min-interval"],
      ...extras,
      emit,
    });
  }
  return await watchThread({
    ref: target.threadId,
    env: ctx.env,
    timeoutSec: args.timeout,
    stallSec: args.stall,
    until: args.until ?? null,
    minIntervalSec: args["min-interval"],
    fresh: args.fresh ?? false,
    expect: args.expect,
    marker: args.marker ?? null,
    ...extras,
    emit,
  });
}
