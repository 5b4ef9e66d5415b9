/**
 * Runs doctor checks: each in isolation (a check that throws or hangs is reported as `fail`, and
 * the others still run), each bounded by the probe budget plus a margin.
 *
 * @module
 */
import {
  type CheckResult,
  CheckResultSchema,
  type DoctorCheck,
  type DoctorContext,
  errorDetails,
} from "./check.ts";

/** The doctor's report. */
export interface DoctorReport {
  /** True when no check failed. */
  healthy: boolean;
  counts: Record<CheckResult["status"], number>;
  checks: CheckResult[];
}

const MARGIN_MS = 2_000;

async function runOne(check: DoctorCheck, ctx: DoctorContext): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the check did not finish within ${ctx.timeoutMs + MARGIN_MS} ms`)),
      ctx.timeoutMs + MARGIN_MS,
    );
  });
  try {
    const outcome = await Promise.race([check.run(ctx), overdue]);
    return CheckResultSchema.parse({ name: check.name, ...outcome });
  } catch (err) {
    return {
      name: check.name,
      status: "fail",
      summary: `the ${check.name} check itself failed`,
      details: { error: errorDetails(err) },
      suggestion: "rerun with CODEXCTL_DEBUG=1 and report the output",
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `checks` one after another and summarises them. */
export async function runDoctor(checks: readonly DoctorCheck[], ctx: DoctorContext): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runOne(check, ctx));
  const counts = { ok: 0, warn: 0, fail: 0, absent: 0 };
  for (const r of results) counts[r.status]++;
  return { healthy: counts.fail === 0, counts, checks: results };
}

/** A doctor report for a person at a terminal. */
export function renderDoctor(report: DoctorReport, color: boolean): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const marks: Record<CheckResult["status"], [string, string]> = {
    ok: ["32", "✓"],
    warn: ["33", "!"],
    fail: ["31", "✗"],
    absent: ["2", "-"],
  };
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = ["codexctl doctor"];
  for (const c of report.checks) {
    const [code, mark] = marks[c.status];
    lines.push(
      `  ${paint(code, mark)} ${c.name.padEnd(width)}  ${paint(code, c.status.padEnd(6))}  ${c.summary}`,
    );
    if (c.suggestion && c.status !== "ok") {
      lines.push(`  ${" ".repeat(width + 12)}${paint("2", "→")} ${c.suggestion}`);
    }
  }
  const { ok, warn, fail, absent } = report.counts;
  lines.push(`${ok} ok, ${warn} warning(s), ${fail} failure(s), ${absent} absent`);
  return lines.join("\n");
}
