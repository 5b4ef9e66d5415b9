/**
 * The scenarios the fixture recorder plays on every pinned Codex version, and that live tests
 * replay. Each is a prompt with mock directives (see mock_model.ts), an optional `codex exec` run
 * and an optional TUI run given as steps.
 *
 * @module
 */
import { withMarkerReminder, wrapTask } from "../../src/codex/prompt.ts";
import { CODEX_VERSIONS, type CodexVersion } from "./codex_bin.ts";
import type { SCREEN } from "./codex_tui.ts";

/** The marker every recorded scenario uses, so fixtures are comparable. */
export const FIXTURE_MARKER = "CDX_DONE_F1X7UR";

/** One step of a TUI run. */
export type TuiStep =
  | { do: "submit"; text: string }
  | { do: "keys"; keys: string[] }
  | { do: "plan-mode" }
  | { do: "wait"; for: keyof typeof SCREEN; timeoutMs?: number }
  | { do: "capture"; label: string }
  | { do: "turn-end"; timeoutMs?: number }
  | { do: "sleep"; ms: number };

/** A recorded scenario. */
export interface Scenario {
  name: string;
  summary: string;
  /** The first message. */
  prompt: string;
  /** `codex exec` run, or false when the scenario only exists in the TUI. */
  exec: false | { args?: (v: CodexVersion) => string[]; interruptAfterMs?: number };
  /** TUI run, or false. `untrusted` leaves the folder untrusted (trust dialog). */
  tui: false | { args?: (v: CodexVersion) => string[]; untrusted?: boolean; steps: TuiStep[] };
}

const task = (text: string) => wrapTask(text, FIXTURE_MARKER);
const updatePlanArgs = (
  v: CodexVersion,
) => (v === CODEX_VERSIONS.current ? ["-c", "tools.update_plan={enabled=true}"] : []);

/** A TUI run of one prompt: submit, capture while working, capture the end. */
function simpleTui(prompt: string, args?: (v: CodexVersion) => string[]): Scenario["tui"] {
  return {
    args,
    steps: [
      { do: "capture", label: "ready" },
      { do: "submit", text: prompt },
      { do: "turn-end" },
      { do: "sleep", ms: 800 },
      { do: "capture", label: "done" },
    ],
  };
}

