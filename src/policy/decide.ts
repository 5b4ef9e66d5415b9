/**
 * The one classification of every input aimed at Codex while it may wait on a gate: an approval,
 * a rejection, a choice, an answer in words, a follow-up message, raw keys, or the approval policy
 * answering on its own. `decide(gate, input, policy)` says whether the input may go through and as
 * what answer (`allow`), is forbidden by a deny rule (`deny`), or does not fit what Codex waits on
 * (`refuse`, with the error to give and the command to run instead) — and why. Pure: no I/O; the
 * shell that acts on it is `answer.ts`.
 *
 * The rules, in short:
 * - No gate open: a message, text or keys go through; an approval, rejection or choice has nothing
 *   to answer (`NO_GATE`).
 * - Any input into an open gate is an answer or is refused. A message (`send`) into a gate is
 *   refused (`THREAD_BUSY`, naming `reply`), except into a question Codex asked in its chat (no
 *   widget up), which it answers. Keys are never typed into a dialog.
 * - A permission gate takes `--approve`, `--reject` or `--choice N`; never words (a dialog reads a
 *   typed `y` or `p` as "yes" or "don't ask again"). An approving answer — `--approve`, or a choice
 *   that is not a "No" — is held to the deny rules of the approval policy (deny wins, for everyone;
 *   a command not on screen yet may be anything, so any command deny rule holds for it).
 * - A plan takes approve, reject, a choice, or words asking for changes (its menu is dismissed
 *   first). The folder-trust dialog takes approve, reject or a choice. A question takes a choice or
 *   words, never an approval.
 * - The policy answers on its own only permission gates whose dialog (or daemon request) shows what
 *   Codex asks: a deny rule rejects, an allow rule or auto-approve approves, otherwise the gate is
 *   surfaced to the caller (`SURFACED`). A gate only the rollout suggests waits for its dialog.
 * Answers to permission gates, plans and the folder-trust dialog are audited; so is every decision of
 * the policy and every deny.
 *
 * @module
 */
import type { ErrorClass } from "../errors.ts";
import { denyingRule, describeRule, evaluateApproval } from "./approval.ts";
import { type ApprovalPolicy, DEFAULT_POLICY } from "./config.ts";
import type { Gate } from "./gate.ts";

/** An input aimed at Codex. */
export type AnswerInput =
  | { kind: "approve" }
  | { kind: "reject" }
  /** Option N (several numbers answer several daemon questions in order). */
  | { kind: "choice"; n: number[] }
  /** An answer in words (`reply --text`). */
  | { kind: "text"; text: string }
  /** A follow-up message (`send --message`). */
  | { kind: "message"; text: string }
  /** Raw key presses. */
  | { kind: "keys"; keys: string[] }
  /** The approval policy answers on its own (`watch --auto-approve`, allow/deny rules). */
  | { kind: "policy" };

/** What an allowed input is handed over as. */
export type Answer =
  | { kind: "approve" }
  | { kind: "reject" }
  /** `rejects`: the chosen option declines. */
  | { kind: "choice"; n: number[]; rejects: boolean }
  /** Words answering the gate; `dismiss`: close the menu or widget first. */
  | { kind: "text"; text: string; dismiss: boolean }
  /** A message, as a follow-up (no gate is answered). */
  | { kind: "message"; text: string }
  | { kind: "keys"; keys: string[] };

/** The error a refusal becomes (the shell throws it; nothing is sent). */
export interface Refusal {
  class: ErrorClass;
  code: string;
  message: string;
  suggestion: string;
  retryable: boolean;
}

/** What {@linkcode decide} decided, and why. */
export type Decision =
  | {
    outcome: "allow";
    answer: Answer;
    why: string;
    /** The rule (or the caller's explicit answer) that decided, for the audit log. */
    rule: string;
    /** The answer decides a gate that must be audited. */
    audit: boolean;
  }
  | {
    outcome: "deny";
    /** The deny rule that forbids it. */
    rule: string;
    why: string;
    refusal: Refusal;
  }
  | {
    outcome: "refuse";
    why: string;
    refusal: Refusal;
    rule: string;
    /** The refusal is itself a decision to audit (the policy surfaced a permission gate). */
    audit: boolean;
  };

/** How the caller's explicit answers read as a rule in the audit log. */
export function callerRule(input: AnswerInput, verb = "reply"): string {
  switch (input.kind) {
    case "approve":
      return `${verb} --approve`;
    case "reject":
      return `${verb} --reject`;
    case "choice":
      return `${verb} --choice ${input.n.join(",")}`;
    case "text":
      return `${verb} --text`;
    case "message":
      return `${verb} --message`;
    case "keys":
      return `${verb} keys`;
    case "policy":
      return "policy";
  }
}

