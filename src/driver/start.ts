/**
 * Starting a session: validate, (optionally) make a worktree, open a pane running Codex, wait
 * until its composer is ready (or report the folder-trust/update dialog), engage Plan mode when
 * asked, send the task with codexctl's marker contract (verified), bind the thread, and wait for
 * a settled verdict unless `--no-wait`.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import { wrapTask } from "../codex/prompt.ts";
import { codexHome } from "../codex/rollout/locate.ts";
import { findCodex } from "../codex/find.ts";
import { chooseSubstrate } from "../substrate/select.ts";
import type { PaneMode } from "../substrate/substrate.ts";
import { currentOwner } from "../session/owner.ts";
import { newSessionRecord, SESSION_KIND } from "../session/record.ts";
import type { Store } from "../store/store.ts";
import { composerHolds, composerText, liveLines, readScreen } from "../verdict/screen.ts";
import { type SendResult, verifiedSend } from "./send.ts";
import { Session } from "./session.ts";
import { waitForVerdict } from "./settle.ts";
import { createWorktree } from "./worktree.ts";
import { claimIdentity, startPrelude } from "./start_prelude.ts";

/** Options of {@linkcode startSession}. */
export interface StartOptions {
  task: string;
  slug?: string;
  mode: PaneMode;
  via?: "herdr" | "tmux";
  cwd: string;
  worktree: boolean;
  keepWorktree: boolean;
  /** true/false forces Plan mode on/off; null decides from the task's wording. */
  plan: boolean | null;
  expect: string[];
  marker?: string;
  timeoutSec: number;
  noWait: boolean;
  keep: boolean;
  codexArgs: string[];
}

/** The task's wording asks for a plan (`plan`, `plans`, `planning`, not `planet`). */
export const PLAN_WORDS = /\bplan(s|ning)?\b/i;