/** Every scenario, in recording order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "message",
    summary: "A plain assistant message streamed in deltas, no marker requested",
    prompt: "{{say Hello from the mock model. Nothing else to do.}}",
    exec: {},
    tui: simpleTui("{{say Hello from the mock model. Nothing else to do.}}"),
  },
  {
    name: "marker",
    summary: "A task wrapped with the completion-marker contract; the final message prints the marker",
    prompt: task("{{done Wrote the summary as asked.}} Summarise the repository."),
    exec: {},
    tui: simpleTui(task("{{done Wrote the summary as asked.}} Summarise the repository.")),
  },
  {
    name: "shell",
    summary: "A shell tool call (exec_command or legacy shell) then a final message with the marker",
    prompt: task("{{shell echo codexctl-fixture-shell}} {{done}} Run the probe."),
    exec: {},
    tui: simpleTui(task("{{shell echo codexctl-fixture-shell}} {{done}} Run the probe.")),
  },
  {
    name: "escalated",
    summary:
      "A command that needs approval (sandbox_permissions=require_escalated); approved in the TUI, refused by exec",
    prompt: task("{{escalate touch escalated.txt}} {{done}} Create the file."),
    exec: {},
    tui: {
      steps: [
        { do: "submit", text: task("{{escalate touch escalated.txt}} {{done}} Create the file.") },
        { do: "wait", for: "approval" },
        { do: "sleep", ms: 500 },
        { do: "capture", label: "approval" },
        { do: "keys", keys: ["Enter"] },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
  {
    name: "question",
    summary: "A free-text question ends the turn; the answer (with the marker reminder) completes the task",
    prompt: task("{{question}} Add a cache."),
    exec: {},
    tui: {
      steps: [
        { do: "submit", text: task("{{question}} Add a cache.") },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "question" },
        { do: "submit", text: withMarkerReminder("Use SQLite.", FIXTURE_MARKER) },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
  {
    name: "user_input",
    summary: "Plan mode request_user_input widget answered with option 2, then the marker",
    prompt: task("{{ask}} {{done}} Pick a colour."),
    exec: false,
    tui: {
      steps: [
        { do: "plan-mode" },
        { do: "submit", text: task("{{ask}} {{done}} Pick a colour.") },
        { do: "wait", for: "question" },
        { do: "sleep", ms: 500 },
        { do: "capture", label: "widget" },
        { do: "keys", keys: ["Down"] },
        { do: "sleep", ms: 300 },
        { do: "keys", keys: ["Enter"] },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
  {
    name: "plan",
    summary:
      "Plan mode <proposed_plan> answer, the 'Implement this plan?' menu, approval, completion with marker",
    prompt: task("{{plan 8}} Plan the cache change."),
    exec: false,
    tui: {
      steps: [
        { do: "plan-mode" },
        { do: "submit", text: task("{{plan 8}} Plan the cache change.") },
        { do: "wait", for: "planMenu" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "plan-menu" },
        { do: "keys", keys: ["Enter"] },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
  {
    name: "goal",
    summary: "create_goal then update_goal(complete), then the marker",
    prompt: task("{{goal Ship the widget}} {{done}} Work on the widget."),
    exec: {},
    tui: simpleTui(task("{{goal Ship the widget}} {{done}} Work on the widget.")),
  },
  {
    name: "checklist",
    summary: "An update_plan checklist (enabled on 0.169 with tools.update_plan), then the marker",
    prompt: task("{{checklist}} {{done}} Track the work."),
    exec: { args: updatePlanArgs },
    tui: simpleTui(task("{{checklist}} {{done}} Track the work."), updatePlanArgs),
  },
  {
    name: "failure",
    summary: "The upstream answers HTTP 500 (retries 0): the turn fails",
    prompt: task("{{fail}} Do the thing."),
    exec: {},
    tui: simpleTui(task("{{fail}} Do the thing.")),
  },
  {
    name: "slow",
    summary: "A message streamed slowly over 3 s, captured while it arrives",
    prompt: task("{{slow 3}} Explain slowly."),
    exec: {},
    tui: {
      steps: [
        { do: "submit", text: task("{{slow 3}} Explain slowly.") },
        { do: "sleep", ms: 1500 },
        { do: "capture", label: "streaming" },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
  {
    name: "interrupt",
    summary: "A silent pause; Esc in the TUI (SIGINT for exec) interrupts the turn",
    prompt: task("{{pause 30}} {{done}} Think for a while."),
    exec: { interruptAfterMs: 3000 },
    tui: {
      steps: [
        { do: "submit", text: task("{{pause 30}} {{done}} Think for a while.") },
        { do: "wait", for: "working" },
        { do: "sleep", ms: 1500 },
        { do: "capture", label: "working" },
        { do: "keys", keys: ["Escape"] },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "interrupted" },
      ],
    },
  },
  {
    name: "trust",
    summary: "First run in an untrusted folder: the folder-trust dialog, accepted with Enter",
    prompt: task("{{done}} Say hello."),
    exec: false,
    tui: {
      untrusted: true,
      steps: [
        { do: "wait", for: "trust" },
        { do: "sleep", ms: 500 },
        { do: "capture", label: "trust-dialog" },
        { do: "keys", keys: ["Enter"] },
        { do: "submit", text: task("{{done}} Say hello.") },
        { do: "turn-end" },
        { do: "sleep", ms: 800 },
        { do: "capture", label: "done" },
      ],
    },
  },
];

/** Looks a scenario up by name. */
export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}
