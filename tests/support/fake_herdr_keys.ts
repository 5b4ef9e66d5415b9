/**
 * The fake herdr's `send_keys` vocabulary (reference/herdr.md §7.4), encoded as tmux `send-keys`
 * arguments. Current herdr: case-insensitive names joined with `+`, modifiers, named punctuation,
 * any single character, `C-c` aliases. herdr 0.6: only `Enter, Tab, Esc, Backspace, Up, Down, Left,
 * Right`, `C-c`/`c-c`/`ctrl+c` and single ASCII characters. Every key is checked before anything
 * is sent; an unknown one fails the whole call (`invalid_key`).
 *
 * @module
 */

const NAMED: Readonly<Record<string, string>> = {
  enter: "Enter",
  return: "Enter",
  esc: "Escape",
  escape: "Escape",
  tab: "Tab",
  backspace: "BSpace",
  bs: "BSpace",
  space: "Space",
  left: "Left",
  right: "Right",
  up: "Up",
  down: "Down",
};

const PUNCTUATION: Readonly<Record<string, string>> = {
  minus: "-",
  plus: "+",
  comma: ",",
  period: ".",
  slash: "/",
  backslash: "\\",
  quote: "'",
  double_quote: '"',
  semicolon: ";",
  colon: ":",
  percent: "%",
  ampersand: "&",
  backtick: "`",
};

const LEGACY: Readonly<Record<string, string>> = {
  Enter: "Enter",
  Tab: "Tab",
  Esc: "Escape",
  Backspace: "BSpace",
  Up: "Up",
  Down: "Down",
  Left: "Left",
  Right: "Right",
  "C-c": "C-c",
  "c-c": "C-c",
  "ctrl+c": "C-c",
};

/** tmux needs a lone `;` escaped. */
function literal(ch: string): string[] {
  return ["-l", "--", ch === ";" ? "\\;" : ch];
}

/** Encodes one key for tmux, or returns null when this herdr would reject it. */
export function encodeKey(key: string, legacy: boolean): string[] | null {
  if (legacy) {
    if (LEGACY[key]) return [LEGACY[key]];
    if (key.length === 1 && key.charCodeAt(0) >= 0x20 && key.charCodeAt(0) < 0x7f) return literal(key);
    return null;
  }
  if (/^[cC]-[a-z]$/.test(key)) return [`C-${key[2]}`];
  if ([...key].length === 1) return literal(key);
  const parts = key.toLowerCase().split("+");
  const name = parts.pop()!;
  let ctrl = false, alt = false, shift = false;
  for (const m of parts) {
    if (m === "ctrl" || m === "control") ctrl = true;
    else if (m === "alt" || m === "option" || m === "meta") alt = true;
    else if (m === "shift") shift = true;
    else return null; // cmd/super/hyper: tmux cannot encode them; unknown words are invalid anyway
  }
  let tmuxName: string;
  let isChar = false;
  if (NAMED[name]) tmuxName = NAMED[name];
  else if (PUNCTUATION[name]) {
    tmuxName = PUNCTUATION[name];
    isChar = true;
  } else if (/^f([1-9]|1[0-2])$/.test(name)) tmuxName = name.toUpperCase();
  else if ([...name].length === 1) {
    tmuxName = name;
    isChar = true;
  } else return null;
  if (tmuxName === "Tab" && shift && !ctrl && !alt) return ["BTab"];
  if (isChar && shift) {
    tmuxName = tmuxName.toUpperCase();
    shift = false;
  }
  if (!ctrl && !alt && !shift) return isChar ? literal(tmuxName) : [tmuxName];
  return [`${ctrl ? "C-" : ""}${alt ? "M-" : ""}${shift ? "S-" : ""}${tmuxName}`];
}

/** Encodes every key, or names the first invalid one. */
export function encodeKeys(keys: string[], legacy: boolean): { ok: string[][] } | { invalid: string } {
  const out: string[][] = [];
  for (const key of keys) {
    const encoded = encodeKey(key, legacy);
    if (!encoded) return { invalid: key };
    out.push(encoded);
  }
  return { ok: out };
}
