/**
 * The interactive Codex TUI in a private tmux server at a fixed size, with the screen texts the
 * rig waits for (codex.md §5) and a rollout-backed "turn ended" wait.
 *
 * @module
 */
import type { CodexInstall } from "./codex_bin.ts";
import type { CodexHome } from "./codex_home.ts";
import { listRollouts } from "./codex_exec.ts";
import { sleep, type TmuxPane, type TmuxServer } from "./tmux.ts";

/** Screen texts of the Codex TUI, both pinned versions. */
export const SCREEN = {
  /** The footer's model line: the composer is up. */
  ready: /mock-model \S+ · /,
  working: /esc to interrupt\)/,
  approval: /Would you like to (run the following command|make the following edits)\?/,
  question: /enter to submit answer/,
  planMenu: /Implement this plan\?/,
  planMode: /Plan mode \(shift\+tab to cycle\)/,
  trust: /Trust this folder\?|Do you trust the contents of this directory\?/,
  interrupted: /Conversation interrupted/,
  failed: /■ /,
} as const;

/** Options of {@linkcode startTui}. */
export interface TuiOptions {
  cwd: string;
  args?: string[];
  width?: number;
  height?: number;
}

/** Starts the TUI and returns its pane (not yet waited for). */
export function startTui(
  server: TmuxServer,
  install: CodexInstall,
  home: CodexHome,
  options: TuiOptions,
): Promise<TmuxPane> {
  return server.spawn([install.binary, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: home.env(install),
    width: options.width ?? 120,
    height: options.height ?? 40,
  });
}

/** Waits until the composer is up and stable (two identical ready screens). */
export async function waitReady(pane: TmuxPane, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let previous = "";
  while (Date.now() < deadline) {
    const screen = await pane.screen();
    const ready = SCREEN.ready.test(screen) && !/Starting MCP/.test(screen) && /^› /m.test(screen);
    if (ready && screen === previous) return screen;
    previous = ready ? screen : "";
    await sleep(400);
  }
  throw new Error(`Codex TUI not ready after ${timeoutMs} ms; screen:\n${await pane.screen()}`);
}

/** Counts turn ends (`task_complete`/`turn_complete`/`turn_aborted`) in the rollouts of a home. */
export async function countTurnEnds(home: CodexHome, only?: Set<string>): Promise<number> {
  let n = 0;
  for (const file of await listRollouts(home.dir)) {
    if (only && !only.has(file)) continue;
    const text = await Deno.readTextFile(file).catch(() => "");
    n += (text.match(/"type":"(task_complete|turn_complete|turn_aborted)"/g) ?? []).length;
  }
  return n;
}

/** Waits until the home's rollouts record more than `before` turn ends. */
export async function waitTurnEnd(
  home: CodexHome,
  before: number,
  timeoutMs = 30_000,
  only?: Set<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await countTurnEnds(home, only)) > before) return;
    await sleep(200);
  }
  throw new Error(`no turn ended within ${timeoutMs} ms`);
}
