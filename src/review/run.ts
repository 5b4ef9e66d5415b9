/**
 * `codexctl review` as a headless session (the exec substrate): a review is a run of a session, so
 * `await`, `status`, `watch` and `end` work on it like on any headless run, and its verdict carries
 * the review as data (`result.review`, read by `observe/` from the thread's rollout).
 *
 * Three ways in:
 * - a new session whose first run is `codex exec review <target>` (read-only sandbox, approvals
 *   off) — a fresh thread that holds only the review;
 * - `--session S`: the next run of headless session S is a review inside S's own thread (the
 *   app-server's `review/start`, delivery inline: `codex/app_server/inline_review.ts`), so Codex
 *   reviews with the context of the work it did, and `send --session S` discusses a finding with it;
 * - `--thread ID`: a new session made on an existing Codex thread, its first run that review.
 *
 * Before Codex runs, the target is checked with git (argv only): a branch or commit that names
 * nothing, a directory outside a repository, and an `--uncommitted` review of a clean tree are
 * refused. An `--uncommitted` review is recorded for the review gate under the working tree's
 * content hash (`store.ts`): running at the start, done with its findings or failed once a verdict
 * says so ({@linkcode noteReview}, called by every verb that reads a review session's verdict).
 *
 * @module
 */
import type { Review, Verdict } from "../envelope.ts";
import { CodexctlError, environmentError, notFoundError, usageError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import type { ReviewInfo } from "../session/record.ts";
import type { AppServerReviewTarget } from "../codex/app_server/inline_review.ts";
import type { ThreadState } from "../codex/rollout/fold.ts";
import { observeThread } from "../observe/observe.ts";
import { turnOpen } from "../verdict/rollout_status.ts";
import { isStalled } from "../verdict/states.ts";
import { type ExecStarted, startExecSession, startReviewRun } from "../driver/exec_start.ts";
import { resolveCwd } from "../driver/start_prelude.ts";
import { Session } from "../driver/session.ts";
import { waitForVerdict } from "../driver/settle.ts";
import {
  describeTarget,
  mergeBase,
  refExists,
  resolveCommit,
  reviewArgs,
  reviewInstructions,
  type ReviewTarget,
} from "./target.ts";
import { readTree, repoRoot } from "./tree.ts";
import { type NotedFinding, recordReview, type TreeReview } from "./store.ts";

/** Options of {@linkcode startReview}. */
export interface ReviewOptions {
  target: ReviewTarget;
  /** More instructions for the reviewer (`--prompt`), or null. */
  prompt: string | null;
  /** Where to review (default: the session's or the thread's directory, else here). */
  cwd: string | null;
  /** Review inside this headless session's thread (`--session`). */
  session: string | null;
  /** Review inside this existing Codex thread, as a new session (`--thread`). */
  thread: string | null;
  noWait: boolean;
  timeoutSec: number;
  /** Report only findings at this priority or higher (null: all). */
  minPriority: number | null;
  /** Called once the review runs, before any waiting (the session id). */
  onStarted?: (session: string) => void;
}

/** Where a review ended up. */
export interface ReviewStarted {
  session: Session;
  /** The settled verdict (null with `--no-wait`). */
  verdict: Verdict | null;
  /** The run of the session that is the review. */
  run: number;
  /** The repository reviewed. */
  repoRoot: string;
  /** Codex, when this call started a session (null for `--session`: the session's own). */
  codex: ExecStarted["codex"] | null;
}

/** The target in the app-server's words (an inline review), with codexctl's wording when there is a prompt. */
export function appServerTarget(
  t: ReviewTarget,
  prompt: string | null,
  base: string | null,
): AppServerReviewTarget {
  if (prompt !== null && prompt.trim()) {
    return { type: "custom", instructions: reviewInstructions(t, prompt, base) };
  }
  switch (t.kind) {
    case "uncommitted":
      return { type: "uncommittedChanges" };
    case "base":
      return { type: "baseBranch", branch: t.branch };
    case "commit":
      return { type: "commit", sha: t.sha, title: t.title };
  }
}

/** Checks the target against the repository at `root` (refusals name what to do); returns the tree hash for `--uncommitted`. */
async function checkTarget(
  root: string,
  t: ReviewTarget,
): Promise<{ tree: string | null; target: ReviewTarget }> {
  switch (t.kind) {
    case "uncommitted": {
      const tree = await readTree(root);
      if (!tree.ok) {
        throw usageError("NOT_A_REPO", `cannot read the working tree of ${root}: ${tree.message}`);
      }
      if (tree.tree.changed === 0) {
        throw notFoundError(
          "NOTHING_TO_REVIEW",
          `${root} has no uncommitted changes to review`,
          "review a commit (--commit SHA) or a branch (--base BRANCH) instead",
        );
      }
      return { tree: tree.tree.hash, target: t };
    }
    case "base":
      if (!(await refExists(root, t.branch))) {
        throw notFoundError(
          "NO_BRANCH",
          `"${t.branch.slice(0, 80)}" names no branch or commit in ${root}`,
          "list branches with: git branch -a",
        );
      }
      return { tree: null, target: t };
    case "commit": {
      const sha = await resolveCommit(root, t.sha);
      if (!sha) {
        throw notFoundError(
          "NO_COMMIT",
          `"${t.sha.slice(0, 80)}" names no commit in ${root}`,
          "list commits with: git log --oneline",
        );
      }
      return { tree: null, target: { ...t, sha } };
    }
  }
}

/** The repository's top-level directory for `cwd`; a usage error outside one. */
async function repositoryOf(cwd: string): Promise<string> {
  const root = await repoRoot(cwd);
  if (!root) {
    throw usageError(
      "NOT_A_REPO",
      `${cwd} is not inside a git repository; Codex reviews a repository's changes`,
      "give --cwd a directory inside the repository to review",
    );
  }
  return root;
}

/**
 * `--thread`: a thread whose turn is open has a Codex working on it (a pane, the IDE, another
 * run); a review run now would be a second run on the same thread, so nothing is started
 * (`environment/THREAD_BUSY`, next: `watch --thread … --until completed`). An open turn whose Codex
 * is known to be gone (`exited`), or silent for the stall time, is taken as left behind, and reviewed.
 */
function refuseBusyThread(thread: string, state: ThreadState, verdict: Verdict): void {
  if (!turnOpen(state) || isStalled(verdict) || verdict.state === "exited") return;
  throw environmentError(
    "THREAD_BUSY",
    `thread ${thread} is running a turn (${verdict.state}/${verdict.reason}); a review now would start a second run on the same thread, so nothing was started`,
    {
      retryable: true,
      suggestion: `wait for its turn to end, then review again`,
      nextAction: {
        intent: "wait",
        command: `codexctl watch --thread ${thread} --until completed`,
        why: "one run at a time on a thread: wait for its turn to end, then review",
      },
    },
  );
}

/** Runs a review as a headless session and waits for its verdict (unless `noWait`). */
export async function startReview(
  env: { get(key: string): string | undefined; toObject(): Record<string, string> },
  store: Store,
  o: ReviewOptions,
): Promise<ReviewStarted> {
  if (o.session !== null) return await reviewInSession(env, store, o);
  let cwd = o.cwd;
  let threadId: string | null = null;
  if (o.thread !== null) {
    const { rollout, verdict, evidence } = await observeThread(env, o.thread, { daemon: true });
    const id = evidence.target.thread ?? o.thread;
    refuseBusyThread(id, rollout.progress.state, verdict);
    threadId = id;
    cwd ??= rollout.progress.state.cwd;
  }
  const dir = await resolveCwd(cwd ?? Deno.cwd());
  const root = await repositoryOf(dir);
  const checked = await checkTarget(root, o.target);
  const base = checked.target.kind === "base" ? await mergeBase(root, checked.target.branch) : null;
  const info: ReviewInfo = {
    run: 1,
    target: { ...checked.target },
    prompt: o.prompt,
    repo_root: root,
    tree: checked.tree,
    min_priority: o.minPriority,
    inline: threadId !== null,
  };
  const args = reviewArgs(checked.target, o.prompt, base);
  const custom = o.prompt !== null && o.prompt.trim() !== "";
  const started = await startExecSession(env, store, {
    task: `Review ${describeTarget(checked.target)}`,
    slug: "review",
    cwd: dir,
    worktree: false,
    keepWorktree: false,
    expect: [],
    timeoutSec: o.timeoutSec,
    noWait: true,
    sandbox: "read-only",
    sandboxVia: "config",
    codexArgs: [],
    ideVisible: false,
    ...(threadId !== null ? { thread: threadId, review: appServerTarget(checked.target, o.prompt, base) } : {
      subcommand: custom ? ["exec", "review"] : ["exec", "review", ...args],
      prompt: custom ? args[0] : null,
    }),
    reviewInfo: info,
  });
  const session = started.session;
  if (checked.tree) await noteStart(store, session, root, checked.tree);
  o.onStarted?.(session.id);
  const verdict = o.noWait ? null : await settle(session, o.timeoutSec);
  return { session, verdict, run: 1, repoRoot: root, codex: started.codex };
}

/** `--session S`: the review is the next run of S, inside S's thread. */
async function reviewInSession(
  env: { get(key: string): string | undefined },
  store: Store,
  o: ReviewOptions,
): Promise<ReviewStarted> {
  const session = await Session.load(store, o.session!, env);
  if (!session.substrate.can.review) {
    throw usageError(
      "CANNOT_REVIEW",
      `${session.id} runs Codex in ${session.record.substrate}; only a headless session (start --via exec) can run a review in its thread`,
      "review its changes as a new session instead: codexctl review --uncommitted --cwd <its directory>",
    );
  }
  const dir = await resolveCwd(o.cwd ?? session.record.cwd);
  const root = await repositoryOf(dir);
  const checked = await checkTarget(root, o.target);
  const base = checked.target.kind === "base" ? await mergeBase(root, checked.target.branch) : null;
  const run = await startReviewRun(session, appServerTarget(checked.target, o.prompt, base));
  await session.save({
    review: {
      run,
      target: { ...checked.target },
      prompt: o.prompt,
      repo_root: root,
      tree: checked.tree,
      min_priority: o.minPriority,
      inline: true,
    },
    ...(session.record.exec ? { exec: { ...session.record.exec, run } } : {}),
  });
  if (checked.tree) await noteStart(store, session, root, checked.tree);
  o.onStarted?.(session.id);
  const verdict = o.noWait ? null : await settle(session, o.timeoutSec);
  return { session, verdict, run, repoRoot: root, codex: null };
}

async function settle(session: Session, timeoutSec: number): Promise<Verdict> {
  const verdict = await waitForVerdict(session, { events: -1, screen: "" }, timeoutSec * 1000);
  await session.remember(verdict);
  await noteReview(session.store, session, verdict);
  return verdict;
}

async function noteStart(store: Store, session: Session, root: string, tree: string): Promise<void> {
  await recordReview(store.root, root, {
    tree,
    at: new Date().toISOString(),
    status: "running",
    session: session.id,
    thread: session.record.thread_id,
    error: null,
    findings: [],
    total: 0,
  });
}

function noted(review: Review): NotedFinding[] {
  return review.findings.map((f) => ({
    priority: f.priority,
    title: f.title,
    file: f.file,
    line: f.start_line,
  }));
}

/**
 * Records how an `--uncommitted` review ended, for the review gate: done (with its findings) once
 * the verdict carries the review, failed when the review run ended without one. Nothing for other
 * sessions, runs that still go, or other targets. Never throws: the verdict is what the caller asked for.
 */
export async function noteReview(store: Store, session: Session, verdict: Verdict): Promise<void> {
  const info = session.record.review;
  if (!info || !info.tree || !info.repo_root || verdict.review === undefined) return;
  if (session.record.exec && session.record.exec.run !== info.run) return;
  const review = verdict.review;
  if (review === null && verdict.state === "working") return;
  try {
    await recordReview(store.root, info.repo_root, {
      tree: info.tree,
      at: new Date().toISOString(),
      status: review ? "done" : "failed",
      session: session.id,
      thread: session.record.thread_id,
      error: review ? null : `${verdict.state}/${verdict.reason}: ${verdict.summary}`,
      findings: review ? noted(review) : [],
      total: review ? review.findings.length + (review.hidden ?? 0) : 0,
    });
  } catch {
    // the gate then sees the review as running, and lets Claude stop
  }
}

/**
 * A review the gate finds still `running` for the tree: it may have ended while nobody asked
 * (`review --no-wait` never awaited; the wake-up or `watch` told it). Reads its session once and
 * records how it ended; a session that ended or vanished before its review was recorded is
 * recorded as failed unless its last verdict held the review (the gate then tells the user once and
 * lets Claude stop). Never throws.
 */
export async function settleRunningReview(
  store: Store,
  env: { get(key: string): string | undefined },
  repoRoot: string,
  review: TreeReview,
): Promise<void> {
  if (review.status !== "running" || !review.session) return;
  let why: string;
  try {
    const session = await Session.load(store, review.session, env);
    if (!session.ended) {
      await noteReview(store, session, (await session.reading()).verdict);
      return;
    }
    // how it ended, as the session's last verdict said (end reads it before it stops Codex)
    const final = session.ended.final as Verdict | null | undefined;
    if (final?.review) {
      await noteReview(store, session, final);
      return;
    }
    why = `its session ${review.session} ended (${session.ended.ended}) before its review was done`;
  } catch (err) {
    if (!(err instanceof CodexctlError) || err.code !== "NO_SESSION") return;
    why = `its session ${review.session} is gone: ${err.message}`;
  }
  try {
    await recordReview(store.root, repoRoot, {
      ...review,
      at: new Date().toISOString(),
      status: "failed",
      error: why,
    });
  } catch {
    // left running: the gate lets Claude stop
  }
}
