/**
 * The herdr substrate: Codex in a herdr pane (a split of the caller's pane), tab or space, never
 * changing the human's focus. Panes are held by `terminal_id` so legacy herdr's renumbering
 * positional ids never lose them; the agent status herdr computes is part of every reading.
 *
 * @module
 */
import { CodexctlError } from "../errors.ts";
import { connectHerdr, type Herdr, type PaneRef } from "../herdr/herdr.ts";
import type { Key, PaneId, PaneRead, SpawnRequest, Substrate } from "./substrate.ts";

/** Identity of a herdr pane, as persisted in the session record. */
interface HerdrPane extends PaneRef {
  created_tab_id: string | null;
  created_workspace_id: string | null;
}

/** Keys in herdr's vocabulary (Shift+Tab has no name there: its escape sequence is typed). */
const KEYS: Record<Exclude<Key, "BTab">, string> = {
  Enter: "Enter",
  Esc: "Esc",
  Up: "Up",
  Down: "Down",
  Tab: "Tab",
  "C-c": "C-c",
  "C-u": "C-u",
};

/** Variables of the calling herdr pane, which must not leak into the Codex pane. */
const NOT_PASSED = new Set(["HERDR_PANE_ID", "HERDR_ENV", "TMUX", "TMUX_PANE", "COLUMNS", "LINES"]);

/** True when a herdr server answers a ping. */
export async function herdrReachable(
  env: { get(key: string): string | undefined },
  timeoutMs = 1500,
): Promise<boolean> {
  try {
    await connectHerdr({ env: { get: (k) => env.get(k) }, timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** The herdr substrate. */
export class HerdrSubstrate implements Substrate {
  readonly name = "herdr" as const;
  readonly #env: { get(key: string): string | undefined };
  #herdr: Promise<Herdr> | null = null;

  constructor(env: { get(key: string): string | undefined }) {
    this.#env = env;
  }

  #connect(): Promise<Herdr> {
    this.#herdr ??= connectHerdr({ env: { get: (k) => this.#env.get(k) } }).catch((err) => {
      this.#herdr = null;
      throw err;
    });
    return this.#herdr;
  }

  async spawn(request: SpawnRequest): Promise<PaneId> {
    const h = await this.#connect();
    const env = Object.fromEntries(
      Object.entries(request.env).filter(([k]) => !NOT_PASSED.has(k) && !k.startsWith("DENO_")),
    );
    const spawned = await h.spawn({
      in: request.mode,
      argv: request.argv,
      cwd: request.cwd,
      env,
      label: request.label,
      tabLabel: request.label,
      workspaceLabel: request.label,
    }, { get: (k) => this.#env.get(k) });
    const pane: HerdrPane = {
      ...spawned.ref,
      created_tab_id: spawned.created_tab_id,
      created_workspace_id: spawned.created_workspace_id,
    };
    return { ...pane };
  }

  async read(pane: PaneId, options: { recent?: boolean } = {}): Promise<PaneRead> {
    const h = await this.#connect();
    const ref = pane as unknown as HerdrPane;
    const info = await h.find(ref);
    if (!info) return { alive: false, pid: null, status: null, screen: "", recent: null };
    try {
      const { status } = await h.status(ref);
      const screen = (await h.read(ref, { source: "visible" })).text;
      const recent = options.recent ? (await h.read(ref, { source: "recent", lines: 240 })).text : null;
      return { alive: true, pid: null, status, screen, recent };
    } catch (err) {
      if (err instanceof CodexctlError && err.errorClass === "not_found") {
        return { alive: false, pid: null, status: null, screen: "", recent: null };
      }
      throw err;
    }
  }

  async sendText(pane: PaneId, text: string): Promise<void> {
    await (await this.#connect()).sendText(pane as unknown as HerdrPane, text);
  }

  async sendKeys(pane: PaneId, keys: Key[]): Promise<void> {
    const h = await this.#connect();
    for (const key of keys) {
      if (key === "BTab") await h.sendText(pane as unknown as HerdrPane, "\x1b[Z");
      else await h.sendKeys(pane as unknown as HerdrPane, [KEYS[key]]);
      if (keys.length > 1) await new Promise((r) => setTimeout(r, 120));
    }
  }

  async close(pane: PaneId): Promise<"closed" | "already gone"> {
    const h = await this.#connect();
    const ref = pane as unknown as HerdrPane;
    let closed = await h.close(ref, { ifExists: true });
    if (ref.created_workspace_id) {
      // a space is codexctl's own workspace: close it with the pane
      try {
        await h.client.workspaceClose(ref.created_workspace_id);
        closed = true;
      } catch (err) {
        if (!(err instanceof CodexctlError && err.errorClass === "not_found")) throw err;
      }
    }
    return closed ? "closed" : "already gone";
  }
}
