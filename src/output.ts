/**
 * Writing envelopes: compact or pretty JSON for machines, a readable rendering for a person at a
 * terminal. JSON is used when stdout is not a TTY or `--json` was given. Colour honours `NO_COLOR`.
 *
 * @module
 */
import type { Envelope, Review } from "./envelope.ts";

/** How one envelope is written. */
export interface OutputMode {
  /** JSON (true) or the human rendering (false). */
  json: boolean;
  /** Use ANSI colour in the human rendering. */
  color: boolean;
}

/** Decides the output mode from the `--json` flag, the TTY-ness of stdout and `NO_COLOR`. */
export function outputMode(
  forceJson: boolean,
  isTerminal: boolean,
  env: { get(key: string): string | undefined },
): OutputMode {
  const json = forceJson || !isTerminal;
  const noColor = (env.get("NO_COLOR") ?? "") !== "";
  return { json, color: !json && !noColor && env.get("TERM") !== "dumb" };
}

const encoder = new TextEncoder();

/** Writes all of `text` to stdout (loops over partial writes). */
export function writeStdout(text: string): void {
  writeAll(Deno.stdout, encoder.encode(text));
}

/** Writes all of `text` to stderr (diagnostics never go to stdout). */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, encoder.encode(text));
}

function writeAll(target: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
}

/**
 * Serialises an envelope: pretty JSON for a one-shot call, one compact line for streams. A stream
 * that already serialised its line (`line`, e.g. to fit a length limit) has it written as is.
 */
