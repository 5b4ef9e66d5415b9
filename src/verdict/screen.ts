/**
 * What the Codex TUI screen shows, as facts: the things that exist only on screen (approval
 * dialog, question widget, plan menu, folder-trust and update dialogs, the composer) plus the
 * screen-only fallback signals the herdr plugin used when no rollout is bound (numbered options,
 * trailing questions, "looks done" prose). Pure functions of the screen text; the texts are those
 * of the recorded real TUI screens (the tui.screens folders of tests/fixtures).
 *
 * @module
 */

/** Interactive and completion detection look at the last 24 lines only (a stale menu in scrollback is ignored). */
export const LIVE_LINES = 24;

/**
 * The last `n` lines of a screen, after collapsing runs of blank lines (the TUI pins its composer
 * to the bottom, leaving a gap that must not push real content out of the window).
 */
export function liveLines(screen: string, n = LIVE_LINES): string[] {
  const lines: string[] = [];
  for (const line of screen.replace(/\s+$/, "").split("\n")) {
    if (!line.trim() && lines.length && !lines[lines.length - 1].trim()) continue;
    lines.push(line);
  }
  return lines.slice(-n);
}

const WORKING = /esc to interrupt\)|• Working \(|◦ Working \(/;
const APPROVAL = /Would you like to (run the following command|make the following edits|allow|grant)/i;
const WIDGET = /enter to submit answer|Question\s+\d+\s*\/\s*\d+/i;
const PLAN_MENU = /Implement this plan\?|stay in Plan mode/i;
const TRUST = /Trust this folder\?|Do you trust the contents of this directory\?/;
const UPDATE = /Update available|A new version of Codex is available|Update now/i;
const OPTION = /^\s*[›>]?\s*(\d+)[.)]\s+(.+?)\s*$/;
const STATUS_BAR = /^\s+\S+(?: \S+)? · (?:~|\/)|gpt-[\d.]+.*(Context|window|used)|Context\s+\d+%\s+used/i;
const PROMPT = /^\s*[›>]\s?/;
const PLACEHOLDERS =
  /^(?:Ask Codex to do anything|Find and fix a bug|Implement \{feature\}|Write tests for|Summarize recent|Run \/review|Explain (this|the)|What does|Add a |Refactor |Improve documentation|Use \/skills|\/skills to list)/i;

/** One numbered choice on screen. */
export interface ScreenOption {
  key: string;
  label: string;
  recommended: boolean;
}

/** The approval dialog's content. */
export interface ApprovalFacts {
  kind: "command" | "edits" | "other";
  command: string | null;
  reason: string | null;
}

/** Everything the verdict rules need from one screen. */
export interface ScreenFacts {
  /** A turn runs ("esc to interrupt"). */
  working: boolean;
  approval: ApprovalFacts | null;
  /** The request_user_input widget, with its question. */
  widget: { question: string | null } | null;
  planMenu: boolean;
  trust: boolean;
  update: boolean;
  options: ScreenOption[];
  questions: string[];
  /** What the composer holds (null: no composer visible; "" empty or a placeholder). */
  composer: string | null;
  /** The composer is up and nothing blocks it. */
  ready: boolean;
}

/** Numbered options (label cut at the first run of ≥ 2 spaces; first key wins). */
export function screenOptions(lines: string[]): ScreenOption[] {
  const out: ScreenOption[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const m = line.match(OPTION);
    if (!m || seen.has(m[1])) continue;
    seen.add(m[1]);
    const label = m[2].split(/\s{2,}/)[0].trim();
    out.push({ key: m[1], label, recommended: /›/.test(line) || /\(recommended\)/i.test(label) });
  }
  return out;
}

/** The composer line: the last prompt-glyph line above the status bar that is not a menu line. */
export function composerText(lines: string[]): string | null {
  let bar = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (STATUS_BAR.test(lines[i])) {
      bar = i;
      break;
    }
  }
  const top = bar === -1 ? lines.length : bar;
  for (let i = top - 1; i >= Math.max(0, top - 8); i--) {
    const line = lines[i];
    if (!PROMPT.test(line) || OPTION.test(line)) continue;
    const text = line.replace(PROMPT, "").trim();
    // wrapped continuation lines of a long composer text follow below it
    const more: string[] = [];
    for (let j = i + 1; j < top && /^\s{2}\S/.test(lines[j]) && !STATUS_BAR.test(lines[j]); j++) {
      more.push(lines[j].trim());
    }
    const full = [text, ...more].join(" ").trim();
    return PLACEHOLDERS.test(full) && more.length === 0 ? "" : full;
  }
  return null;
}

