/**
 * The approval audit log: one JSON line per decision on a Codex gate (approved, rejected, surfaced
 * or refused), by the policy or by the caller, in `<state root>/logs/audit.jsonl`.
 *
 * @module
 */
import type { Store } from "../store/store.ts";

/** One audit record (the store adds `time`). */
export interface ApprovalAuditRecord {
  event: "approval";
  /** `policy` decided on its own; `caller` answered explicitly (e.g. `reply --approve`). */
  actor: "policy" | "caller";
  /** How the answer travels to Codex. */
  channel: "daemon" | "pane";
  thread: string | null;
  session: string | null;
  /** The request's stable key (approval id or item id). */
  request_id: string;
  kind: "command" | "fileChange";
  /** The command text Codex showed (null for file changes). */
  command: string | null;
  cwd: string | null;
  /** The decision sent (`accept`, `decline`, `cancel`, …), or `surfaced` / `refused`. */
  decision: string;
  /** The rule (or explicit flag) that decided. */
  rule: string;
}

/** Appends one decision to the audit log. */
export async function auditApproval(store: Store, record: ApprovalAuditRecord): Promise<void> {
  await store.appendLog("audit", { ...record });
}
