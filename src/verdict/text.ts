/**
 * Text rules shared by the verdict rules: marker lines, questions, summaries and the bounded
 * transcript tail (herdr plugin semantics, seeds-behaviour §1.8).
 *
 * @module
 */

/** Lines that document the marker instead of printing it (a plan's "Completion Signal" section). */
const DOC_CONTEXT =
  /print .*token|print exactly|token on its own line|completion signal|will only be printed|print this/i;
const BULLETS = /^[\s•›>*\-]+/;

/**
 * True when `marker` stands alone on a line (after stripping bullets) and the two lines before it
 * do not describe the marker. Substring matches never count: the prompt echo contains the marker.
 */
export function markerPrinted(text: string, marker: string): boolean {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].replace(BULLETS, "").trim() !== marker) continue;
    const before = lines.slice(Math.max(0, i - 2), i).join("\n");
    if (!DOC_CONTEXT.test(before)) return true;
  }
  return false;
}

/** Questions a message ends with: lines ending in `?` among its last 14 non-empty lines. */
export function trailingQuestions(text: string): string[] {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean).slice(-14);
  return lines.filter((l) => l.endsWith("?")).map((l) =>
    l.replace(BULLETS, "").replace(/^\d+[.)]\s+/, "").trim()
  ).filter(Boolean);
}

/** The transcript tail of a final message: marker line dropped, blank runs collapsed, ≤ 28 lines and ≤ 2000 chars (whole trailing lines kept). */
export function transcriptTail(text: string | null, marker: string | null): string {
  if (!text) return "";
  let lines = text.split("\n").map((l) => l.replace(/\s+$/, ""));
  if (marker) lines = lines.filter((l) => l.replace(BULLETS, "").trim() !== marker);
  const collapsed: string[] = [];
  for (const l of lines) if (!(l === "" && collapsed.at(-1) === "")) collapsed.push(l);
  while (collapsed.length && collapsed[0] === "") collapsed.shift();
  while (collapsed.length && collapsed.at(-1) === "") collapsed.pop();
  let kept = collapsed.slice(-28);
  while (kept.join("\n").length > 2000 && kept.length > 1) kept = kept.slice(1);
  const out = kept.join("\n");
  return out.length > 2000 ? out.slice(out.length - 2000) : out;
}

/** A silence or an age for a summary: `45 s` below two minutes, else `12 min`. */
export function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
