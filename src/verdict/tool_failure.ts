/**
 * The failure rule: does a tool output Codex just got show a failing test run or a crash? Pure —
 * the facts of each new tool output in (`tool_output` transitions of the fold, see
 * `codex/rollout/tool_output.ts`), failures out — and at most one per turn, so a red test suite
 * Codex is busy fixing is told once, not once per run.
 *
 * A tool output is a failure when
 * 1. its command is not one that searches or shows code (`ignore_commands`: `grep`, `rg`,
 *    `git diff` …, whose output quotes such words without anything having failed), and
 * 2. its text matches one of the `output` patterns (default: `FAILED ` — pytest's and unittest's
 *    verdict — and `Traceback (most recent call last)`), or its command is a test run
 *    (`test_commands`: pytest, `npm test`, `go test`, `cargo test`, `deno test`, …) that exited
 *    with a code other than 0.
 *
 * The three lists are regular expressions, replaceable in `config.jsonc` (`failures`, see
 * `policy/config.ts`). Tests: `tests/tool_failure_test.ts`, next to the real outputs it reads.
 *
 * @module
 */
import type { ToolOutputTransition, Transition } from "../codex/rollout/fold.ts";
import { clip } from "../text.ts";

export type { ToolOutputTransition };

/** The failure patterns, as written (regular expression sources). */
export interface FailurePatternSources {
  output: string[];
  test_commands: string[];
  ignore_commands: string[];
}

/** The failure patterns, compiled. */
export interface FailurePatterns {
  /** Text in a tool's output that means a failure. */
  output: RegExp[];
  /** Commands that are test runs: a non-zero exit of one is a failure. */
  test_commands: RegExp[];
  /** Commands whose output is never judged (they search or show code). */
  ignore_commands: RegExp[];
}

/** The defaults of every list. */
export const DEFAULT_FAILURE_PATTERNS: Readonly<FailurePatternSources> = Object.freeze({
  output: ["FAILED ", "Traceback \\(most recent call last\\)"],
  test_commands: [
    "\\bpy\\.?test\\b",
    "\\bpython[0-9.]*\\s+-m\\s+(?:pytest|unittest)\\b",
    "\\b(?:npm|pnpm|yarn|bun)\\s+(?:run\\s+)?test\\b",
    "\\b(?:deno|go|cargo|dotnet|mix|swift|zig)\\s+test\\b",
    "\\b(?:jest|vitest|mocha|rspec|phpunit|ctest|tox|nox)\\b",
    "\\bmake\\s+(?:test|check)\\b",
    "\\b(?:mvn|gradle|gradlew)\\b.*\\btest\\b",
  ],
  ignore_commands: [
    "^\\s*(?:rg|grep|egrep|fgrep|ag|ack)\\b",
    "^\\s*git\\s+(?:grep|diff|show|log|blame)\\b",
  ],
});

/** Compiles pattern sources (a list left out keeps its default). Throws `SyntaxError` for a bad one. */
export function compileFailurePatterns(sources: Partial<FailurePatternSources> = {}): FailurePatterns {
  const compile = (list: readonly string[], flags: string) => list.map((p) => new RegExp(p, flags));
  return {
    output: compile(sources.output ?? DEFAULT_FAILURE_PATTERNS.output, "m"),
    test_commands: compile(sources.test_commands ?? DEFAULT_FAILURE_PATTERNS.test_commands, ""),
    ignore_commands: compile(sources.ignore_commands ?? DEFAULT_FAILURE_PATTERNS.ignore_commands, ""),
  };
}

/** What a failure was. */
export interface ToolFailure {
  /** `output`: the text matched a pattern; `exit`: a test command exited with a non-zero code. */
  kind: "output" | "exit";
  /** The turn it belongs to ({@linkcode turnKey}). */
  turn: string;
  /** The command, when the tool was a shell call. */
  command: string | null;
  exit_code: number | null;
  /** The output line that matched (a traceback: with the exception it ended in), clipped. */
  line: string | null;
  /** One sentence for a watch line or a hook. */
  summary: string;
  /** Rollout byte offset of the output line. */
  offset: number;
}

/** The key of the turn a tool output belongs to: its number in the thread and its id. */
export function turnKey(t: Pick<ToolOutputTransition, "turn_seq" | "turn_id">): string {
  return `${t.turn_seq}:${t.turn_id ?? ""}`;
}

/** The failure one tool output shows, or null. */
export function toolFailure(t: ToolOutputTransition, p: FailurePatterns): ToolFailure | null {
  const command = t.command;
  if (command !== null && p.ignore_commands.some((re) => re.test(command))) return null;
  const text = t.facts.text;
  for (const re of p.output) {
    const m = re.exec(text);
    if (!m) continue;
    const line = matchedLine(text, m.index);
    return {
      kind: "output",
      turn: turnKey(t),
      command,
      exit_code: t.facts.exit_code,
      line,
      summary: `${
        t.facts.exit_code
          ? `${named(command)} exited with ${t.facts.exit_code}`
          : `Failure in the output of ${named(command)}`
      }: ${line}`,
      offset: t.offset,
    };
  }
  const code = t.facts.exit_code;
  if (command !== null && code !== null && code !== 0 && p.test_commands.some((re) => re.test(command))) {
    const last = lastLine(text);
    return {
      kind: "exit",
      turn: turnKey(t),
      command,
      exit_code: code,
      line: last,
      summary: `A test run failed: ${clip(command, 120)} exited with ${code}${last ? `: ${last}` : ""}`,
      offset: t.offset,
    };
  }
  return null;
}

/**
 * The failures among `transitions` (one read's, in order), at most one per turn: a turn whose key
 * is `told` (the last turn a failure was reported for) or that already failed in this list is
 * skipped. Returns the failures and the key of the last turn told.
 */
export function newFailures(
  transitions: readonly Transition[],
  patterns: FailurePatterns,
  told: string | null,
): { failures: ToolFailure[]; told: string | null } {
  const failures: ToolFailure[] = [];
  let last = told;
  for (const t of transitions) {
    if (t.t !== "tool_output" || turnKey(t) === last) continue;
    const f = toolFailure(t, patterns);
    if (!f) continue;
    failures.push(f);
    last = f.turn;
  }
  return { failures, told: last };
}

function named(command: string | null): string {
  return command ? clip(command, 80) : "a tool";
}

/** The line around `index`; for a Python traceback, with the exception it ends in. */
function matchedLine(text: string, index: number): string {
  const start = text.lastIndexOf("\n", index - 1) + 1;
  const endAt = text.indexOf("\n", index);
  const line = text.slice(start, endAt === -1 ? text.length : endAt).trim();
  if (line.startsWith("Traceback (most recent call last)")) {
    // the exception is the first line after the frames that is not indented
    const rest = text.slice(endAt === -1 ? text.length : endAt + 1).split("\n");
    const exc = rest.find((l) => l.trim() && !/^\s/.test(l) && !l.startsWith("Traceback"));
    if (exc) return clip(`Traceback: ${exc.trim()}`, 240);
  }
  return clip(line, 240);
}

/** The last non-empty line of `text` (clipped), or null. */
function lastLine(text: string): string | null {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.length ? clip(lines[lines.length - 1], 200) : null;
}
