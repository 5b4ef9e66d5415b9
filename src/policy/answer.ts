/**
 * The answer path: the one place where an input aimed at Codex while it may wait on a gate is
 * decided, audited and handed over. {@linkcode answer} checks that the gate is still the one the
 * caller read (stale gates are refused, nothing is sent), asks `decide` (deny rules included),
 * writes the audit line, and hands the answer to the substrate — keys into a pane, a result for the
 * daemon's pending request, or a message through the caller's verified send. Refusals and denials
 * are thrown as error envelopes; nothing reaches Codex. Pane answers, daemon answers, `send` on
 * both, and the policy's own answers (watch) all come through here, and nothing else in `src/`
 * applies the deny rules or writes the audit log.
 *
 * @module
 */
import { CodexctlError, internalError, notFoundError } from "../errors.ts";
import type { ApprovalDecision } from "../codex/daemon/protocol.ts";
import { decisionFor, decisionName, type PendingRequest, userInputResult } from "../codex/daemon/requests.ts";
import type { Store } from "../store/store.ts";
import type { Handle, Key, Substrate } from "../substrate/substrate.ts";
import { auditApproval } from "./audit.ts";
import { type ApprovalPolicy, DEFAULT_POLICY } from "./config.ts";
import { type Answer, type AnswerInput, decide, type Decision, needsPolicy } from "./decide.ts";
import type { Gate } from "./gate.ts";

/** Everything the answer path needs besides the gate and the input. */
export interface AnswerContext<M = unknown> {
  substrate: Substrate;
  handle: Handle;
  store: Store;
  session: string | null;
  thread: string | null;
  /** The verb answering (`reply`, `send`, `watch`), for the audit log. */
  by: string;
  /**
   * The name the caller read the gate under (a session's remembered gate signature, a daemon
   * request's `--item`); null when the caller named none.
   */
  seen: string | null;
  /** The approval policy, or how to load it (only loaded when the decision needs it). */
  policy: ApprovalPolicy | (() => Promise<ApprovalPolicy>);
  /**
   * Delivers a message and proves it arrived (a pane: the driver's verified send). Absent: the
   * substrate takes the message whole (`can.message`).
   */
  message?: (text: string) => Promise<M>;
  /** Bound for a daemon answer's confirmation (ms). */
  timeoutMs?: number;
}