export function formatEnvelope(envelope: Envelope, mode: OutputMode, asLine = false, line?: string): string {
  if (mode.json) {
    return asLine ? (line ?? JSON.stringify(envelope)) + "\n" : JSON.stringify(envelope, null, 2) + "\n";
  }
  return renderHuman(envelope, mode.color) + "\n";
}

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
};
type Paint = (code: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return (code, text) => (color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
}

const STATE_COLOURS: Record<string, keyof typeof ANSI> = {
  completed: "green",
  ended: "green",
  working: "cyan",
  idle: "cyan",
  failed: "red",
  exited: "red",
  interrupted: "yellow",
  no_signal: "yellow",
};

/** Renders an envelope for a person at a terminal. */
export function renderHuman(envelope: Envelope, color: boolean): string {
  const paint = painter(color);
  if (!envelope.ok) {
    const e = envelope.error;
    const lines = [`${paint("red", "error")} ${paint("bold", `${e.class}/${e.code}`)}: ${e.message}`];
    if (e.suggestion) lines.push(`  ${paint("dim", "→")} ${e.suggestion}`);
    if (e.retryable) lines.push(`  ${paint("dim", "(retryable)")}`);
    return lines.join("\n");
  }
  const result = envelope.result as Record<string, unknown>;
  if (typeof result.event === "string" && typeof result.state === "string") {
    return renderWatchLine(result, paint);
  }
  if (typeof result.state === "string" && typeof result.reason === "string") {
    return renderVerdict(envelope, result, paint);
  }
  return renderGeneric(result, paint);
}

function renderVerdict(envelope: Envelope, v: Record<string, unknown>, paint: Paint): string {
  const state = String(v.state);
  const head =
    `${paint(STATE_COLOURS[state] ?? "yellow", "●")} ${paint("bold", state)} ${
      paint("dim", String(v.reason))
    }` +
    (envelope.session ? `  ${paint("dim", envelope.session)}` : "");
  const rows: [string, string][] = [];
  if (typeof v.summary === "string" && v.summary) rows.push(["summary", v.summary]);
  const thread = v.thread as Record<string, unknown> | null | undefined;
  if (thread) {
    const bits = [String(thread.id)];
    if (thread.model) bits.push(String(thread.model));
    if (typeof thread.context_pct === "number") bits.push(`${thread.context_pct}% context`);
    rows.push(["thread", bits.join("  ")]);
  }
  // what the summary already says in full is not repeated (a question used to appear three times)
  const said = [typeof v.summary === "string" ? flat(v.summary) : ""];
  const questions = Array.isArray(v.questions) ? v.questions as string[] : [];
  for (const q of questions) {
    if (said.some((t) => t.includes(flat(q)))) continue;
    rows.push(["question", q]);
    said.push(flat(q));
  }
  const options = Array.isArray(v.options)
    ? v.options as { key: string; label: string; recommended: boolean }[]
    : [];
  for (const o of options) {
    rows.push(["option", `${o.key}. ${o.label}${o.recommended ? " (recommended)" : ""}`]);
  }
  const artifacts = Array.isArray(v.artifacts)
    ? v.artifacts as { path: string; exists: boolean; bytes: number }[]
    : [];
  for (const a of artifacts) rows.push(["artifact", `${a.exists ? "✓" : "✗"} ${a.path} (${a.bytes} bytes)`]);
  const next = v.next_action as { intent: string; command: string | null; why: string } | undefined;
  if (next) rows.push(["next", `${next.intent}${next.command ? `: ${next.command}` : ""}`]);
  const pane = v.pane as { attach?: unknown } | null | undefined;
  if (pane && typeof pane.attach === "string") rows.push(["attach", pane.attach]);
  const lines = [head, ...table(rows, paint)];
  if (v.review && typeof v.review === "object") {
    lines.push(...reviewLines(v.review as Review, paint, outputWidth()));
  }
  if (typeof v.plan === "string" && v.plan) lines.push(paint("bold", "plan:"), indent(v.plan));
  const tail = typeof v.transcript_tail === "string" ? v.transcript_tail : "";
  if (tail && !said.some((t) => t.includes(flat(tail)))) {
    lines.push(paint("bold", "transcript:"), indent(tail));
  }
  return lines.join("\n");
}

function renderWatchLine(r: Record<string, unknown>, paint: Paint): string {
  const time = new Date().toTimeString().slice(0, 8);
  const state = String(r.state);
  const head = `${paint("dim", time)} ${
    paint(STATE_COLOURS[state] ?? "yellow", String(r.event).padEnd(17))
  } ${paint("bold", state)}/${r.reason}`;
  const next = typeof r.next === "string" ? `\n${" ".repeat(9)}${paint("dim", "→")} ${r.next}` : "";
  return `${head}  ${r.summary}${next}`;
}

function renderGeneric(result: Record<string, unknown>, paint: Paint): string {
  const lines: string[] = [];
  const scalars: [string, string][] = [];
  for (const [key, value] of Object.entries(result)) {
    if (Array.isArray(value) && value.length === 0) {
      scalars.push([key, "none"]); // an empty list in words, not "[]"
    } else if (Array.isArray(value) && value.every(isFlatRecord)) {
      lines.push(paint("bold", `${key}:`), ...recordsTable(value as Record<string, unknown>[], paint));
    } else if (value !== null && typeof value === "object") {
      scalars.push([key, JSON.stringify(value)]);
    } else {
      scalars.push([key, value === null ? "-" : String(value)]);
    }
  }
  return [...table(scalars, paint), ...lines].join("\n");
}

function isFlatRecord(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    Object.values(value as Record<string, unknown>).every((x) => x === null || typeof x !== "object");
}

function table(rows: [string, string][], paint: Paint): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, val]) => `  ${paint("dim", k.padEnd(width))}  ${val}`);
}

