/**
 * A review inside an existing thread: `codex app-server` (stdio) resumes the thread and runs
 * `review/start` with `delivery: "inline"` (both pinned versions, verified live): Codex runs its
 * reviewer and records the review — `EnteredReviewMode` … `ExitedReviewMode` with `review_output`
 * — in that thread's own rollout, so the thread that did the work also holds the review, and a
 * later `send` discusses a finding with full context. (`codex exec review` cannot do this: it always
 * starts a new thread, and `codex exec resume` has no review mode.)
 *
 * What happens is written as the `codex exec --json` event stream (`thread.started`,
 * `turn.started`, `item.completed` agent messages, `turn.completed` or `turn.failed`, `error`), so
 * a detached run of it is read like any exec run. The thread is resumed read-only with approvals
 * off: a review reads, it never writes.
 *
 * @module
 */
import { type RpcMessage, StdioAppServer } from "./stdio_client.ts";

/** What to review, in the app-server's `ReviewTarget` shape. */
export type AppServerReviewTarget =
  | { type: "uncommittedChanges" }
  | { type: "baseBranch"; branch: string }
  | { type: "commit"; sha: string; title: string | null }
  | { type: "custom"; instructions: string };

/** Options of {@linkcode runInlineReview}. */
export interface InlineReviewOptions {
  /** The codex binary. */
  codex: string;
  cwd: string;
  threadId: string;
  target: AppServerReviewTarget;
  env?: Record<string, string>;
  /** Writes one exec event (one JSON line). */
  emit(event: Record<string, unknown>): void;
  /** Aborting interrupts the review turn (`turn/interrupt`) and ends the run. */
  signal?: AbortSignal;
}

function failed(o: InlineReviewOptions, message: string): number {
  o.emit({ type: "error", message });
  o.emit({ type: "turn.failed", error: { message } });
  return 1;
}

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};

/**
 * Runs the review and writes its exec events. Resolves to the exit status `codex exec` would have:
 * 0 when the review turn completed, 1 when it failed or could not start, 130 when interrupted.
 */
export async function runInlineReview(o: InlineReviewOptions): Promise<number> {
  let server: StdioAppServer;
  try {
    server = await StdioAppServer.spawn({ codex: o.codex, cwd: o.cwd, env: o.env });
  } catch (err) {
    return failed(o, `could not start codex app-server: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const resumed = await server.request("thread/resume", {
      threadId: o.threadId,
      approvalPolicy: "never",
      sandbox: "read-only",
    });
    if (resumed.error) {
      return failed(o, `Codex could not resume thread ${o.threadId}: ${resumed.error.message ?? "error"}`);
    }
    o.emit({ type: "thread.started", thread_id: o.threadId });
    let reviewTurn: string | null = null;
    let items = 0;
    const early: RpcMessage[] = [];
    let finish!: (code: number) => void;
    const done = new Promise<number>((resolve) => (finish = resolve));
    const handle = (m: RpcMessage) => {
      const p = record(m.params);
      if (p.threadId !== o.threadId) return; // the reviewer sub-agent's own thread, or another one
      if (reviewTurn === null) {
        early.push(m);
        return;
      }
      if (m.method === "item/completed" && p.turnId === reviewTurn) {
        const item = record(p.item);
        if (item.type === "agentMessage" && typeof item.text === "string") {
          o.emit({
            type: "item.completed",
            item: { id: `item_${items++}`, type: "agent_message", text: item.text },
          });
        }
      } else if (m.method === "error" && p.turnId === reviewTurn && record(p).willRetry !== true) {
        const message = String(record(p.error).message ?? "error");
        o.emit({ type: "error", message });
      } else if (m.method === "turn/completed") {
        const turn = record(p.turn);
        if (turn.id !== reviewTurn) return;
        if (turn.status === "completed") {
          o.emit({
            type: "turn.completed",
            usage: { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 },
          });
          finish(0);
        } else if (turn.status === "failed") {
          const message = String(record(turn.error).message ?? "the review turn failed");
          o.emit({ type: "turn.failed", error: { message } });
          finish(1);
        } else finish(130); // interrupted: exec prints no terminal event either
      }
    };
    const stop = server.onMessage(handle);
    const started = await server.request("review/start", {
      threadId: o.threadId,
      target: o.target,
      delivery: "inline",
    });
    if (started.error) {
      stop();
      return failed(o, `Codex refused the review: ${started.error.message ?? "error"}`);
    }
    reviewTurn = String(record(record(started.result).turn).id ?? "");
    o.emit({ type: "turn.started" });
    for (const m of early.splice(0)) handle(m);
    const onAbort = () => {
      server.request("turn/interrupt", { threadId: o.threadId, turnId: reviewTurn }, 5000).finally(() =>
        finish(130)
      );
    };
    o.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    const code = await Promise.race([
      done.then((c) => (settled = true, c)),
      server.ended.then(() =>
        settled ? 0 : failed(o, `codex app-server exited during the review: ${server.stderrTail(300)}`)
      ),
    ]);
    settled = true;
    o.signal?.removeEventListener("abort", onAbort);
    stop();
    return code;
  } finally {
    await server.close();
  }
}

/** The spec a detached inline review reads (`codexctl __review-inline <spec.json>`). */
export interface InlineReviewSpec {
  codex: string;
  cwd: string;
  thread: string;
  target: AppServerReviewTarget;
  /** Where the review's last agent message goes (as `codex exec -o` writes it). */
  message_file: string | null;
}

/** The hidden argument that runs an inline review as a process. */
export const REVIEW_INLINE = "__review-inline";

/**
 * `codexctl __review-inline <spec.json>`: runs {@linkcode runInlineReview} with its events on stdout
 * (one JSON line each) and the last agent message in `message_file`; SIGINT, SIGTERM or SIGHUP
 * interrupt the review turn. Exits as `codex exec` would (0, 1, 130; 2 for a bad spec).
 */
export async function inlineReviewMain(specPath: string): Promise<number> {
  let spec: InlineReviewSpec;
  try {
    spec = JSON.parse(await Deno.readTextFile(specPath));
    if (typeof spec.codex !== "string" || typeof spec.thread !== "string" || !spec.target) throw new Error();
  } catch {
    console.error(`codexctl ${REVIEW_INLINE}: ${specPath} is not an inline review spec`);
    return 2;
  }
  const abort = new AbortController();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const onSignal = () => abort.abort();
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  let last: string | null = null;
  const encoder = new TextEncoder();
  try {
    return await runInlineReview({
      codex: spec.codex,
      cwd: spec.cwd,
      threadId: spec.thread,
      target: spec.target,
      signal: abort.signal,
      emit(event) {
        const item = event.item as { type?: string; text?: string } | undefined;
        if (event.type === "item.completed" && item?.type === "agent_message") last = item.text ?? null;
        if (event.type === "turn.completed" && last !== null && spec.message_file) {
          try {
            Deno.writeTextFileSync(spec.message_file, last, { mode: 0o600 });
          } catch { /* the stream still says it */ }
        }
        const bytes = encoder.encode(JSON.stringify(event) + "\n");
        let at = 0;
        while (at < bytes.length) at += Deno.stdout.writeSync(bytes.subarray(at));
      },
    });
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}
