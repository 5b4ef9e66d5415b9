/**
 * The wording codexctl sends to Codex around a task, kept identical to the herdr plugin's contract
 * (seeds-behaviour §1.7): always one line, the completion marker to print on its own line, and
 * "ask instead of guessing".
 *
 * @module
 */

/** Collapses all whitespace (newlines included) to single spaces: a newline could submit early. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The first message of a task: the task plus the marker contract. */
export function wrapTask(task: string, marker: string): string {
  return oneLine(
    `${task} When the task is FULLY complete, print this token on its own line: ${marker}. ` +
      "If you need information or a decision from me, end your turn by asking your question(s) instead of guessing.",
  );
}

/** A follow-up message with the marker reminder (Codex often forgets the marker after a few turns). */
export function withMarkerReminder(text: string, marker: string): string {
  return oneLine(`${text} (When the task is FULLY complete, print ${marker} on its own line.)`);
}

/** A fresh completion marker: `CDX_DONE_` + 6 uppercase hex characters. */
export function newMarker(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return "CDX_DONE_" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * The completion marker a message asked Codex to print, if it uses codexctl's wording (either
 * the task contract or the reminder); null otherwise.
 */
export function markerIn(text: string): string | null {
  const m = text.match(/print this token on its own line:\s*([A-Za-z0-9_-]+?)\.?(?:\s|$)/) ??
    text.match(/print\s+([A-Z][A-Z0-9_-]{4,})\s+on its own line/);
  return m ? m[1] : null;
}
