/**
 * The audit log, `<state root>/logs/audit.jsonl`: one JSON line per decision on a Codex gate —
 * approved, rejected, answered, surfaced, refused by a deny rule, or failed to send — by the policy
 * or by the caller, through a pane or the daemon (one record shape for every channel), and one per
 * headless run the caller asked to run outside Codex's sandbox. Only the policy room writes it: the
 * answer path (`answer.ts`) and the sandbox decision (`sandbox.ts`).
 *
 * @module
 */
import type { Store } from "../store/store.ts";

/** One audit record (the store adds `time`). */
export interface AuditRecord {
  event: "approval";
  /** `policy` decided on its own; `caller` answered explicitly (e.g. `reply --approve`). */
  actor: "policy" | "caller";
  /** How the answer travels to Codex: keys into a pane, or a daemon request. */
  channel: "pane" | "daemon";
  session: string | null;
  thread: string | null;
  /** The gate answered: the verdict reason (`permission_request`, `plan_approval`, `trust_dialog` …). */
  gate: string;
  /** What the caller was shown: the gate's summary. */
  seen: string;
  /** A daemon request's stable key (approval id or item id); null for a pane. */
  request_id: string | null;
  /** A permission gate's kind; null for other gates. */
  kind: "command" | "fileChange" | null;
  /** The command Codex showed (null: a file change, another gate, or not known). */
  command: string | null;
  cwd: string | null;
  /**
   * What was decided. A pane: `approve`, `reject`, `choice N`, `text`; the daemon: the decision
   * sent (`accept`, `acceptForSession`, `decline`, `cancel`, …) or `answered`; both: `refused` (a
   * deny rule), `surfaced` (the policy left it to the caller), `failed` (it could not be sent).
   */
  decision: string;
  /** The rule that decided, or the caller's explicit answer (`reply --approve`). */
  rule: string;
  /** The verb that answered: `reply`, `send`, `watch`, … */
  by: string;
}

/** Appends one decision to the audit log. */
export async function auditApproval(store: Store, record: AuditRecord): Promise<void> {
  await store.appendLog("audit", { ...record });
}

/** A run codexctl starts without Codex's sandbox, at the caller's explicit request. */
export interface SandboxAuditRecord {
  event: "sandbox";
  actor: "caller";
  session: string;
  cwd: string;
  /** The sandbox the run gets (`danger-full-access`), or `bypass` for Codex's approvals-and-sandbox bypass. */
  sandbox: "danger-full-access" | "bypass";
  /** The flags that asked for it, as given (`--sandbox danger-full-access`, `--codex-arg=--yolo` …). */
  flags: string[];
}

/** Appends a decision to run Codex outside its sandbox to the audit log. */
export async function auditSandbox(store: Store, record: SandboxAuditRecord): Promise<void> {
  await store.appendLog("audit", { ...record });
}