function recordsTable(records: Record<string, unknown>[], paint: Paint): string[] {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cells = records.map((r) =>
    columns.map((c) => (r[c] === null || r[c] === undefined ? "-" : String(r[c])))
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const header = "  " + columns.map((c, i) => paint("dim", c.padEnd(widths[i]))).join("  ");
  return [header, ...cells.map((row) => "  " + row.map((cell, i) => cell.padEnd(widths[i])).join("  "))];
}

/** Whitespace collapsed, for comparing texts that were wrapped or cut differently. */
function flat(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The width human output fits: the terminal's, at most 120 columns (120 when unknown). */
export function outputWidth(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns > 0 ? Math.max(40, Math.min(120, columns)) : 120;
  } catch {
    return 120;
  }
}

/** How long ago `iso` was, in one short unit: `42s`, `5m`, `3h`, `2d` (`-` when unknown). */
export function ageText(iso: string | null, now: number = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return "-";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** `text` cut to its last `width` columns, for paths whose end says most (a cut shows a leading `…`). */
export function fitEnd(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? "" : "…" + text.slice(text.length - width + 1);
}

/** `text` cut to `width` columns (one column per UTF-16 unit; a cut shows `…`). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + "…";
}

/** The ANSI painter of the human rendering (identity when `color` is false). */
export function paintFor(
  color: boolean,
): (code: "dim" | "bold" | "red" | "green" | "yellow" | "cyan", text: string) => string {
  return painter(color);
}

/** The colour a state is shown in. */
export function stateColour(state: string): "red" | "green" | "yellow" | "cyan" {
  return (STATE_COLOURS[state] ?? "yellow") as "red" | "green" | "yellow" | "cyan";
}

const PRIORITY_COLOURS: (keyof typeof ANSI)[] = ["red", "red", "yellow", "dim"];

/**
 * A review for a person: the verdict and its explanation, then one row per finding — priority,
 * file:lines, title (its `[Pn]` tag dropped: the first column says it) — fitted to `width` columns.
 */
export function renderReview(review: Review, color: boolean, width = 120): string[] {
  return reviewLines(review, painter(color), width);
}

function reviewLines(review: Review, paint: Paint, width: number): string[] {
  const verdict = review.overall_correctness ??
    (review.structured ? "no verdict" : "no verdict (text review)");
  const n = review.findings.length;
  const parts = [
    verdict,
    review.overall_confidence === null ? "" : `confidence ${review.overall_confidence}`,
    n === 0 ? "no findings" : `${n} finding${n === 1 ? "" : "s"}` +
      (review.hidden ? ` (${review.hidden} below P${review.min_priority} not shown)` : ""),
  ].filter(Boolean);
  const bad = /incorrect/i.test(verdict);
  const lines = [
    `${paint("bold", "review:")} ${paint(bad ? "red" : "green", fit(parts.join("  "), width - 8))}`,
  ];
  if (review.overall_explanation) {
    lines.push(
      ...review.overall_explanation.split("\n").filter((l) => l.trim()).slice(0, 4).map((l) =>
        `  ${fit(l.trim(), width - 2)}`
      ),
    );
  }
  const where = (f: Review["findings"][number]) =>
    f.file === null
      ? "-"
      : f.start_line === null
      ? f.file
      : `${f.file}:${f.start_line}${
        f.end_line !== null && f.end_line !== f.start_line ? `-${f.end_line}` : ""
      }`;
  const places = review.findings.map(where);
  // a row: 2 spaces, the priority (2), 2 spaces, the place, 2 spaces, the title
  const placeWidth = Math.min(48, Math.max(1, width - 20), Math.max(0, ...places.map((p) => p.length)));
  const room = Math.max(4, width - 8 - placeWidth);
  for (const [i, f] of review.findings.entries()) {
    const pri = f.priority === null ? "P?" : `P${f.priority}`;
    const place = fit(places[i], placeWidth).padEnd(placeWidth);
    const title = f.title.replace(/^\s*\[P[0-3]\]\s*/, "") || "(no title)";
    lines.push(
      `  ${paint(f.priority === null ? "dim" : PRIORITY_COLOURS[f.priority], pri)}  ${place}  ${
        fit(title, room)
      }`,
    );
  }
  return lines;
}

function indent(text: string): string {
  return text.split("\n").map((l) => `  ${l}`).join("\n");
}
