/**
 * What Claude already saw: a codexctl call in the Bash tool (start, await, reply, status, watch …)
 * prints v1 envelopes whose verdict Claude reads in the tool result. When the hook after that tool
 * call finds the same state for the same session or thread, it marks that state delivered instead
 * of repeating it.
 *
 * @module
 */

/** A verdict state Claude saw in a tool result, by session id or thread id. */
export interface SeenVerdict {
  state: string;
  reason: string;
}

/**
 * The last verdict per session (`session`) and per thread (`thread:<id>`) among the v1 envelopes
 * in a tool's stdout: one pretty-printed envelope, or JSON lines (watch).
 */
export function seenVerdicts(stdout: string | null): Map<string, SeenVerdict> {
  const seen = new Map<string, SeenVerdict>();
  if (!stdout || !stdout.includes('"schema_version"')) return seen;
  const candidates: unknown[] = [];
  try {
    candidates.push(JSON.parse(stdout));
  } catch {
    for (const line of stdout.split("\n")) {
      if (!line.trimStart().startsWith("{")) continue;
      try {
        candidates.push(JSON.parse(line));
      } catch {
        // not an envelope line
      }
    }
  }
  for (const c of candidates) {
    if (!c || typeof c !== "object") continue;
    const e = c as { ok?: unknown; schema_version?: unknown; session?: unknown; result?: unknown };
    if (e.ok !== true || e.schema_version !== "v1" || !e.result || typeof e.result !== "object") continue;
    const r = e.result as { state?: unknown; reason?: unknown; thread?: unknown };
    if (typeof r.state !== "string" || typeof r.reason !== "string") continue;
    const verdict = { state: r.state, reason: r.reason };
    if (typeof e.session === "string") seen.set(e.session, verdict);
    const thread = r.thread;
    const id = typeof thread === "string"
      ? thread
      : thread && typeof thread === "object" && typeof (thread as { id?: unknown }).id === "string"
      ? (thread as { id: string }).id
      : null;
    if (id) seen.set(`thread:${id}`, verdict);
  }
  return seen;
}