/** True when deciding `input` on `gate` consults the approval policy (so it must be loaded). */
export function needsPolicy(gate: Gate, input: AnswerInput): boolean {
  if (gate.kind !== "permission") return false;
  if (input.kind === "approve" || input.kind === "policy") return true;
  if (input.kind === "choice") return !chosenRejects(gate, input.n[0]);
  return false;
}

/** True when `input` is an answer `gate` can take (a deny rule may still forbid it). */
export function fits(gate: Gate, input: AnswerInput): boolean {
  return decide(gate, input, DEFAULT_POLICY).outcome !== "refuse";
}

/** Classifies `input` aimed at `gate` under `policy` (see the module doc). */
export function decide(gate: Gate, input: AnswerInput, policy: ApprovalPolicy): Decision {
  const t = gate.target;
  if (gate.kind === "none") {
    switch (input.kind) {
      case "message":
      case "text":
        return allow({ kind: "message", text: input.text }, "no gate is open: a message", "", false);
      case "keys":
        return allow({ kind: "keys", keys: input.keys }, "no gate is open", "", false);
      case "policy":
        return refuse("not_found", "NO_GATE", `Codex waits on nothing the policy could answer`, "", false);
      default:
        return refuse(
          "not_found",
          "NO_GATE",
          `${gate.summary ? `${gate.summary.replace(/[.\s]+$/, "")}: ` : ""}there is nothing to ${
            input.kind === "choice" ? "choose" : input.kind
          }`,
          `read it with: codexctl status ${t}`,
          false,
        );
    }
  }
  if (gate.kind === "other") {
    return refuse(
      "usage",
      "UNSUPPORTED_REQUEST",
      `Codex waits on ${gate.what}, which codexctl cannot answer`,
      "answer it in the Codex TUI",
      false,
    );
  }
  const audited = gate.kind !== "question";
  const rule = callerRule(input);
  switch (input.kind) {
    case "message":
      if (gate.kind === "question" && !gate.dialog) {
        return allow(
          { kind: "text", text: input.text, dismiss: false },
          "Codex asked in its chat",
          rule,
          false,
        );
      }
      return busy(gate);
    case "keys":
      return refuse(
        "usage",
        "BAD_REPLY",
        `Codex waits for ${gate.what}; keys are never typed into it. Nothing was pressed`,
        answerHint(gate),
        false,
      );
    case "policy":
      return policyAnswer(gate, policy);
    case "approve":
      if (gate.kind === "question") return notAnApproval(gate);
      return gate.kind === "permission"
        ? held(gate, { kind: "approve" }, policy, rule)
        : allow({ kind: "approve" }, `the caller approves the ${gate.kind}`, rule, audited);
    case "reject":
      if (gate.kind === "question") return notAnApproval(gate);
      return allow({ kind: "reject" }, `the caller rejects the ${gate.kind}`, rule, audited);
    case "choice": {
      const bad = badChoice(gate, input.n);
      if (bad) return bad;
      const rejects = chosenRejects(gate, input.n[0]);
      const answer = { kind: "choice" as const, n: input.n, rejects };
      if (gate.kind === "permission" && !rejects) return held(gate, answer, policy, rule);
      return allow(answer, `the caller picks option ${input.n.join(",")}`, rule, audited);
    }
    case "text":
      if (gate.kind === "permission" || gate.kind === "trust") {
        return refuse(
          "usage",
          "BAD_REPLY",
          `Codex waits for ${gate.what}, which takes no text${
            gate.request
              ? ". Nothing was sent"
              : "; its dialog would read typed words as its keys. Nothing was typed"
          }`,
          answerHint(gate),
          false,
        );
      }
      return allow(
        { kind: "text", text: input.text, dismiss: gate.dialog && gate.request === null },
        `the caller answers the ${gate.kind} in words`,
        rule,
        audited,
      );
  }
}

function allow(answer: Answer, why: string, rule: string, audit: boolean): Decision {
  return { outcome: "allow", answer, why, rule, audit };
}

function refuse(
  errorClass: ErrorClass,
  code: string,
  message: string,
  suggestion: string,
  audit: boolean,
  rule = "",
  retryable = false,
): Decision {
  return {
    outcome: "refuse",
    why: message,
    rule,
    audit,
    refusal: { class: errorClass, code, message, suggestion, retryable },
  };
}

