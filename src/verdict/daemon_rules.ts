/**
 * Verdict rules decided by the Codex daemon: when it reports a pending approval or question for
 * the thread, that — with its exact command, reason, decisions, questions and options — is what
 * Codex waits on, whatever the rollout (which never records approvals) or the screen suggest.
 * Proven against the real 0.169 daemon in tests/daemon_verdict_test.ts.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { blank, choiceVerdict, type Rule } from "./rule.ts";
import { next, targetFlag } from "./next.ts";

function rule(name: string, apply: (e: Evidence) => Verdict | null): Rule {
  return {
    name,
    source: "daemon",
    apply: (e) => (e.daemon?.available && e.daemon.request ? apply(e) : null),
  };
}

/** `--item KEY` for thread targets (the daemon's stable handle); sessions answer in their pane. */
function item(e: Evidence): string {
  return e.target.session ? "" : ` --item ${e.daemon!.request!.key}`;
}

/** Daemon rules, in order. */
export const DAEMON_RULES: readonly Rule[] = [
  rule("daemon.approval", (e) => {
    const r = e.daemon!.request!;
    if (r.kind !== "command_approval" && r.kind !== "file_change_approval") return null;
    const what = r.kind === "command_approval"
      ? `to run: ${r.command_text ?? r.command ?? "a command"}`
      : "to change files";
    return {
      ...blank(e),
      state: "permission_gate",
      reason: "permission_request",
      summary: `Codex asks for approval ${what}`,
      questions: r.reason ? [r.reason] : [],
      options: r.options.map((o) => ({ key: o.key, label: o.label, recommended: o.key === "1" })),
      next_action: next(
        "approve",
        `reply ${targetFlag(e.target)} --approve${item(e)}`,
        "the Codex daemon reports this approval pending; --reject declines",
      ),
    };
  }),
  rule("daemon.question", (e) => {
    const r = e.daemon!.request!;
    if (r.kind !== "user_input") return null;
    return choiceVerdict(e, {
      questions: r.questions.map((q) => q.question),
      options: (r.questions[0]?.options ?? []).map((o) => ({
        key: o.key,
        label: o.label,
        recommended: o.recommended,
      })),
      why: "the Codex daemon reports this question pending",
      suffix: item(e),
    }, targetFlag(e.target));
  }),
];
