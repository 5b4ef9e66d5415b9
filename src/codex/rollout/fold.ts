/**
 * The thread state fold: a pure function of the rollout event sequence. Folding in chunks gives
 * exactly the state of folding the whole sequence at once, and the state is plain JSON so readers
 * can persist it next to their byte cursor.
 *
 * The fold only accumulates what the rollout says (the open turn, its pending calls, how the last
 * turn ended, messages, tokens …). What that means — working, failed, waiting — is judged in
 * `src/verdict/` (`rollout_status.ts`), never here.
 *
 * The state is bounded, however long the rollout: messages keep their last
 * {@linkcode MAX_MESSAGE} characters, the latest plan and checklist are kept whole but only the
 * latest, at most {@linkcode MAX_PENDING} pending calls with bounded summaries, the last five errors,
 * counters. No kept string holds on to the (possibly huge) line it was cut from.
 *
 * @module
 */
import { clip } from "../../text.ts";
import { markerIn } from "../prompt.ts";
import type {
  CodexReviewOutput,
  CodexReviewTarget,
  RolloutEvent,
  RolloutUsage,
  UserInputQuestion,
} from "./events.ts";
import { userInputQuestions } from "./fields.ts";
import type { ToolOutputFacts } from "./tool_output.ts";

/** The thread's latest review turn, as the rollout wrote it (`review.ts` turns it into a report). */
export interface ReviewState {
  turn_id: string | null;
  target: CodexReviewTarget | null;
  /** Codex's words for the target ("current changes", "commit abc1234", …). */
  hint: string | null;
  /** True once the review turn ended (`exited_review_mode` / `ExitedReviewMode`). */
  done: boolean;
  /** Codex's `review_output`; null while it runs, or when it ended without one (interrupted). */
  output: CodexReviewOutput | null;
  at: number | null;
}

/** A tool call without its output yet. */
export interface PendingCall {
  name: string;
  /** ms timestamp of the call line (null if unknown). */
  since: number | null;
  /** An escalated command (`sandbox_permissions: require_escalated`), i.e. one that needs approval. */
  escalated: boolean;
  /** A short human summary: the command, the patch target, the goal… */
  summary: string | null;
  justification: string | null;
}

/** How the last finished turn ended, as the rollout wrote it (`verdict/rollout_status.ts` judges it). */
export interface TurnEnd {
  id: string | null;
  /**
   * The marker that ended it: `completed` (task_complete) or `aborted` (turn_aborted). `failed` only
   * in progress saved by codexctl 0.1.0, whose fold judged failures itself.
   */
  outcome: "completed" | "failed" | "aborted";
  /** The error the end marker carries (0.169's `task_complete.error`), else null. */
  error: string | null;
  reason: string | null;
  at: number | null;
  /** True when the turn produced anything: agent messages, activity, or a final message (absent before 0.1.1). */
  output?: boolean;
  /** The latest `error` line seen before the end (absent before 0.1.1). */
  last_error?: string | null;
}

/** A change worth telling someone about, produced while folding. */
export type Transition =
  | { t: "turn_started"; turn_id: string | null; trigger: string | null; at: number | null; offset: number }
  | { t: "turn_ended"; end: TurnEnd; last_agent_message: string | null; plan: string | null; offset: number }
  | { t: "waiting_input"; questions: UserInputQuestion[]; at: number | null; offset: number }
  | {
    t: "approval_probable";
    command: string | null;
    justification: string | null;
    at: number | null;
    offset: number;
  }
  | { t: "goal"; objective: string | null; status: string; at: number | null; offset: number }
  | {
    /** A tool's output whose facts the reader extracted (only when asked: `toolOutputs`). */
    t: "tool_output";
    call_id: string;
    /** The tool (`exec_command`, `shell`, `apply_patch`, …; null when its call was not seen). */
    name: string | null;
    /** The command it ran, when it was a shell call (see `PendingCall.summary`). */
    command: string | null;
    /** The turn it belongs to: its id, and its number in the thread (0 before any turn marker). */
    turn_id: string | null;
    turn_seq: number;
    facts: ToolOutputFacts;
    at: number | null;
    offset: number;
  };

/** A tool output with its facts (`ThreadRead.tool_outputs`; the failure rule reads them). */
export type ToolOutputTransition = Extract<Transition, { t: "tool_output" }>;

