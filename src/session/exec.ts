/**
 * Where a headless session's runs live: each run (the `start`, then one per `send`) has its own
 * directory, `<state>/exec/<session>/runs/<n>/` (its files: `substrate/exec_run.ts`). Import-free
 * but for `names.ts`, so the hooks' hot path can use it. The record's `exec` block is
 * `ExecInfoSchema` in `record.ts`.
 *
 * @module
 */
import { joinPath } from "../names.ts";

/** Sandbox modes `codex exec -s` accepts. */
export const SANDBOX_MODES = ["read-only", "workspace-write", "danger-full-access"] as const;

/** A sandbox mode. */
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** The exec directory of a session. */
export function execDir(root: string, session: string): string {
  return joinPath(root, "exec", session);
}

/** The directory of one run of a session. */
export function runDir(execDirectory: string, run: number): string {
  return joinPath(execDirectory, "runs", String(run));
}
