/**
 * The fake herdr's agent detection, modelled on herdr's (reference/herdr.md §7.2): which agent a
 * pane runs comes from the pane's foreground process (argv0 or process name; `node`/`bun`/python
 * and `sh -c` wrappers unwrapped; `HERDR_AGENT=<kind>` forces it); the state comes from screen
 * rules run against the bottom of the screen and the terminal title. Pure functions, so they are
 * unit-tested on the recorded real Codex screens.
 *
 * @module
 */

/** Agent kinds herdr recognises (`agent.start --kind` accepts these). */
export const AGENT_KINDS: readonly string[] = [
  "pi",
  "claude",
  "codex",
  "gemini",
  "cursor",
  "devin",
  "agy",
  "cline",
  "omp",
  "mastracode",
  "opencode",
  "copilot",
  "kimi",
  "kiro",
  "droid",
  "amp",
  "grok",
  "hermes",
  "kilo",
  "qodercli",
  "qwen",
  "maki",
];

/** A screen-detected state (herdr's internal detector has no `done`). */
export type DetectedState = "idle" | "working" | "blocked";

const WRAPPERS = new Set(["node", "nodejs", "bun", "deno", "python", "python3", "env"]);
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "fish", "ksh"]);

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * The agent a foreground process is, or null. `comm` is the kernel's process name, `argv` the
 * command line, `forced` the process's `HERDR_AGENT` variable.
 */
export function agentOfProcess(
  proc: { comm: string; argv: string[]; forced?: string | null },
): string | null {
  if (proc.forced && AGENT_KINDS.includes(proc.forced)) return proc.forced;
  const argv0 = base(proc.argv[0] ?? proc.comm);
  if (AGENT_KINDS.includes(argv0)) return argv0;
  if (AGENT_KINDS.includes(proc.comm)) return proc.comm;
  if (WRAPPERS.has(argv0) || WRAPPERS.has(proc.comm)) {
    const script = proc.argv.slice(1).find((a) => !a.startsWith("-") && !a.includes("="));
    const name = script ? base(script).replace(/\.(m?js|ts|py)$/, "") : "";
    return AGENT_KINDS.includes(name) ? name : null;
  }
  if (SHELLS.has(argv0) && proc.argv[1] === "-c" && proc.argv[2]) {
    const first = base(proc.argv[2].trim().split(/\s+/)[0] ?? "");
    return AGENT_KINDS.includes(first) ? first : null;
  }
  return null;
}

/** The last `n` non-blank lines of a screen. */
export function bottomLines(screen: string, n: number): string[] {
  return screen.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "").slice(-n);
}

const BRAILLE_SPINNER = /^[\u2800-\u28ff]/;

const CODEX_BLOCKED = [
  /Would you like to (run the following command|make the following edits)\?/,
  /Press enter to confirm or esc to cancel/i,
  /\[y\/n\]/i,
  /Action Required/,
  /enter to submit answer/,
];
const CODEX_WORKING = /\(.*esc to interrupt\)\s*$/;

const GENERIC_BLOCKED = [/\[y\/n\]/i, /Do you want to/];
const GENERIC_WORKING = [/Working\.\.\./, /esc to interrupt/];

/**
 * The state of a recognised agent from its screen and terminal title. Blocked (an approval dialog
 * or a question widget) wins over working (Codex's question widget also says "esc to interrupt").
 * If no rule matches, a known agent is idle. Codex also says it in its title: a braille spinner
 * while working, "Action Required" while waiting for approval.
 */
export function screenState(agent: string, screen: string, title = ""): DetectedState {
  const bottom = bottomLines(screen, 20);
  const text = bottom.join("\n");
  if (agent === "codex") {
    if (CODEX_BLOCKED.some((re) => re.test(text)) || /Action Required/.test(title)) return "blocked";
    if (bottomLines(screen, 8).some((l) => CODEX_WORKING.test(l))) return "working";
    if (BRAILLE_SPINNER.test(title.trim())) return "working";
    return "idle";
  }
  if (GENERIC_BLOCKED.some((re) => re.test(text))) return "blocked";
  if (GENERIC_WORKING.some((re) => re.test(text))) return "working";
  if (BRAILLE_SPINNER.test(title.trim())) return "working";
  return "idle";
}
