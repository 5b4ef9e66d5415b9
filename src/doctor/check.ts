/**
 * What a `codexctl doctor` check is. Each check looks at one thing codexctl depends on and reports
 * `ok`, `warn` (works, but something is off), `fail` (configured or expected, but broken) or
 * `absent` (not there, which is fine unless you need it), with details and what to do.
 *
 * @module
 */
import { z } from "zod";
import type { Env } from "../env.ts";
import { CodexctlError } from "../errors.ts";

/** The outcome of a check. */
export const CheckStatusSchema = z.enum(["ok", "warn", "fail", "absent"]);
/** A check status. */
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** One check's report, as `doctor` prints it. */
export const CheckResultSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  status: CheckStatusSchema,
  summary: z.string().min(1).describe("one line for a person"),
  details: z.record(z.string(), z.unknown()).describe("machine-readable facts the check found"),
  suggestion: z.string().nullable().describe("what to do, when status is not ok"),
}).strict();
/** One check's report. */
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** What a check may use. */
export interface DoctorContext {
  env: Env;
  /** Budget for any single probe (a socket request, a subprocess). */
  timeoutMs: number;
}

/** A check: a name, one line saying what it looks at, and the probe. */
export interface DoctorCheck {
  name: string;
  description: string;
  run(ctx: DoctorContext): Promise<Omit<CheckResult, "name">>;
}

/** A thrown value as check details: class, code and message of a codexctl error, else the message. */
export function errorDetails(err: unknown): Record<string, unknown> {
  return err instanceof CodexctlError
    ? { class: err.errorClass, code: err.code, message: err.message }
    : { message: err instanceof Error ? err.message : String(err) };
}