/** True when the composer still holds `text` (its first 16 normalised characters). */
export function composerHolds(lines: string[], text: string): boolean {
  const composer = composerText(lines);
  if (!composer) return false;
  const want = text.replace(/\s+/g, " ").trim().toLowerCase().slice(0, 24).slice(0, 16);
  return want.length > 0 && composer.replace(/\s+/g, " ").toLowerCase().includes(want);
}

/** Lines ending in `?` among the last 14 non-empty ones, without composer lines and numbering. */
export function screenQuestions(lines: string[]): string[] {
  const tail = lines.filter((l) => l.trim()).slice(-14);
  return tail
    .filter((l) => l.trim().endsWith("?"))
    .filter((l) => !(PROMPT.test(l) && PLACEHOLDERS.test(l.replace(PROMPT, "").trim())))
    .map((l) => l.replace(/^[\s•›>*\-]+/, "").replace(/^\d+[.)]\s+/, "").trim())
    .filter(Boolean);
}

function approvalFacts(lines: string[]): ApprovalFacts | null {
  const at = lines.findIndex((l) => APPROVAL.test(l));
  if (at === -1) return null;
  const after = lines.slice(at + 1);
  const command = after.find((l) => /^\s*\$ /.test(l))?.replace(/^\s*\$ /, "").trim() ?? null;
  const reason = after.find((l) => /^\s*Reason: /.test(l))?.replace(/^\s*Reason: /, "").trim() ?? null;
  const kind = /run the following command/i.test(lines[at])
    ? "command"
    : /make the following edits/i.test(lines[at])
    ? "edits"
    : "other";
  return { kind, command, reason };
}

function widgetFacts(lines: string[]): { question: string | null } | null {
  if (!lines.some((l) => WIDGET.test(l))) return null;
  const header = lines.findIndex((l) => /Question\s+\d+\s*\/\s*\d+/i.test(l));
  const question = header >= 0 ? lines.slice(header + 1).find((l) => l.trim())?.trim() ?? null : null;
  return { question };
}

/** The lines after the last dialog header (options belong to the dialog, not to text above it). */
function dialogLines(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (PLAN_MENU.test(lines[i]) && !/stay in Plan mode/i.test(lines[i])) return lines.slice(i + 1);
    if (APPROVAL.test(lines[i]) || TRUST.test(lines[i]) || /Question\s+\d+\s*\/\s*\d+/i.test(lines[i])) {
      return lines.slice(i + 1);
    }
  }
  return lines;
}

/** Reads the facts of a screen (its last 24 lines). */
export function readScreen(screen: string): ScreenFacts {
  const lines = liveLines(screen);
  const approval = approvalFacts(lines);
  const widget = widgetFacts(lines);
  const planMenu = lines.some((l) => PLAN_MENU.test(l));
  const trust = lines.some((l) => TRUST.test(l));
  const update = lines.some((l) => UPDATE.test(l));
  const working = lines.some((l) => WORKING.test(l)) && !widget;
  const composer = approval || widget || planMenu || trust ? null : composerText(lines);
  return {
    working,
    approval,
    widget,
    planMenu,
    trust,
    update,
    options: screenOptions(dialogLines(lines)),
    questions: screenQuestions(lines),
    composer,
    ready: composer !== null && !working && !approval && !widget && !planMenu && !trust && !update,
  };
}

/** A user's prompt echo (or the composer): a `›` line that is not a numbered menu option. */
function isEcho(line: string): boolean {
  return /^\s*›/.test(line) && !OPTION.test(line);
}

/** A line that starts one block of Codex's output: a message or tool call (`•`), an error (`■`), a warning (`⚠`). */
const BLOCK = /^\s{0,1}[•◦■⚠]/;

/** The "Worked for 12s • 14:03" line Codex 0.169 prints under a turn once it has ended. */
const WORKED_FOR = /^\s*(?:─\s*)?Worked for \S/;

