/**
 * What Codex waits on, as the answer path sees it: one {@linkcode Gate} shape for a gate read off a
 * session (its verdict and its screen) and for a request the Codex daemon holds pending. Built here,
 * classified by `decide.ts`, answered by `answer.ts`. Pure: no I/O.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { PendingRequest } from "../codex/daemon/requests.ts";
import { gateSignature } from "../verdict/change.ts";
import { readScreen } from "../verdict/screen.ts";
import { isAwaiting } from "../verdict/states.ts";
import type { ApprovalSubject } from "./approval.ts";

/**
 * The kinds of gate: a permission gate (a command or a file change waits for approval), a proposed
 * plan, the folder-trust or update dialog, a question, a request codexctl cannot answer, or none.
 */
export type GateKind = "none" | "permission" | "plan" | "trust" | "question" | "other";

/** One option the gate offers. */
export interface GateOption {
  key: string;
  label: string;
  /** Picking it declines (a "No, …" option; a `decline`/`cancel` decision). */
  rejects: boolean;
}

/** What Codex waits on now, for the answer path. */
export interface Gate {
  kind: GateKind;
  /** The target as a flag, for the commands messages name (`--session cdx-1a2b`, `--thread <id>`). */
  target: string;
  /** The verdict reason (`permission_request`, `plan_approval`, `trust_dialog` …); for the audit log. */
  reason: string;
  /** What the caller was shown (the verdict's summary, or what the request asks). */
  summary: string;
  /**
   * The names the caller may have read this gate under: the session's gate signature, a daemon
   * request's key and item id. An answer names one of them, or the gate has changed (stale).
   */
  ids: string[];
  /** A dialog or widget is up: keys typed now land in it, not in the composer. */
  dialog: boolean;
  options: GateOption[];
  /** A permission gate: what Codex asks to do (null command: not known). */
  subject: ApprovalSubject | null;
  /** Where the session works (a thread: its cwd), for the policy's `cwdInWorktree` rules. */
  worktree: string | null;
  /** A daemon gate: the pending request an answer is the result for. */
  request: PendingRequest | null;
  /** What it waits on, as a phrase for messages ("approval to run `touch x`"). */
  what: string;
}

const REJECTS = /^no\b/i;

/** The gate of a session: from the verdict the caller can see and the screen the pane shows. */
export function sessionGate(
  verdict: Verdict,
  screen: string,
  context: { session: string; cwd: string | null; worktree: string | null },
): Gate {
  const facts = readScreen(screen);
  const base = {
    target: `--session ${context.session}`,
    worktree: context.worktree,
    reason: verdict.reason,
    summary: verdict.summary,
    ids: [gateSignature(verdict)].filter((s): s is string => s !== null),
    dialog: Boolean(facts.approval || facts.widget || facts.planMenu || facts.trust || facts.update),
    options: verdict.options.map((o) => ({ key: o.key, label: o.label, rejects: REJECTS.test(o.label) })),
    request: null,
  };
  if (!isAwaiting(verdict)) {
    return noGate(base.target, `${context.session} is ${verdict.state}/${verdict.reason}`, verdict.reason);
  }
  if (verdict.state === "permission_gate") {
    const subject: ApprovalSubject = {
      kind: facts.approval?.kind === "edits" ? "fileChange" : "command",
      command: facts.approval?.command ?? null,
      cwd: context.cwd,
    };
    return { ...base, kind: "permission", subject, what: approvalPhrase(subject) };
  }
  if (verdict.reason === "trust_dialog") {
    return { ...base, kind: "trust", subject: null, what: "an answer to its folder-trust dialog" };
  }
  if (verdict.state === "awaiting_approval") {
    return { ...base, kind: "plan", subject: null, what: "a decision on its proposed plan" };
  }
  return {
    ...base,
    kind: "question",
    subject: null,
    what: verdict.questions.length
      ? `an answer to "${verdict.questions.at(-1)!.slice(0, 120)}"`
      : "an answer to its question",
  };
}

/** The subject of a pending daemon approval. */
export function approvalSubject(
  request: PendingRequest & { kind: "command_approval" | "file_change_approval" },
): ApprovalSubject {
  return request.kind === "command_approval"
    ? { kind: "command", command: request.command_text ?? request.command, cwd: request.cwd }
    : { kind: "fileChange", command: null, cwd: request.grant_root };
}

/**
 * The gate of a request the Codex daemon holds pending for a thread (the TUI shows its dialog);
 * `worktree` is the session's worktree, else the thread's cwd.
 */
export function requestGate(request: PendingRequest, threadId: string, worktree: string | null): Gate {
  const base = {
    target: `--thread ${threadId}`,
    worktree,
    ids: [...new Set([request.key, request.item_id])].filter((s): s is string => s !== null),
    dialog: true,
    request,
  };
  switch (request.kind) {
    case "command_approval":
    case "file_change_approval": {
      const subject = approvalSubject(request);
      return {
        ...base,
        kind: "permission",
        reason: "permission_request",
        summary: `Codex asks for ${approvalPhrase(subject)}`,
        options: request.options.map((o) => ({
          key: o.key,
          label: o.label,
          rejects: o.decision === "decline" || o.decision === "cancel",
        })),
        subject,
        what: approvalPhrase(subject),
      };
    }
    case "user_input": {
      const q = request.questions[0];
      return {
        ...base,
        kind: "question",
        reason: "question",
        summary: q ? `Codex asks: ${q.question}` : "Codex asks a question",
        options: (q?.options ?? []).map((o) => ({ key: o.key, label: o.label, rejects: false })),
        subject: null,
        what: `an answer to "${q?.question.slice(0, 120) ?? "a question"}"`,
      };
    }
    case "other":
      return {
        ...base,
        kind: "other",
        reason: "other_request",
        summary: `Codex waits on a ${request.method} request`,
        options: [],
        subject: null,
        what: `a ${request.method} request`,
      };
  }
}

/** No gate: Codex waits on nothing (`summary` says what it does instead). */
export function noGate(target: string, summary: string, reason: string): Gate {
  return {
    kind: "none",
    target,
    reason,
    summary,
    ids: [],
    dialog: false,
    options: [],
    subject: null,
    worktree: null,
    request: null,
    what: "nothing",
  };
}

/** A gate of a thread whose status says it waits, but whose request has not arrived. */
export function flaggedGate(threadId: string, flags: string[]): Gate {
  const approval = flags.includes("waitingOnApproval");
  return {
    kind: approval ? "permission" : "question",
    target: `--thread ${threadId}`,
    reason: approval ? "permission_request" : "question",
    summary: approval ? "Codex waits for an approval" : "Codex waits for an answer to a question",
    ids: [],
    dialog: true,
    options: [],
    subject: approval ? { kind: "command", command: null, cwd: null } : null,
    worktree: null,
    request: null,
    what: approval ? "an approval" : "an answer to a question",
  };
}

function approvalPhrase(subject: ApprovalSubject): string {
  if (subject.kind === "fileChange") return "approval of a file change";
  return subject.command ? `approval to run \`${subject.command.slice(0, 120)}\`` : "an approval";
}
