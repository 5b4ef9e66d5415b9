/**
 * The reading of a headless run (`start --via exec`): its process first (a recorded exit status
 * is final; else Codex's pid and start time are probed — a reused pid never counts — and, when
 * Codex is gone but its supervisor has not yet written the exit, the supervisor gets a moment to
 * write it), then its event stream read on from a saved progress (so a terminal event Codex wrote
 * just before it died is seen), the final message whole (the `-o` file when the turn completed),
 * what Codex said on stderr when it ended before its turn, and with `--output-schema` the parsed
 * and checked output. One way for status, await, watch and the hooks.
 *
 * @module
 */
import { type ExecRunState, MAX_MESSAGE_CHARS, MESSAGE_TAIL_CHARS } from "../codex/exec/events.ts";
import { type ExecProgress, readExecStream } from "../codex/exec/reader.ts";
import { readRun, runFile, type RunFiles, type RunLiveness, runLiveness } from "../substrate/exec_run.ts";
import type { ExecEvidence, ProcessEvidence } from "../verdict/evidence.ts";

/** Which run to read. */
export interface ExecSpec {
  /** The run directory. */
  dir: string;
  /** Its number in the session (1 = the start). */
  run: number;
  /** The session's `--output-schema` copy (null: none). */
  schema: string | null;
}

/** One reading of a run. */
export interface ExecReading {
  exec: ExecEvidence;
  process: ProcessEvidence;
  /** The stream progress after the read (keep it for the next read). */
  progress: ExecProgress;
  files: RunFiles;
  liveness: RunLiveness;
  /** The stream's last write (ms since the epoch; null before it exists). */
  mtime: number | null;
}

/** How long a reading waits for a supervisor to record the exit of a Codex that just died. */
export const EXIT_SETTLE_MS = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last `bytes` of a file as text (null when absent or empty). */
async function fileTail(path: string, bytes: number): Promise<string | null> {
  try {
    const file = await Deno.open(path, { read: true });
    try {
      const size = (await file.stat()).size;
      if (size === 0) return null;
      const start = Math.max(0, size - bytes);
      await file.seek(start, Deno.SeekMode.Start);
      const buffer = new Uint8Array(size - start);
      let at = 0;
      while (at < buffer.length) {
        const n = await file.read(buffer.subarray(at));
        if (n === null) break;
        at += n;
      }
      return new TextDecoder().decode(buffer.subarray(0, at));
    } finally {
      file.close();
    }
  } catch {
    return null;
  }
}

/** The final message Codex wrote with `-o` (whole up to the verdict's limit), or null when it wrote none. */
async function lastMessageFile(
  path: string,
): Promise<{ text: string; chars: number; tail: string | null } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null;
  }
  text = text.replace(/\n$/, "");
  if (text.length <= MAX_MESSAGE_CHARS) return { text, chars: text.length, tail: null };
  return {
    text: text.slice(0, MAX_MESSAGE_CHARS),
    chars: text.length,
    tail: text.slice(-MESSAGE_TAIL_CHARS),
  };
}

/**
 * The `-o` file's message, when it is whole; else null (the stream's message stands). Codex prints
 * `turn.completed` before it writes the file, and writes it by truncating then writing: a reading
 * in between sees no file, an empty one, or (for a long message) part of it. A file shorter than
 * the message the stream carried is such a moment, never the final message; an empty file is one
 * too unless the stream had no message either.
 */
export function settledMessage<T extends { text: string; chars: number }>(
  written: T | null,
  streamChars: number,
): T | null {
  if (!written) return null;
  if (written.chars < streamChars) return null;
  return written;
}

/** The length of the stream's message as the `-o` file reads (its one trailing newline dropped). */
function streamChars(s: ExecRunState): number {
  const end = s.last_agent_message_tail ?? s.last_agent_message ?? "";
  return s.last_agent_message_chars - (end.endsWith("\n") ? 1 : 0);
}

/** Reads a run: its process, then what its stream gained since `from`. */
export async function readExec(
  spec: ExecSpec,
  from: ExecProgress | null = null,
  now: number = Date.now(),
): Promise<ExecReading> {
  let files = await readRun(spec.dir);
  let liveness = await runLiveness(files, now);
  const settleBy = Date.now() + EXIT_SETTLE_MS;
  while (!liveness.alive && !liveness.exit && liveness.supervisor_alive && Date.now() < settleBy) {
    // Codex is gone and its supervisor is draining the last output: let it finish
    await sleep(50);
    files = await readRun(spec.dir);
    liveness = await runLiveness(files);
  }
  const read = await readExecStream(runFile(spec.dir, "events"), from ?? undefined);
  const s = read.progress.state;
  // the -o file is written only when the turn completed; it holds the message whole
  const written = s.turn === "completed"
    ? settledMessage(await lastMessageFile(runFile(spec.dir, "message")), streamChars(s))
    : null;
  const truncated = written
    ? written.chars > MAX_MESSAGE_CHARS
    : s.last_agent_message_chars > MAX_MESSAGE_CHARS;
  const message = written?.text ?? s.last_agent_message;
  const exec: ExecEvidence = {
    events_path: runFile(spec.dir, "events"),
    run: spec.run,
    thread_id: s.thread_id,
    turn: s.turn,
    last_agent_message: message,
    message_chars: written?.chars ?? s.last_agent_message_chars,
    message_tail: written ? written.tail : s.last_agent_message_tail,
    // where the whole message is when the verdict carries only its start
    message_path: !truncated ? null : runFile(spec.dir, written ? "message" : "events"),
    error: s.turn_error ?? s.last_error ?? files.exit?.error ?? null,
    running: s.running?.command ?? null,
    stderr_tail: !liveness.alive && s.turn === null
      ? await fileTail(runFile(spec.dir, "stderr"), 4096)
      : null,
    quiet_ms: read.mtime !== null ? Math.max(0, now - read.mtime) : null,
  };
  if (spec.schema && s.turn === "completed" && message !== null) {
    const { checkOutput } = await import("../codex/exec/output.ts");
    const whole = written && truncated ? await Deno.readTextFile(runFile(spec.dir, "message")) : message;
    exec.output = await checkOutput(whole, spec.schema);
  }
  const process: ProcessEvidence = {
    alive: liveness.alive,
    pid: liveness.pid,
    started_at: liveness.started_at,
    exit: liveness.exit ? { code: liveness.exit.code, signal: liveness.exit.signal } : null,
  };
  return { exec, process, progress: read.progress, files, liveness, mtime: read.mtime };
}
