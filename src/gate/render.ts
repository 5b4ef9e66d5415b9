/**
 * `codexctl gate` at a terminal: the verdict, a short checklist (one line per check), and the next
 * command. Colour only when the output mode allows it (NO_COLOR, TERM=dumb and pipes turn it off).
 *
 * @module
 */
import type { GateCheckStatus, GateResult } from "../envelope.ts";

const MARKS: Record<GateCheckStatus, { mark: string; colour: string }> = {
  free: { mark: "✓", colour: "\x1b[32m" },
  absent: { mark: "–", colour: "\x1b[2m" },
  busy: { mark: "✗", colour: "\x1b[31m" },
  unknown: { mark: "?", colour: "\x1b[33m" },
};
const RESET = "\x1b[0m";

/** The checklist for a person. */
export function renderGate(result: GateResult, color: boolean): string {
  const paint = (colour: string, text: string) => (color ? `${colour}${text}${RESET}` : text);
  const head = result.verdict === "free" ? paint("\x1b[1;32m", "free") : paint("\x1b[1;31m", "busy");
  const waited = result.waited
    ? `  (${
      result.waited.timed_out ? "gave up after" : "waited"
    } ${result.waited.seconds} s, ${result.waited.polls} look${result.waited.polls === 1 ? "" : "s"})`
    : "";
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = [
    `${head} — ${result.verdict === "free" ? "ready for a hand-off" : "not free for a hand-off"}${waited}`,
  ];
  for (const check of result.checks) {
    const m = MARKS[check.status];
    lines.push(`  ${paint(m.colour, m.mark)} ${check.name.padEnd(width)}  ${check.summary}`);
  }
  const next = result.next_action;
  lines.push(`  ${paint("\x1b[2m", "→")} ${next.command ?? next.why}`);
  return lines.join("\n");
}