/** Everything the rollout tells about a thread. Plain JSON. */
export interface ThreadState {
  v: 1;
  thread_id: string | null;
  cwd: string | null;
  originator: string | null;
  cli_version: string | null;
  source: string | null;
  history_mode: "legacy" | "paginated" | null;
  model: string | null;
  approval_policy: string | null;
  sandbox: string | null;
  collaboration_mode: string | null;
  /** The open turn, if any. */
  turn: {
    id: string | null;
    started_at: number | null;
    agent_messages: number;
    activity: number;
    plan: string | null;
  } | null;
  last_turn: TurnEnd | null;
  turn_count: number;
  /** True once a turn marker was seen (0.80 writes none). */
  has_turn_markers: boolean;
  last_agent_message: string | null;
  last_user_message: string | null;
  /** How many user messages the thread has (a delivered send adds one, also when it steers a running turn). */
  user_messages: number;
  /** The completion marker codexctl's wording asked for in the latest user message that named one. */
  marker: string | null;
  /** True while a user message is newer than the last agent message (only used without turn markers). */
  awaiting_reply: boolean;
  /** The latest `<proposed_plan>` (Plan item), whole. */
  proposed_plan: string | null;
  /** The turn that proposed it. */
  plan_turn_id: string | null;
  goal: { objective: string | null; status: string } | null;
  checklist: { explanation: string | null; steps: { step: string; status: string }[] } | null;
  tokens: RolloutUsage | null;
  last_tokens: RolloutUsage | null;
  context_window: number | null;
  /** Context fill in percent (last usage over the window), 1 decimal. */
  context_pct: number | null;
  pending_calls: Record<string, PendingCall>;
  /** Questions of a pending `request_user_input`. */
  questions: UserInputQuestion[];
  last_activity: number | null;
  compactions: number;
  errors: string[];
  events: number;
  /** The latest review turn (absent in progress saved before reviews were read). */
  review?: ReviewState | null;
}

/** Characters kept of a message (its end) or a goal (its start). */
export const MAX_MESSAGE = 16 * 1024;
/** Pending calls kept for the open turn (escalated calls and questions are let go last). */
export const MAX_PENDING = 64;
/** Characters kept of a call's summary or justification, and of how a turn failed. */
const MAX_SUMMARY = 2000;
/** Characters kept of a label (model, approval policy, sandbox, version, …). */
const MAX_LABEL = 200;
/** Characters kept of an error line. */
const MAX_ERROR = 500;

/** The state before any event. */
export function initialState(): ThreadState {
  return {
    v: 1,
    thread_id: null,
    cwd: null,
    originator: null,
    cli_version: null,
    source: null,
    history_mode: null,
    model: null,
    approval_policy: null,
    sandbox: null,
    collaboration_mode: null,
    turn: null,
    last_turn: null,
    turn_count: 0,
    has_turn_markers: false,
    last_agent_message: null,
    last_user_message: null,
    user_messages: 0,
    marker: null,
    awaiting_reply: false,
    proposed_plan: null,
    plan_turn_id: null,
    goal: null,
    checklist: null,
    tokens: null,
    last_tokens: null,
    context_window: null,
    context_pct: null,
    pending_calls: {},
    questions: [],
    last_activity: null,
    compactions: 0,
    errors: [],
    events: 0,
    review: null,
  };
}

/** Folds `events` into `state`; returns a new state (the input is not modified). */
export function fold(state: ThreadState, events: readonly RolloutEvent[]): ThreadState {
  return foldWithTransitions(state, events).state;
}

/** Like {@linkcode fold}, and also returns the transitions the events caused, in order. */
export function foldWithTransitions(
  state: ThreadState,
  events: readonly RolloutEvent[],
): { state: ThreadState; transitions: Transition[] } {
  const s: ThreadState = structuredClone(state);
  const transitions: Transition[] = [];
  foldInto(s, events, transitions);
  return { state: s, transitions };
}

/**
 * Folds `events` into `state` in place and appends the transitions they cause to `transitions`:
 * for a reader that owns its copy of the state and folds a stream piece by piece. Folding in
 * pieces gives exactly the state of one {@linkcode fold} of all of them.
 */
export function foldInto(
  state: ThreadState,
  events: Iterable<RolloutEvent>,
  transitions: Transition[],
): void {
  for (const e of events) step(state, e, transitions);
}

/** A message as kept in the state: its last {@linkcode MAX_MESSAGE} characters. */
function kept(text: string): string {
  const end = clip(text, MAX_MESSAGE, { keep: "end", flatten: false });
  return end === text ? text : detached(end);
}

/** The start of a text, at most `max` characters. */
function bounded(text: string, max: number): string;
function bounded(text: string | null, max: number): string | null;
function bounded(text: string | null, max: number): string | null {
  if (text === null) return null;
  const start = clip(text, max, { flatten: false });
  return start === text ? text : detached(start);
}

/**
 * A copy of `text` that does not keep the string it was cut from alive. V8 represents a slice of a
 * longer string as a view of it, so a 16 KiB tail of a 10 MB message would keep all 10 MB;
 * concatenation followed by a slice makes a flat copy. (Values JSON.parse made are their own.)
 */