/** Where a start ended up. */
export interface Started {
  session: Session;
  verdict: Verdict;
  delivery: SendResult | null;
  planMode: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts Codex for a task. */
export async function startSession(
  env: { get(key: string): string | undefined; toObject(): Record<string, string> },
  store: Store,
  o: StartOptions,
): Promise<Started> {
  const { slug, marker, cwd } = await startPrelude(o);
  const planMode = o.plan ?? PLAN_WORDS.test(o.task);
  const substrate = await chooseSubstrate(o.via, { env, stateDir: store.root });
  const session = await store.withLock("spawn", async () => {
    const worktree = o.worktree ? await createWorktree(cwd, slug, o.keepWorktree) : null;
    const { id, label } = await claimIdentity(store, slug);
    const workdir = worktree?.path ?? cwd;
    let pane;
    try {
      pane = await substrate.start({
        argv: [findCodex(env)?.path ?? "codex", ...o.codexArgs],
        cwd: workdir,
        env: env.toObject(),
        label,
        mode: o.mode,
      });
    } catch (err) {
      if (worktree) {
        const { teardownWorktree } = await import("./worktree.ts");
        await teardownWorktree({ ...worktree, keep: false });
      }
      throw err;
    }
    const record = newSessionRecord({
      session: id,
      owner: currentOwner(env),
      substrate: substrate.name,
      pane,
      mode: o.mode,
      slug,
      label,
      cwd: workdir,
      codex_home: codexHome(env),
      marker,
      expect: o.expect,
      plan_mode: planMode,
      keep: o.keep,
      worktree,
      last_state: "spawned",
      last_reason: null,
      pending_task: wrapTask(o.task, marker),
    });
    await store.write(SESSION_KIND, id, record);
    return new Session(store, record, substrate, env);
  }, { timeoutMs: 60_000 });
  const ready = await waitReady(session, 45_000);
  if (ready !== "ready") {
    const obs = await session.observe();
    await session.remember(obs.verdict);
    return { session, verdict: obs.verdict, delivery: null, planMode };
  }
  const delivery = await deliverPendingTask(session);
  if (o.noWait || !delivery.delivered) {
    const obs = await session.observe();
    return { session, verdict: obs.verdict, delivery, planMode };
  }
  const verdict = await waitForVerdict(session, { events: 0, screen: "" }, o.timeoutSec * 1000);
  await session.remember(verdict);
  return { session, verdict, delivery, planMode };
}

/**
 * Engages Plan mode if the session wants it, then sends the pending task (verified). The task is
 * typed only into an empty composer, and only once Plan mode shows when it was asked for: otherwise
 * nothing is typed and the result says why (`not_typed`).
 */
export async function deliverPendingTask(session: Session): Promise<SendResult> {
  const task = session.record.pending_task as string | null | undefined;
  if (!task) return { delivered: true, proof: null, steered: false, enters: 0 };
  const notTyped = (why: NonNullable<SendResult["not_typed"]>): SendResult => ({
    delivered: false,
    proof: null,
    steered: false,
    enters: 0,
    not_typed: why,
  });
  if (session.record.plan_mode && !(await engagePlanMode(session))) return notTyped("plan_mode_not_engaged");
  if (!(await clearComposer(session))) return notTyped("composer_not_empty");
  const delivery = await verifiedSend(session, task);
  if (delivery.delivered) {
    await session.save({ pending_task: null, last_state: "working", last_reason: "working" });
  }
  return delivery;
}

/** Tries to engage Plan mode, and how long each try waits for the TUI to show it. */
export const PLAN_MODE = { tries: 3, waitMs: 6000 };

/** True when the screen shows Codex in Plan mode. */
function inPlanMode(screen: string): boolean {
  return /plan mode/i.test(screen);
}

/**
 * Engages Plan mode: up to {@linkcode PLAN_MODE}.tries times, clear the composer, type `/plan`, wait
 * for the composer to show it, press Enter and wait for the TUI to show Plan mode. A cold Codex may
 * not take the command yet (its slash popup is not ready): the leftover `/plan` is cleared before the
 * next try and before giving up, so nothing is ever typed behind it. True when Plan mode shows.
 */
export async function engagePlanMode(session: Session): Promise<boolean> {
  const pane = session.handle;
  const screen = async () => (await session.substrate.read(pane, { recent: false })).screen;
  if (inPlanMode(await screen())) return true;
  for (let attempt = 0; attempt < PLAN_MODE.tries; attempt++) {
    if (!(await clearComposer(session))) return false;
    await session.substrate.deliver(pane, { kind: "text", text: "/plan" });
    for (let i = 0; i < 10 && !composerHolds(liveLines(await screen()), "/plan"); i++) await sleep(200);
    await sleep(600);
    await session.substrate.deliver(pane, { kind: "keys", keys: ["Enter"] });
    const deadline = Date.now() + PLAN_MODE.waitMs;
    while (Date.now() < deadline) {
      if (inPlanMode(await screen())) {
        // a command Codex did not take as one may be left in the composer: it must not precede the task
        await clearComposer(session);
        return true;
      }
      await sleep(400);
    }
  }
  await clearComposer(session);
  return false;
}

/**
 * Empties Codex's composer (Ctrl-U, up to 4 times) so nothing is typed behind leftover text. True
 * when it is empty, or when the screen shows no composer; also when what it shows does not change
 * under Ctrl-U — a placeholder suggestion, not text (Ctrl-U always removes typed text). False when
 * text is still there after the presses, or the pane is gone.
 */
export async function clearComposer(session: Session): Promise<boolean> {
  let first: string | null = null;
  for (let i = 0; i <= 4; i++) {
    const read = await session.substrate.read(session.handle, { recent: false });
    if (!read.alive) return false;
    const text = composerText(liveLines(read.screen));
    if (!text) return true;
    if (first === null) first = text;
    else if (i === 4 && text === first) return true;
    if (i === 4) break;
    await session.substrate.deliver(session.handle, { kind: "keys", keys: ["C-u"] });
    await sleep(300);
  }
  return false;
}

/**
 * Waits until Codex's composer is up and stable (two identical ready reads), a dialog needs an
 * answer first, or the pane is gone.
 */
export async function waitReady(
  session: Session,
  timeoutMs: number,
): Promise<"ready" | "dialog" | "gone" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  let previous = "";
  while (Date.now() < deadline) {
    const read = await session.substrate.read(session.handle, { recent: false });
    if (!read.alive) return "gone";
    const facts = readScreen(read.screen);
    if (facts.trust || facts.update) {
      if (previous === read.screen) return "dialog";
      previous = read.screen;
    } else if (facts.ready && !/Starting MCP/i.test(read.screen)) {
      if (previous === read.screen) return "ready";
      previous = read.screen;
    } else previous = "";
    await sleep(500);
  }
  return "timeout";
}
