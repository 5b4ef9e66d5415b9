/**
 * The shape of a Claude Code hook's input, as codexctl reads it (`run.ts` parses it; the delivery
 * pass and the Stop rules read it). Types only: nothing of this module is loaded at run time.
 *
 * @module
 */

/** A background task Claude Code lists in Stop input. */
export interface BackgroundTask {
  type: string | null;
  status: string | null;
  command: string | null;
  description: string | null;
}

/** The fields of Claude Code's hook input that codexctl uses. */
export interface HookInput {
  session_id: string;
  /**
   * Identifies the hook event: a hash of the raw input, which Claude Code gives every hook of one
   * event alike (so the Stop and the wake-up hook of one Stop share it).
   */
  event_id: string;
  hook_event_name: string | null;
  /** Stop: true on the re-check after a block. */
  stop_hook_active: boolean;
  /** SessionStart: startup, resume, clear, compact or fork. */
  source: string | null;
  cwd: string | null;
  /** Stop: shells, monitors, subagents… still running. */
  background_tasks: BackgroundTask[];
  /** PostToolUse: the tool's stdout when it has one (Bash), as Claude saw it; at most 256 KiB. */
  tool_stdout: string | null;
}