function detached(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

function detachedOrNull(text: string | null): string | null {
  return text === null ? null : detached(text);
}

/** A label as kept in the state. */
function labelled(text: string): string {
  return bounded(text, MAX_LABEL);
}

/** Makes room for one more pending call: the oldest plain call goes first, then the oldest at all. */
function makeRoom(calls: Record<string, PendingCall>): void {
  const ids = Object.keys(calls);
  if (ids.length < MAX_PENDING) return;
  const plain = ids.find((id) => !calls[id].escalated && calls[id].name !== "request_user_input");
  delete calls[plain ?? ids[0]];
}

function shellSummary(name: string, args: Record<string, unknown> | null): string | null {
  if (!args) return null;
  if (typeof args.cmd === "string") return args.cmd;
  if (Array.isArray(args.command)) {
    const argv = args.command.map(String);
    // ["bash","-lc","<script>"] → the script
    return argv.length === 3 && /sh$/.test(argv[0]) && argv[1].startsWith("-") ? argv[2] : argv.join(" ");
  }
  if (typeof args.command === "string") return args.command;
  if (name === "apply_patch" && typeof args.input === "string") {
    const files = [...args.input.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => m[1]);
    return files.length ? `apply_patch ${files.join(", ")}` : "apply_patch";
  }
  return null;
}

function isEscalated(args: Record<string, unknown> | null): boolean {
  if (!args) return false;
  return args.sandbox_permissions === "require_escalated" || args.with_escalated_permissions === true;
}

function endTurn(
  s: ThreadState,
  end: TurnEnd,
  transitions: Transition[],
  offset: number,
  lastMessage: string | null,
): void {
  const plan = s.turn?.plan ?? null;
  s.last_turn = end;
  s.turn = null;
  s.pending_calls = {};
  s.questions = [];
  transitions.push({ t: "turn_ended", end, last_agent_message: lastMessage, plan, offset });
}

function step(s: ThreadState, e: RolloutEvent, transitions: Transition[]): void {
  s.events++;
  if (e.ts !== null && (s.last_activity === null || e.ts > s.last_activity)) s.last_activity = e.ts;
  switch (e.k) {
    case "session_meta":
      // the first session_meta names the thread; a fork's later meta lines must not rename it
      if (s.thread_id === null) {
        s.thread_id = e.id;
        s.cwd = e.cwd;
        s.originator = e.originator === null ? null : labelled(e.originator);
        s.cli_version = e.cli_version === null ? null : labelled(e.cli_version);
        s.source = e.source === null ? null : labelled(e.source);
        s.history_mode = e.history_mode;
      }
      break;
    case "turn_context":
      if (e.cwd) s.cwd = e.cwd;
      if (e.model) s.model = labelled(e.model);
      if (e.approval_policy) s.approval_policy = labelled(e.approval_policy);
      if (e.sandbox) s.sandbox = labelled(e.sandbox);
      if (e.collaboration_mode) s.collaboration_mode = labelled(e.collaboration_mode);
      break;
    case "settings":
      if (e.model) s.model = labelled(e.model);
      if (e.approval_policy) s.approval_policy = labelled(e.approval_policy);
      if (e.collaboration_mode) s.collaboration_mode = labelled(e.collaboration_mode);
      if (e.cwd) s.cwd = e.cwd;
      break;
    case "turn_started":
      s.has_turn_markers = true;
      s.turn = { id: e.turn_id, started_at: e.ts, agent_messages: 0, activity: 0, plan: null };
      s.turn_count++;
      s.pending_calls = {};
      s.questions = [];
      if (e.context_window) s.context_window = e.context_window;
      if (e.collaboration_mode) s.collaboration_mode = labelled(e.collaboration_mode);
      transitions.push({
        t: "turn_started",
        turn_id: e.turn_id,
        trigger: e.trigger,
        at: e.ts,
        offset: e.offset,
      });
      break;
    case "turn_complete": {
      s.has_turn_markers = true;
      const worked = (s.turn?.agent_messages ?? 0) + (s.turn?.activity ?? 0) > 0;
      if (e.last_agent_message) s.last_agent_message = kept(e.last_agent_message);
      endTurn(
        s,
        {
          id: e.turn_id ?? s.turn?.id ?? null,
          outcome: "completed",
          error: bounded(e.error, MAX_SUMMARY),
          reason: null,
          at: e.ts,
          output: worked || !!e.last_agent_message,
          last_error: s.errors.at(-1) ?? null,
        },
        transitions,
        e.offset,
        s.last_agent_message,
      );
      break;
    }
    case "turn_aborted":
      s.has_turn_markers = true;
      endTurn(
        s,
        {
          id: e.turn_id ?? s.turn?.id ?? null,
          outcome: "aborted",
          error: null,
          reason: labelled(e.reason),
          at: e.ts,
        },
        transitions,
        e.offset,
        null,
      );
      break;
    case "user_message":
      s.last_user_message = kept(e.text);
      s.user_messages++;
      s.marker = detachedOrNull(bounded(markerIn(e.text), MAX_LABEL)) ?? s.marker;
      s.awaiting_reply = true;
      break;
    case "agent_message":
      s.last_agent_message = kept(e.text);
      s.awaiting_reply = false;
      if (s.turn) s.turn.agent_messages++;
      break;
    case "plan":
      s.proposed_plan = e.text;
      s.plan_turn_id = s.turn?.id ?? null;
      if (s.turn) {
        s.turn.plan = e.text;
        s.turn.activity++;
      }
      break;
    case "activity":
      if (s.turn) s.turn.activity++;
      break;
    case "tool_call": {
      if (s.turn) s.turn.activity++;
      const escalated = isEscalated(e.args);
      if (!(e.call_id in s.pending_calls)) makeRoom(s.pending_calls);
      s.pending_calls[e.call_id] = {
        name: labelled(e.name),
        since: e.ts,
        escalated,
        summary: bounded(shellSummary(e.name, e.args), MAX_SUMMARY),
        justification: typeof e.args?.justification === "string"
          ? bounded(e.args.justification, MAX_SUMMARY)
          : null,
      };
      if (e.name === "request_user_input") {
        s.questions = userInputQuestions(e.args);
        transitions.push({ t: "waiting_input", questions: s.questions, at: e.ts, offset: e.offset });
      } else if (escalated) {
        const call = s.pending_calls[e.call_id];
        transitions.push({
          t: "approval_probable",
          command: call.summary,
          justification: call.justification,
          at: e.ts,
          offset: e.offset,
        });
      } else if (e.name === "create_goal") {
        s.goal = {
          objective: typeof e.args?.objective === "string" ? bounded(e.args.objective, MAX_MESSAGE) : null,
          status: "active",
        };
        transitions.push({
          t: "goal",
          objective: s.goal.objective,
          status: s.goal.status,
          at: e.ts,
          offset: e.offset,
        });
      } else if (e.name === "update_goal" && typeof e.args?.status === "string") {
        s.goal = { objective: s.goal?.objective ?? null, status: labelled(e.args.status) };
        transitions.push({
          t: "goal",
          objective: s.goal.objective,
          status: s.goal.status,
          at: e.ts,
          offset: e.offset,
        });
      } else if (e.name === "update_plan" && e.args && Array.isArray(e.args.plan)) {
        s.checklist = {
          explanation: typeof e.args.explanation === "string" ? e.args.explanation : null,
          steps: e.args.plan.filter((x): x is Record<string, unknown> => !!x && typeof x === "object")
            .map((x) => ({ step: String(x.step ?? ""), status: String(x.status ?? "pending") })),
        };
      }
      break;
    }
    case "tool_output": {
      const call = s.pending_calls[e.call_id];
      if (e.facts) {
        transitions.push({
          t: "tool_output",
          call_id: e.call_id,
          name: call?.name ?? null,
          command: call?.summary ?? null,
          turn_id: s.turn?.id ?? null,
          turn_seq: s.turn_count,
          facts: e.facts,
          at: e.ts,
          offset: e.offset,
        });
      }
      if (call) {
        delete s.pending_calls[e.call_id];
        if (call.name === "request_user_input") s.questions = [];
      }
      if (s.turn) s.turn.activity++;
      break;
    }
    case "tokens":
      if (e.total) s.tokens = e.total;
      if (e.last) s.last_tokens = e.last;
      if (e.window) s.context_window = e.window;
      if (s.last_tokens && s.context_window) {
        s.context_pct = Math.min(100, Math.round((s.last_tokens.total / s.context_window) * 1000) / 10);
      }
      break;
    case "goal":
      s.goal = {
        objective: bounded(e.objective, MAX_MESSAGE) ?? s.goal?.objective ?? null,
        status: labelled(e.status),
      };
      transitions.push({
        t: "goal",
        objective: s.goal.objective,
        status: s.goal.status,
        at: e.ts,
        offset: e.offset,
      });
      break;
    case "review_entered":
      if (s.turn) s.turn.activity++;
      s.review = {
        turn_id: s.turn?.id ?? null,
        target: e.target,
        hint: e.hint,
        done: false,
        output: null,
        at: e.ts,
      };
      break;
    case "review_exited":
      if (s.turn) s.turn.activity++;
      s.review = {
        turn_id: s.review?.turn_id ?? s.turn?.id ?? null,
        target: s.review?.target ?? null,
        hint: s.review?.hint ?? null,
        done: true,
        output: e.output,
        at: e.ts,
      };
      break;
    case "compacted":
      s.compactions++;
      break;
    case "error":
      s.errors = [...s.errors.slice(-4), bounded(e.message, MAX_ERROR)];
      break;
    case "unknown":
    case "tick":
      break;
  }
}
