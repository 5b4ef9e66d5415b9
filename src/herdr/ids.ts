/**
 * herdr's id grammar, for classifying ids (never for building them: ids are opaque strings to a
 * client). Current herdr (≥0.7) mints stable ids `w1`, `w1:t1`, `w1:p1` whose numbers use the
 * bijective base-32 alphabet below (`p9` is followed by `pA`); legacy herdr (≤0.6) used positional
 * pane ids `<ws>-<n>` that renumber when a lower pane closes, and put the raw internal id `p_<n>`
 * in `HERDR_PANE_ID`.
 *
 * @module
 */

/** The digits of herdr's bijective base-32 id numbers, in order (1 … 9, A … Z without I L O U, 0). */
export const ID_ALPHABET = "123456789ABCDEFGHJKMNPQRSTVWXYZ0";

/** Encodes a positive integer with herdr's bijective base-32 digits (1 → "1", 10 → "A", 33 → "11"). */
export function encodeIdNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`id numbers start at 1, got ${n}`);
  let out = "";
  let rest = n;
  while (rest > 0) {
    rest -= 1;
    out = ID_ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Decodes herdr's bijective base-32 digits; null when `digits` is not such a number. */
export function decodeIdNumber(digits: string): number | null {
  if (!/^[0-9A-Z]+$/.test(digits)) return null;
  let n = 0;
  for (const ch of digits) {
    const d = ID_ALPHABET.indexOf(ch);
    if (d < 0) return null;
    n = n * 32 + d + 1;
  }
  return Number.isSafeInteger(n) ? n : null;
}

/** What a pane id looks like. */
export type PaneIdStyle =
  /** `w1:p1` (herdr ≥0.7): stable, never reused. */
  | "current"
  /** `1-2` or `w1a2b-3` (herdr ≤0.6): a slot index that shifts when a lower pane closes. */
  | "positional"
  /** `p_5` or `p_1_5` (herdr ≤0.6 `HERDR_PANE_ID`): the raw internal id. */
  | "raw"
  /** Anything else (treat as opaque). */
  | "opaque";

const CURRENT_PANE = /^w[0-9A-Za-z]+:p[0-9A-Z]+$/;
const POSITIONAL_PANE = /^w?[0-9A-Za-z]+-[0-9]+$/;
const RAW_PANE = /^p_(?:[0-9A-Za-z]+_)?[0-9]+$/;

/** Classifies a pane id. */
export function paneIdStyle(id: string): PaneIdStyle {
  if (CURRENT_PANE.test(id)) return "current";
  if (RAW_PANE.test(id)) return "raw";
  if (POSITIONAL_PANE.test(id)) return "positional";
  return "opaque";
}

/** True when an id (e.g. an inherited `HERDR_PANE_ID`) can only come from herdr ≤0.6. */
export function isLegacyPaneId(id: string): boolean {
  const style = paneIdStyle(id);
  return style === "positional" || style === "raw";
}
