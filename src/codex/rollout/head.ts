/**
 * A rollout line's first bytes: Codex writes `timestamp`, `ordinal`, `type`, then `payload` with
 * its own `type` first, so a line's kind is read from there and the large lines the state does not
 * need (model context, reasoning, tool output) are never decoded or JSON-parsed.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8");
/** The first bytes hold timestamp, ordinal, type and payload type (≈ 120 characters). */
const HEAD_BYTES = 160;
/** Fields further in (a call id after an item id, an item type after thread and turn ids). */
const WIDE_HEAD_BYTES = 384;

/** What a line's first bytes say about it. */
export interface Head {
  ts: number | null;
  type: string | null;
  ptype: string | null;
  /** The line's first characters (the fields Codex writes first are all in there). */
  text: string;
}

/** Reads timestamp, type and payload type from a line's first bytes (UTF-8 decoding is cheap there). */
export function scanHead(bytes: Uint8Array): Head {
  const text = utf8.decode(bytes.subarray(0, Math.min(bytes.length, HEAD_BYTES)));
  const payloadAt = text.indexOf('"payload":');
  const typeAt = text.indexOf('"type":"');
  let type: string | null = null;
  if (typeAt !== -1 && (payloadAt === -1 || typeAt < payloadAt)) {
    const end = text.indexOf('"', typeAt + 8);
    if (end !== -1) type = text.slice(typeAt + 8, end);
  }
  let ptype: string | null = null;
  if (payloadAt !== -1 && text.startsWith('{"type":"', payloadAt + 10)) {
    const start = payloadAt + 19;
    const end = text.indexOf('"', start);
    if (end !== -1) ptype = text.slice(start, end);
  }
  let ts: number | null = null;
  if (text.startsWith('{"timestamp":"')) {
    ts = isoMillis(text, 14);
    if (ts === null) {
      const end = text.indexOf('"', 14);
      const t = end === -1 ? NaN : Date.parse(text.slice(14, end));
      ts = Number.isNaN(t) ? null : t;
    }
  }
  return { ts, type, ptype, text };
}

/** Parses `YYYY-MM-DDTHH:MM:SS.mmmZ` (how Codex writes timestamps) at `at`; null for any other form. */
function isoMillis(t: string, at: number): number | null {
  if (
    t.charCodeAt(at + 4) !== 45 || t.charCodeAt(at + 10) !== 84 || t.charCodeAt(at + 19) !== 46 ||
    t.charCodeAt(at + 23) !== 90
  ) return null;
  let ok = true;
  const n = (i: number, len: number) => {
    let v = 0;
    for (let k = 0; k < len; k++) {
      const d = t.charCodeAt(at + i + k) - 48;
      if (d < 0 || d > 9) ok = false;
      v = v * 10 + d;
    }
    return v;
  };
  const ms = Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2), n(20, 3));
  return ok ? ms : null;
}

/** The head text, widened to {@linkcode WIDE_HEAD_BYTES} when the line is longer than the short head. */
export function wideHead(bytes: Uint8Array, head: Head): string {
  return bytes.length > HEAD_BYTES
    ? utf8.decode(bytes.subarray(0, Math.min(bytes.length, WIDE_HEAD_BYTES)))
    : head.text;
}

/** A plain string field (`"key":"value"`) found in the head, or null. */
export function headField(head: string, key: string): string | null {
  const at = head.indexOf(`"${key}":"`);
  if (at === -1) return null;
  const start = at + key.length + 4;
  const end = head.indexOf('"', start);
  return end === -1 ? null : head.slice(start, end);
}
