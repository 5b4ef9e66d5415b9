/**
 * Issue 15 item 15: `start --plan` on a cold Codex TUI typed `/plan`, Plan mode never showed, and the
 * task was typed behind the leftover `/plan` — then the caller got a verdict. Here a scripted TUI
 * (the screen laid out as Codex 0.169 draws it, read by the real screen reader) plays the cold
 * Codex: its first `/plan` submissions are not taken and stay in the composer. Plan mode must be
 * verified, the composer cleared before every try and before the task, and a task that cannot be
 * typed safely is not typed at all (the CLI then answers with `NOT_DELIVERED`, never a verdict).
 * The real cold Codex is exercised by the session scenarios (`start --plan` as a fresh home's first
 * session).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { clearComposer, deliverPendingTask, engagePlanMode, PLAN_MODE } from "../src/driver/start.ts";
import { notDeliveredError } from "../src/driver/send.ts";
import { Session } from "../src/driver/session.ts";
import { Store } from "../src/store/store.ts";
import { writeSession } from "./support/session_record.ts";
import type { Input, Reading, Substrate } from "../src/substrate/substrate.ts";
import { PANE_CAPABILITIES } from "../src/substrate/substrate.ts";

/** A Codex TUI reduced to its composer, Plan mode and what was submitted. */
class ScriptedTui {
  composer = "";
  planMode = false;
  submitted: string[] = [];
  typed: string[] = [];
  /** How many `/plan` submissions a cold Codex ignores (the text stays in the composer). */
  coldPlans: number;
  /** Ctrl-U removes one line of several (a long multi-line composer text that 4 presses do not clear). */
  stuck = false;
  /** What the composer shows when empty, as Codex draws a rotating suggestion (not text). */
  placeholder = "Ask Codex to do anything";

  constructor(coldPlans: number) {
    this.coldPlans = coldPlans;
  }

  screen(): string {
    return [
      "",
      "  >_ OpenAI Codex (v0.169.0)",
      "     /tmp/scratch/repo",
      "",
      ...Array(30).fill(""),
      `› ${this.composer || (this.planMode ? "Summarize recent commits" : this.placeholder)}`,
      "",
      "  mock-model default · /tmp/scratch/repo · Acceptance scenario",
      `  ← for agents · ? for shortcuts${this.planMode ? "        Plan mode (shift+tab to cycle)" : ""}`,
    ].join("\n");
  }

  input(i: Input): void {
    if (i.kind === "text") {
      this.typed.push(i.text);
      this.composer += i.text;
      return;
    }
    if (i.kind !== "keys") throw new Error(`unexpected ${i.kind}`);
    for (const key of i.keys) {
      if (key === "C-u") this.composer = this.stuck ? this.composer.replace(/ ?[^ ]*$/, "") : "";
      else if (key === "Enter") {
        if (this.composer === "/plan" && this.coldPlans > 0) this.coldPlans--; // not taken yet
        else if (this.composer === "/plan") {
          this.planMode = true;
          this.composer = "";
        } else if (this.composer) {
          this.submitted.push(this.composer);
          this.composer = "";
        }
      }
    }
  }
}

function substrateFor(tui: ScriptedTui): Substrate {
  return {
    name: "scripted",
    can: PANE_CAPABILITIES,
    start: () => Promise.reject(new Error("not used")),
    read: (): Promise<Reading> =>
      Promise.resolve({ alive: true, pid: null, status: null, screen: tui.screen(), recent: null }),
    deliver: (_h: unknown, input: Input) => {
      tui.input(input);
      return Promise.resolve({ kind: "typed" as const });
    },
    stop: () => Promise.resolve("closed" as const),
  } as unknown as Substrate;
}

async function sessionOn(tui: ScriptedTui, dir: string): Promise<Session> {
  const state = join(dir, "state");
  await Deno.mkdir(join(state, "sessions"), { recursive: true, mode: 0o700 });
  const record = await writeSession(state, {
    session: "cdx-9a9a",
    owner: null,
    rollout_path: null,
    substrate: "tmux",
    pane: { pane_id: "%1" },
    mode: "space",
    slug: "plan",
    label: "codex-plan",
    cwd: dir,
    codex_home: join(dir, "codex-home"),
    marker: "CDX_DONE_ABCDEF",
    plan_mode: true,
    last_state: "spawned",
    pending_task: "Plan the cache layer. Print CDX_DONE_ABCDEF on its own line when finished.",
  });
  const store = new Store(state);
  return new Session(store, record, substrateFor(tui), { get: () => undefined });
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-plan-" });
  const saved = { ...PLAN_MODE };
  PLAN_MODE.waitMs = 800;
  try {
    await fn(dir);
  } finally {
    Object.assign(PLAN_MODE, saved);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[item 15] a cold TUI that ignores the first /plan: Plan mode is retried after clearing the leftover, and verified", async () => {
  await withDir(async (dir) => {
    const tui = new ScriptedTui(1);
    const session = await sessionOn(tui, dir);
    assert.equal(await engagePlanMode(session), true);
    assert.equal(tui.planMode, true);
    assert.equal(tui.composer, "", "nothing is left in the composer for the task to land behind");
    assert.deepEqual(tui.typed, ["/plan", "/plan"], "typed again only after the composer was cleared");
  });
});

Deno.test("[item 15] Plan mode that never shows: the task is not typed at all, and the result says why", async () => {
  await withDir(async (dir) => {
    const tui = new ScriptedTui(99);
    const session = await sessionOn(tui, dir);
    const delivery = await deliverPendingTask(session);
    assert.equal(delivery.delivered, false);
    assert.equal(delivery.not_typed, "plan_mode_not_engaged");
    assert.deepEqual(tui.typed, Array(PLAN_MODE.tries).fill("/plan"), "the task was never typed");
    assert.equal(tui.composer, "", "the leftover /plan was cleared");
    assert.deepEqual(tui.submitted, []);
    const err = notDeliveredError(session.id, "task", delivery);
    assert.deepEqual([err.errorClass, err.code], ["environment", "NOT_DELIVERED"]);
    assert.match(err.message, /task was not delivered to session cdx-9a9a: Plan mode did not show/);
  });
});

Deno.test("[item 15] a composer holding text that cannot be cleared: nothing is typed behind it", async () => {
  await withDir(async (dir) => {
    const tui = new ScriptedTui(0);
    tui.composer = "one two three four five six seven eight nine ten eleven twelve";
    tui.stuck = true;
    const session = await sessionOn(tui, dir);
    session.record.plan_mode = false;
    assert.equal(await clearComposer(session), false);
    assert.notEqual(tui.composer, "", "text is left");
    const delivery = await deliverPendingTask(session);
    assert.equal(delivery.delivered, false);
    assert.equal(delivery.not_typed, "composer_not_empty");
    assert.deepEqual(tui.typed, [], "nothing typed");
    assert.match(
      notDeliveredError(session.id, "task", delivery).message,
      /held text that could not be cleared/,
    );
    // a composer that can be cleared is cleared
    tui.composer = "leftover /plan";
    tui.stuck = false;
    assert.equal(await clearComposer(session), true);
    assert.equal(tui.composer, "");
  });
});

Deno.test("[item 15] a placeholder suggestion the screen reader does not know is not taken for leftover text", async () => {
  await withDir(async (dir) => {
    const tui = new ScriptedTui(0);
    tui.placeholder = "Draft a release note for the latest tag";
    const session = await sessionOn(tui, dir);
    assert.equal(await clearComposer(session), true, "unchanged under Ctrl-U: a placeholder");
  });
});
