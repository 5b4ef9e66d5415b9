/**
 * Plays a scenario against a real Codex: `codex exec --json`, or the TUI step by step in tmux.
 * Shared by the fixture recorder and the live tests, so both do exactly the same thing.
 *
 * @module
 */
import type { CodexInstall } from "./codex_bin.ts";
import type { CodexHome } from "./codex_home.ts";
import { type ExecResult, findRollout, listRollouts, runExec } from "./codex_exec.ts";
import { countTurnEnds, SCREEN, startTui, waitReady } from "./codex_tui.ts";
import type { Scenario } from "./scenarios.ts";
import { sleep, type TmuxPane, type TmuxServer } from "./tmux.ts";

/** An exec run plus the rollout it wrote. */
export interface ExecPlay extends ExecResult {
  rolloutPath: string | null;
}

/** Runs the scenario's `codex exec` turn. */
export async function playExec(
  scenario: Scenario,
  install: CodexInstall,
  home: CodexHome,
  cwd: string,
): Promise<ExecPlay> {
  if (!scenario.exec) throw new Error(`scenario ${scenario.name} has no exec run`);
  const result = await runExec(install, home, scenario.prompt, {
    cwd,
    args: scenario.exec.args?.(install.version) ?? [],
    interruptAfterMs: scenario.exec.interruptAfterMs,
  });
  const rolloutPath = result.threadId ? await findRollout(home.dir, result.threadId) : null;
  return { ...result, rolloutPath };
}

/** A TUI run: the screens captured at each `capture` step and the rollout the run wrote. */
export interface TuiPlay {
  screens: { label: string; text: string }[];
  rolloutPath: string | null;
  pane: TmuxPane;
}

/** Plays the scenario's TUI steps in a new pane of `server`. The pane is left running. */
export async function playTui(
  scenario: Scenario,
  install: CodexInstall,
  home: CodexHome,
  server: TmuxServer,
  cwd: string,
): Promise<TuiPlay> {
  if (!scenario.tui) throw new Error(`scenario ${scenario.name} has no TUI run`);
  const before = new Set(await listRollouts(home.dir));
  const pane = await startTui(server, install, home, {
    cwd,
    args: scenario.tui.args?.(install.version) ?? [],
  });
  const screens: { label: string; text: string }[] = [];
  // turn ends counted over this run's own rollouts only
  const ownRollouts = async () => new Set((await listRollouts(home.dir)).filter((f) => !before.has(f)));
  let baseline = 0;
  const mark = async () => {
    baseline = await countTurnEnds(home, await ownRollouts());
  };
  if (!scenario.tui.untrusted) await waitReady(pane);
  for (const step of scenario.tui.steps) {
    switch (step.do) {
      case "submit":
        await waitReady(pane);
        await mark();
        await pane.submit(step.text);
        break;
      case "keys":
        await mark();
        for (const key of step.keys) {
          await pane.keys(key);
          await sleep(150);
        }
        break;
      case "plan-mode":
        await waitReady(pane);
        await pane.keys("BTab");
        await pane.waitFor(SCREEN.planMode, 10_000);
        break;
      case "wait":
        await pane.waitFor(SCREEN[step.for], step.timeoutMs ?? 30_000);
        break;
      case "capture":
        screens.push({ label: step.label, text: await pane.screen() });
        break;
      case "turn-end": {
        const deadline = Date.now() + (step.timeoutMs ?? 30_000);
        // the rollout file may appear only after the first message
        while (Date.now() < deadline) {
          const own = await ownRollouts();
          if (own.size > 0 && (await countTurnEnds(home, own)) > baseline) break;
          await sleep(200);
        }
        if ((await countTurnEnds(home, await ownRollouts())) <= baseline) {
          throw new Error(`scenario ${scenario.name}: no turn ended; screen:\n${await pane.screen()}`);
        }
        break;
      }
      case "sleep":
        await sleep(step.ms);
        break;
    }
  }
  const own = [...(await ownRollouts())];
  return { screens, rolloutPath: own.at(-1) ?? null, pane };
}
