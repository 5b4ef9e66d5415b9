/**
 * Cutting text to a budget — the one helper for every length limit codexctl keeps (verdict
 * summaries, watch lines, hook texts, quoted user input in error messages, messages kept in the
 * rollout fold). A cut never splits a surrogate pair and always shows its mark.
 *
 * @module
 */

/** How {@linkcode clip} cuts. */
export interface ClipOptions {
  /** Keep the start of the text (default) or its end. */
  keep?: "start" | "end";
  /** Collapse every run of whitespace to one space and trim, before measuring (default true). */
  flatten?: boolean;
  /** Cut at the last space when that keeps more than 60% of `max` (default false: cut anywhere). */
  words?: boolean;
  /** What marks the cut (default `…`). */
  mark?: string;
}

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;
const LOW_SURROGATE = /[\uDC00-\uDFFF]/;

/** `text` in at most `max` characters (UTF-16 units), the mark included when it had to be cut. */
export function clip(text: string, max: number, options: ClipOptions = {}): string {
  const mark = options.mark ?? "…";
  const t = options.flatten ?? true ? text.replace(/\s+/g, " ").trim() : text;
  if (t.length <= max) return t;
  const room = Math.max(0, max - mark.length);
  if (options.keep === "end") {
    let start = t.length - room;
    if (LOW_SURROGATE.test(t[start] ?? "")) start++;
    return mark + t.slice(start);
  }
  let end = room;
  if (end > 0 && HIGH_SURROGATE.test(t[end - 1])) end--;
  let head = t.slice(0, end);
  if (options.words) {
    const space = head.lastIndexOf(" ");
    if (space > max * 0.6) head = head.slice(0, space);
  }
  return head.trimEnd() + mark;
}
