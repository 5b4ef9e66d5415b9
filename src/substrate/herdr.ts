/**
 * The herdr substrate: Codex in a herdr pane (a split of the caller's pane), tab or space, never
 * changing the human's focus. Panes are held by `terminal_id` so legacy herdr's renumbering
 * positional ids never lose them; the agent status herdr computes is part of every reading.
 *
 * @module
 */
import { CodexctlError } from "../errors.ts";
import { connectHerdr, type Herdr, type PaneRef } from "../herdr/herdr.ts";
import {
  cannotDeliver,
  type Capabilities,
  type Delivered,
  goneReading,
  type Handle,
  type Input,
  type Key,
  PANE_CAPABILITIES,
  type Reading,
  type ReadOptions,
  type StartRequest,
  type Stopped,
  type Substrate,
} from "./substrate.ts";

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
  readonly can: Readonly<Capabilities> = PANE_CAPABILITIES;
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

  async start(request: StartRequest): Promise<Handle> {
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

  async read(handle: Handle, options: ReadOptions = {}): Promise<Reading> {
    const h = await this.#connect();
    const ref = handle as unknown as HerdrPane;
    const info = await h.find(ref);
    if (!info) return goneReading();
    try {
      const { status } = await h.status(ref);
      const screen = (await h.read(ref, { source: "visible" })).text;
      const recent = options.recent ? (await h.read(ref, { source: "recent", lines: 240 })).text : null;
      return { alive: true, pid: null, status, screen, recent };
    } catch (err) {
      if (err instanceof CodexctlError && err.errorClass === "not_found") {
        return goneReading();
      }
      throw err;
    }
  }

  async deliver(handle: Handle, input: Input): Promise<Delivered> {
    const pane = handle as unknown as HerdrPane;
    if (input.kind === "text") await (await this.#connect()).sendText(pane, input.text);
    else if (input.kind === "keys") await this.#press(pane, input.keys);
    else throw cannotDeliver(this.name, input);
    return { kind: "typed" };
  }

  async #press(pane: HerdrPane, keys: Key[]): Promise<void> {
    const h = await this.#connect();
    for (const key of keys) {
      if (key === "BTab") await h.sendText(pane, "\x1b[Z");
      else await h.sendKeys(pane, [KEYS[key]]);
      if (keys.length > 1) await new Promise((r) => setTimeout(r, 120));
    }
  }

  async stop(handle: Handle): Promise<Stopped> {
    const h = await this.#connect();
    const ref = handle as unknown as HerdrPane;
    // give back the agent slot herdr's Codex detection holds (best effort), then close the pane only
    await h.releaseAgent(ref, { source: "herdr:codex", agent: "codex" }).catch(() => {});
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
