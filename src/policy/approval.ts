/**
 * The approval decision, shared by every channel that can answer a Codex gate (the daemon, the pane
 * driver): given what Codex asks to do and the policy in force, approve, reject, or surface it to the
 * caller. Pure: no I/O, so both channels decide identically.
 *
 * Order: a matching **deny** rule always wins (and also stops an explicit approval); then a matching
 * **allow** rule approves; then `autoApprove` approves; otherwise the gate is surfaced. The default
 * policy therefore surfaces every gate and never approves anything on its own.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import type { ApprovalPolicy, ApprovalRule } from "./config.ts";
import { denyPrefixMatches } from "./deny_match.ts";

export { denyPrefixMatches, matchDeny } from "./deny_match.ts";

/** What Codex asks permission for, channel-neutral. */
export interface ApprovalSubject {
  kind: "command" | "fileChange";
  /** The command as a person would type it (without Codex's `bash -lc` wrapper), when it is a command. */
  command: string | null;
  /** The command's working directory, or a file change's grant root. */
  cwd: string | null;
}

/** Where the session works. */
export interface PolicyContext {
  /** The session's worktree (for a bare thread target: the thread's cwd); null when unknown. */
  worktree: string | null;
}

/** What the policy decided and which rule decided it. */
export interface PolicyDecision {
  /** `approve`/`reject` answer the gate; `surface` leaves it to the caller. */
  action: "approve" | "reject" | "surface";
  /** A readable name of the deciding rule, for the audit log. */
  rule: string;
}

/** Splits a command into words (whitespace-separated; quotes are not interpreted). */
function words(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

/** Shell operators that can chain or redirect: an allow rule never matches a command containing one. */
const SHELL_OPERATORS = /[;&|`<>\n\r]|\$\(/;

/** True when `command` starts with the words of `prefix` and has no shell operators. */
export function allowPrefixMatches(command: string, prefix: string): boolean {
  if (SHELL_OPERATORS.test(command)) return false;
  const c = words(command);
  const p = words(prefix);
  return p.length > 0 && p.length <= c.length && p.every((w, i) => c[i] === w);
}

/** True when `path` is `root` or inside it (lexically, after resolving `.` and `..`). */
export function isInside(path: string, root: string): boolean {
  if (!isAbsolute(path) || !isAbsolute(root)) return false;
  const rel = relative(resolve(root), resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function ruleMatches(rule: ApprovalRule, subject: ApprovalSubject, context: PolicyContext): boolean {
  if (rule.kind && !rule.kind.includes(subject.kind)) return false;
  if (rule.cwdInWorktree) {
    if (!subject.cwd || !context.worktree || !isInside(subject.cwd, context.worktree)) return false;
  }
  if (rule.commandPrefix) {
    if (subject.kind !== "command" || !subject.command) return false;
    const test = rule.action === "deny" ? denyPrefixMatches : allowPrefixMatches;
    if (!rule.commandPrefix.some((prefix) => test(subject.command!, prefix))) return false;
  }
  return true;
}

/** A readable name of rule number `index` (0-based) for the audit log. */
export function describeRule(rule: ApprovalRule, index: number): string {
  const conditions: string[] = [];
  if (rule.kind) conditions.push(`kind ${rule.kind.join("|")}`);
  if (rule.commandPrefix) {
    conditions.push(`commandPrefix ${rule.commandPrefix.map((p) => JSON.stringify(p)).join("|")}`);
  }
  if (rule.cwdInWorktree) conditions.push("cwdInWorktree");
  return `rule ${index + 1}${rule.name ? ` "${rule.name}"` : ""} (${rule.action} ${conditions.join(", ")})`;
}

/** Decides a gate under `policy` (see the module doc for the order). */
export function evaluateApproval(
  policy: ApprovalPolicy,
  subject: ApprovalSubject,
  context: PolicyContext,
): PolicyDecision {
  const deny = denyingRule(policy, subject, context);
  if (deny !== null) return { action: "reject", rule: deny };
  const allow = policy.rules.findIndex((r) => r.action === "allow" && ruleMatches(r, subject, context));
  if (allow >= 0) return { action: "approve", rule: describeRule(policy.rules[allow], allow) };
  if (policy.autoApprove) {
    return {
      action: "approve",
      rule: policy.autoApproveSource === "config" ? "config approvals.autoApprove" : "--auto-approve",
    };
  }
  return { action: "surface", rule: "default: every gate goes to the caller" };
}

/**
 * The deny rule that forbids approving `subject`, or null. An explicit approval by the caller
 * (`reply --approve`) is checked against this: deny rules hold for everyone.
 */
export function denyingRule(
  policy: ApprovalPolicy,
  subject: ApprovalSubject,
  context: PolicyContext,
): string | null {
  const deny = policy.rules.findIndex((r) => r.action === "deny" && ruleMatches(r, subject, context));
  return deny >= 0 ? describeRule(policy.rules[deny], deny) : null;
}