/** What the answer path did. */
export interface Answered<M = unknown> {
  /** `answered`: handed over; `surfaced`: the policy left the gate to the caller, nothing was sent. */
  outcome: "answered" | "surfaced";
  decision: Decision;
  /** Keys pressed into the pane. */
  keys: Key[];
  /** The result sent for a daemon request (`{decision}` or `{answers}`), or null. */
  sent: Record<string, unknown> | null;
  /** Codex confirmed the daemon answer (`serverRequest/resolved`). */
  confirmed: boolean;
  /** The message delivery (the caller's verified send, or the substrate's), or null. */
  delivery: M | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Decides `input` on `gate`, audits the decision and hands the answer over (see the module doc). */
export async function answer<M = unknown>(
  ctx: AnswerContext<M>,
  gate: Gate,
  input: AnswerInput,
): Promise<Answered<M>> {
  if (gate.kind !== "none" && ctx.seen !== null && !gate.ids.includes(ctx.seen)) throw stale(gate, ctx.seen);
  const policy = needsPolicy(gate, input)
    ? (typeof ctx.policy === "function" ? await ctx.policy() : ctx.policy)
    : (typeof ctx.policy === "function" ? { ...DEFAULT_POLICY } : ctx.policy);
  const decision = decide(gate, input, policy);
  const actor = input.kind === "policy" ? "policy" as const : "caller" as const;
  const audit = (what: string, rule: string) =>
    auditApproval(ctx.store, {
      event: "approval",
      actor,
      channel: gate.request ? "daemon" : "pane",
      session: ctx.session,
      thread: ctx.thread,
      gate: gate.reason,
      seen: gate.summary,
      request_id: gate.request?.key ?? null,
      kind: gate.subject?.kind ?? null,
      command: gate.subject?.command ?? null,
      cwd: gate.subject?.cwd ?? null,
      decision: what,
      rule,
      by: ctx.by,
    });
  if (decision.outcome === "deny") {
    await audit("refused", decision.rule);
    throw refusalError(decision.refusal);
  }
  if (decision.outcome === "refuse") {
    if (decision.audit) await audit("surfaced", decision.rule);
    if (input.kind === "policy" && decision.refusal.code === "SURFACED") {
      return { outcome: "surfaced", decision, keys: [], sent: null, confirmed: false, delivery: null };
    }
    throw refusalError(decision.refusal);
  }
  let handed: Omit<Answered<M>, "outcome" | "decision">;
  try {
    handed = await handOver(ctx, gate, decision.answer);
  } catch (err) {
    // the policy's decision stands in the log even when it could not be sent
    if (decision.audit && actor === "policy") await audit("failed", decision.rule);
    throw err;
  }
  if (decision.audit) {
    const sent = handed.sent?.decision;
    await audit(
      sent !== undefined ? decisionName(sent as ApprovalDecision) : paneDecision(decision.answer),
      decision.rule,
    );
  }
  return { outcome: "answered", decision, ...handed };
}

/** Hands an allowed answer to the substrate (or the caller's verified send, for messages). */
async function handOver<M>(
  ctx: AnswerContext<M>,
  gate: Gate,
  a: Answer,
): Promise<Omit<Answered<M>, "outcome" | "decision">> {
  const none = { keys: [] as Key[], sent: null, confirmed: false, delivery: null };
  const message = async (text: string): Promise<M> => {
    if (ctx.message) return await ctx.message(text);
    return await ctx.substrate.deliver(ctx.handle, { kind: "message", text }, {
      timeoutMs: ctx.timeoutMs,
    }) as M;
  };
  if (a.kind === "message") return { ...none, delivery: await message(a.text) };
  if (a.kind === "keys") {
    await ctx.substrate.deliver(ctx.handle, { kind: "keys", keys: a.keys as Key[] });
    return { ...none, keys: a.keys as Key[] };
  }
  if (gate.request && ctx.substrate.can.requests) {
    const result = requestResult(gate.request, a);
    const done = await ctx.substrate.deliver(
      ctx.handle,
      { kind: "request", request: gate.request, result },
      { timeoutMs: ctx.timeoutMs },
    );
    return { ...none, sent: result, confirmed: done.kind === "answered" && done.confirmed };
  }
  if (!ctx.substrate.can.keys) {
    throw internalError(
      "CANNOT_ANSWER",
      `Codex in ${ctx.substrate.name} cannot take this answer (${a.kind}) to ${gate.what}`,
    );
  }
  if (a.kind === "text") {
    const keys: Key[] = a.dismiss ? ["Esc"] : [];
    if (a.dismiss) {
      await ctx.substrate.deliver(ctx.handle, { kind: "keys", keys });
      await sleep(800);
    }
    return { ...none, keys, delivery: await message(a.text) };
  }
  const keys: Key[] = a.kind === "approve"
    ? ["Enter"]
    : a.kind === "reject"
    ? ["Esc"]
    : [...Array(a.n[0] - 1).fill("Down") as Key[], "Enter"];
  await ctx.substrate.deliver(ctx.handle, { kind: "keys", keys });
  return { ...none, keys };
}

/** The result a daemon request gets for `a` (throws `usage/BAD_REPLY` when it does not fit). */
function requestResult(request: PendingRequest, a: Answer): Record<string, unknown> {
  if (request.kind === "command_approval" || request.kind === "file_change_approval") {
    const decision = decisionFor(
      request,
      a.kind === "approve" || a.kind === "reject" ? { kind: a.kind } : {
        kind: "choice",
        n: a.kind === "choice" ? a.n[0] : 0,
      },
    );
    return { decision };
  }
  if (request.kind === "user_input") {
    return userInputResult(
      request,
      a.kind === "choice"
        ? a.n.map((n) => ({ kind: "choice" as const, n }))
        : a.kind === "text"
        ? [{ kind: "text", text: a.text }]
        : [],
    );
  }
  throw internalError("CANNOT_ANSWER", `a ${request.method} request cannot be answered by codexctl`);
}

/** How a pane answer reads in the audit log. */
function paneDecision(a: Answer): string {
  switch (a.kind) {
    case "choice":
      return `choice ${a.n.join(",")}`;
    case "message":
      return "text";
    default:
      return a.kind;
  }
}

function stale(gate: Gate, seen: string): CodexctlError {
  if (gate.request) {
    return notFoundError(
      "STALE_REQUEST",
      `request ${seen} on ${
        gate.target.slice(2)
      } is no longer pending (Codex now waits on ${gate.request.key} instead); nothing was sent`,
      `read the current state with codexctl status ${gate.target} and answer what Codex waits on now`,
    );
  }
  return notFoundError(
    "STALE_GATE",
    `what Codex asks changed since it was read (now: ${gate.summary}); nothing was answered`,
    `read it again with: codexctl status ${gate.target}, then reply`,
  );
}

function refusalError(
  r: {
    class: CodexctlError["errorClass"];
    code: string;
    message: string;
    suggestion: string;
    retryable: boolean;
  },
): CodexctlError {
  return new CodexctlError(r.class, r.code, r.message, {
    suggestion: r.suggestion || null,
    retryable: r.retryable,
  });
}