/** An approving answer on a permission gate: the deny rules hold for everyone. */
function held(gate: Gate, answer: Answer, policy: ApprovalPolicy, rule: string): Decision {
  const denied = denyingRule(policy, gate.subject!, { worktree: gate.worktree }) ??
    unknownCommand(gate, policy);
  if (!denied) return allow(answer, "no deny rule forbids it", rule, true);
  const what = gate.subject?.command
    ? `\`${gate.subject.command.slice(0, 120)}\``
    : gate.subject?.kind === "fileChange"
    ? "this file change"
    : "a command codexctl cannot see yet";
  const message = `the approval policy forbids approving ${what} (${denied}); nothing was ${
    gate.request ? "sent" : "pressed"
  }`;
  return {
    outcome: "deny",
    rule: denied,
    why: message,
    refusal: {
      class: "usage",
      code: "POLICY_DENIED",
      message,
      suggestion: gate.request
        ? "reject it with --reject, or approve it yourself in the Codex TUI if you are sure"
        : `reject it with codexctl reply ${gate.target} --reject, or change $CODEXCTL_HOME/config.jsonc`,
      retryable: false,
    },
  };
}

/**
 * Deny wins when in doubt: a command gate whose command is not known (the rollout says Codex
 * probably waits, but no dialog shows the command yet) may be anything a deny rule names.
 */
function unknownCommand(gate: Gate, policy: ApprovalPolicy): string | null {
  if (gate.subject?.kind !== "command" || gate.subject.command?.trim()) return null;
  const i = policy.rules.findIndex((r) => r.action === "deny" && r.commandPrefix !== undefined);
  return i < 0 ? null : `${describeRule(policy.rules[i], i)}; the command is not on screen yet`;
}

/** What the approval policy does on its own with a gate. */
function policyAnswer(gate: Gate, policy: ApprovalPolicy): Decision {
  if (gate.kind !== "permission") {
    return refuse(
      "usage",
      "SURFACED",
      `the policy answers only permission gates, not ${gate.what}`,
      "",
      false,
    );
  }
  if (!gate.dialog && !gate.request) {
    // the rollout says Codex probably waits, but no dialog shows what it asks: keys would land
    // elsewhere, and the command is not known; the policy decides once the dialog is up
    return refuse(
      "usage",
      "SURFACED",
      "the approval dialog is not on screen yet: the policy answers it once it shows what Codex asks",
      "",
      false,
    );
  }
  const d = evaluateApproval(policy, gate.subject!, { worktree: gate.worktree });
  if (d.action === "surface") {
    return refuse(
      "usage",
      "SURFACED",
      `no rule decides ${gate.what}: it goes to the caller`,
      "",
      true,
      d.rule,
    );
  }
  return allow(
    { kind: d.action },
    `${d.action === "approve" ? "approved" : "rejected"} by ${d.rule}`,
    d.rule,
    true,
  );
}

function busy(gate: Gate): Decision {
  const who = gate.target.startsWith("--thread ") ? `thread ${gate.target.slice(9)}` : gate.target.slice(10);
  return refuse(
    "environment",
    "THREAD_BUSY",
    `${who} is waiting on ${gate.what}; a message now would ${
      gate.request || !gate.dialog ? "not start a turn" : "be typed into its dialog"
    }. Nothing was sent`,
    `answer it first: ${answerHint(gate)} (codexctl status ${gate.target} shows what it asks)`,
    false,
  );
}

function notAnApproval(gate: Gate): Decision {
  return refuse(
    "usage",
    "BAD_REPLY",
    `Codex is asking a question, not for an approval: ${gate.summary.slice(0, 160)}`,
    answerHint(gate),
    false,
  );
}

function badChoice(gate: Gate, n: number[]): Decision | null {
  if (n.length !== 1 && gate.kind !== "question") {
    return refuse("usage", "BAD_REPLY", "an approval takes a single --choice N", answerHint(gate), false);
  }
  if (gate.options.length && n.length === 1 && !gate.options.some((o) => o.key === String(n[0]))) {
    return refuse(
      "usage",
      "BAD_REPLY",
      `--choice ${n[0]} is not one of the options (${gate.options.map((o) => o.key).join(", ")})`,
      answerHint(gate),
      false,
    );
  }
  return null;
}

function chosenRejects(gate: Gate, n: number | undefined): boolean {
  return gate.options.find((o) => o.key === String(n))?.rejects ?? false;
}

/** The commands that answer `gate`. */
function answerHint(gate: Gate): string {
  const reply = `codexctl reply ${gate.target}`;
  const options = gate.options.length
    ? ` (${gate.options.map((o) => `${o.key}. ${o.label.slice(0, 60)}`).join("; ")})`
    : "";
  switch (gate.kind) {
    case "permission":
      return `${reply} --approve or --reject${options ? `, or --choice N${options}` : ""}`;
    case "plan":
      return `${reply} --approve, --reject or --text "<changes>"`;
    case "trust":
      return `${reply} --choice 1 (trust the folder) or --reject`;
    case "question":
      return options ? `${reply} --choice N${options} or --text "<answer>"` : `${reply} --text "<answer>"`;
    default:
      return `codexctl status ${gate.target}`;
  }
}