/**
 * Codex's own lines of the last turn on screen: the lines after the last prompt echo (the user's
 * words, `›` and its wrapped continuation lines), above the composer and the footer. Codex's
 * output never includes the user's own words, so a task that says "print DONE when finished" or
 * ends with a question cannot pass for Codex's answer. All lines above the composer when no echo
 * is visible (it scrolled away).
 */
export function turnLines(lines: string[]): string[] {
  let bar = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (STATUS_BAR.test(lines[i])) {
      bar = i;
      break;
    }
  }
  // the composer: the last echo-looking line just above the footer
  let end = bar;
  for (let i = bar - 1; i >= Math.max(0, bar - 8); i--) {
    if (isEcho(lines[i])) {
      end = i;
      break;
    }
  }
  let start = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (!isEcho(lines[i])) continue;
    // skip the echo's wrapped continuation lines (indented, not a block of Codex's)
    start = i + 1;
    while (start < end && /^\s{2}\S/.test(lines[start]) && !BLOCK.test(lines[start])) start++;
    break;
  }
  return lines.slice(start, end);
}

/**
 * True when the turn on screen visibly ended: Codex 0.169 prints "Worked for …" under the last
 * message once the turn is over (never mid-turn, never under a failed turn). Codex 0.130 prints it
 * only for some turns, so there this is often false — which costs a `no_signal`, never a wrong
 * completion.
 */
export function turnEnded(turn: string[]): boolean {
  const worked = turn.findLastIndex((l) => WORKED_FOR.test(l));
  if (worked === -1) return false;
  return !turn.slice(worked + 1).some((l) => BLOCK.test(l) && !/^\s*⚠/.test(l));
}

/**
 * The error Codex ended the turn with: the text of a trailing `■` block (with its wrapped lines) when
 * it is the last block of the turn, else null. ("■ Conversation interrupted" is an interruption.)
 */
export function trailingError(turn: string[]): string | null {
  const at = turn.findLastIndex((l) => BLOCK.test(l) && !/^\s*⚠/.test(l));
  if (at === -1 || !/^\s*■/.test(turn[at])) return null;
  const text = [turn[at].replace(/^\s*■\s*/, "")];
  for (const line of turn.slice(at + 1)) {
    if (!line.trim() || BLOCK.test(line) || WORKED_FOR.test(line)) break;
    text.push(line.trim());
  }
  return text.join(" ").trim();
}

const INTENT = /\b(i'?ll|i will|let me|going to|i'?m going|will now|plan to|next[,:]|then i)\b/i;
const DONE =
  /\b(created|added|wrote|implemented|updated|finished|completed|verified|all set|successfully|task (is )?(complete|done))\b/i;
const UNCERTAIN =
  /\b(i think|probably|not sure|unclear|i assume|i'?ll assume|might be|could be|let me know|please confirm|which would you|do you want)\b/i;

/** The herdr plugin's fallback completion signal: past-tense "done" prose in the last 6 non-empty lines. */
export function looksDone(lines: string[]): boolean {
  return lines.filter((l) => l.trim()).slice(-6).filter((l) => !INTENT.test(l)).some((l) => DONE.test(l));
}

/** True when the last 8 lines sound unsure (changes only the `why` of the next action). */
export function soundsUncertain(lines: string[]): boolean {
  return lines.slice(-8).some((l) => UNCERTAIN.test(l));
}

/**
 * The proposed plan shown above the plan menu: from the first heading-like line to the menu,
 * trailing separators and blank lines trimmed. Only meaningful while the plan menu is visible.
 */
export function screenPlan(recent: string): string | null {
  const lines = recent.split("\n");
  const start = lines.findIndex((l) =>
    /^\s*(#+\s|• Proposed Plan|Proposed Plan|## Summary|## Plan)/i.test(l)
  );
  if (start === -1) return null;
  const end = lines.findIndex((l, i) => i > start && (PLAN_MENU.test(l) || /enter to submit/i.test(l)));
  const body = lines.slice(
    /Proposed Plan/i.test(lines[start]) ? start + 1 : start,
    end === -1 ? undefined : end,
  );
  while (body.length && /^[\s─━═│┃╭╮╰╯•]*$|^\s*Worked for /.test(body.at(-1)!)) body.pop();
  while (body.length && !body[0].trim()) body.shift();
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.match(/^\s*/)![0].length));
  const text = body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).replace(/\s+$/, "")).join("\n")
    .replace(/\n{3,}/g, "\n\n");
  return text.trim() ? text : null;
}
