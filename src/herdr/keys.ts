/**
 * herdr's `send_keys` vocabulary, checked before anything is sent: herdr rejects a whole call with
 * `invalid_key` when one name is unknown, and herdr ≤0.6 knew far fewer names than ≥0.7. The
 * capitalised names below (`Enter`, `Esc`, `Tab`, `Up`, `C-c` …) work on both.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import type { HerdrFlavor } from "./server_info.ts";

/** The names herdr 0.6 accepted, exactly as it spelled them. */
const LEGACY_NAMES = [
  "Enter",
  "Tab",
  "Esc",
  "Backspace",
  "Up",
  "Down",
  "Left",
  "Right",
  "C-c",
  "c-c",
  "ctrl+c",
];

const SPECIAL = new Set([
  "enter",
  "return",
  "esc",
  "escape",
  "tab",
  "backspace",
  "bs",
  "space",
  "left",
  "right",
  "up",
  "down",
  "minus",
  "plus",
  "comma",
  "period",
  "slash",
  "backslash",
  "quote",
  "double_quote",
  "semicolon",
  "colon",
  "percent",
  "ampersand",
  "backtick",
]);
const MODIFIERS = new Set(["ctrl", "control", "alt", "option", "meta", "shift", "cmd", "super", "hyper"]);

/** True when herdr of this flavor accepts `key` in `send_keys`. */
export function isValidKey(key: string, flavor: HerdrFlavor): boolean {
  if (key.length === 0) return false;
  if (flavor === "legacy") {
    if (key.length === 1) return key.charCodeAt(0) >= 0x20 && key.charCodeAt(0) < 0x7f;
    // v0.6 matched these names exactly as documented (capitalised), plus the C-c aliases
    return LEGACY_NAMES.includes(key);
  }
  if (/^[cC]-[a-z]$/.test(key)) return true;
  if ([...key].length === 1) return true;
  const parts = key.toLowerCase().split("+");
  const base = parts.pop()!;
  if (!parts.every((m) => MODIFIERS.has(m))) return false;
  if ([...base].length === 1) return true;
  return SPECIAL.has(base) || /^f([1-9]|1[0-9]|2[0-4])$/.test(base);
}

/** Throws `usage/BAD_KEY` naming the first key this herdr would reject. */
export function checkKeys(keys: readonly string[], flavor: HerdrFlavor): void {
  const bad = keys.find((k) => !isValidKey(k, flavor));
  if (bad === undefined) return;
  throw usageError(
    "BAD_KEY",
    `herdr${flavor === "legacy" ? " ≤0.6" : ""} has no key named ${JSON.stringify(bad)}`,
    flavor === "legacy"
      ? "herdr ≤0.6 accepts only Enter, Tab, Esc, Backspace, Up, Down, Left, Right, C-c and single characters"
      : "use herdr key names such as Enter, Esc, Tab, shift+tab, Up, Down, ctrl+c or a single character",
  );
}
