/**
 * The wake-up scenario, run inside a loopback-only network namespace by
 * tests/claude_wake_test.ts (`runIsolated`): the real interactive Claude Code (pinned) in tmux with
 * this repository as its plugin, against the Messages API mock; a real Codex TUI (pinned) against
 * the mock model, started by Claude itself through `codexctl start --no-wait`.
 *
 * 1. Prompt 1: Claude runs `codexctl start --task "{{pause N}} {{done}}" --no-wait`, then ends its
 *    turn while Codex works. Codex completes N seconds later; nothing but the wake-up can tell the
 *    idle Claude — the mock's next request shows what woke it.
 * 2. Prompt 2: Claude starts a second session whose Codex asks a question after a pause, and ends
 *    its turn; the question wakes it with the reply command.
 *
 * Mode `monitor` (the plugin monitor): Claude invokes the codexctl skill (the Skill tool), which arms
 * the plugin's `codex-fleet` monitor (`watch --all --mine`); then `start --no-wait`, whose result says
 * a watch already runs (`monitor.arm: false`), and ends its turn. Codex completing reaches the idle
 * Claude once — through the monitor or the wake-up, never both. (Each line of the monitor is a
 * notification, so its snapshot and the `added` line of the new session reach Claude as well.)
 *
 * The report holds every request the mock received (with when it arrived), the hook log, and the
 * screens, for the test to assert on.
 *
 * @module
 */
import { join } from "node:path";
import { claudeInstall } from "./claude_bin.ts";
import { codexInstall } from "./codex_bin.ts";
import { makeCodexHome, stopDaemons } from "./codex_home.ts";
import { lastUserTexts, MessagesMock, type MessagesRequest, type MessagesStep } from "./mock_messages.ts";
import { MockModel } from "./mock_model.ts";
import { tmux, TmuxServer } from "./tmux.ts";
import { MOCK_API_KEY, prepareClaudeHome, startClaudeTui, until } from "./claude_tui.ts";
import { denoDir } from "./deno_dir.ts";
import { gitIn } from "./session_rig.ts";
import { REPO_ROOT } from "./paths.ts";

/** The scenario's config. */
export interface WakeScenarioConfig {
  sessionId: string;
  /** Seconds Codex pauses before finishing / asking. */
  pauseSec: number;
  /**
   * `tui`: the interactive Claude Code in tmux (both prompts); `print`: `claude -p` (prompt 1 only);
   * `monitor`: the interactive Claude Code arms the plugin monitor by invoking the skill (prompt 1).
   */
  mode: "tui" | "print" | "monitor";
  /** `monitor`: the skill name Claude gives the Skill tool. */
  skill?: string;
}

/** What the scenario saw. */
export interface WakeScenarioReport {
  requests: MessagesRequest[];
  hookLog: Record<string, unknown>[];
  screens: string[];
  /** When Claude's first turn ended (the mock answered its end_turn reply), ms epoch. */
  turnEnded: number[];
  /** `monitor`: the lines of Claude Code's debug log that mention monitors. */
  debug?: string[];
  /** `print`: the stream-json events and the exit code of `claude -p`. */
  events: Record<string, unknown>[];
  code: number | null;
  error: string | null;
}

async function main(config: WakeScenarioConfig, reportFile: string): Promise<void> {
  const report: WakeScenarioReport = {
    requests: [],
    hookLog: [],
    screens: [],
    turnEnded: [],
    events: [],
    code: null,
    error: null,
  };
  const root = await Deno.makeTempDir({ prefix: "codexctl-wake-tui-" });
  const state = join(root, "state");
  const install = await codexInstall("0.169.0");
  const claude = await claudeInstall();
  const model = await MockModel.start();
  const home = await makeCodexHome({ baseUrl: model.baseUrl, parent: root });
  const repo = join(root, "repo");
  await Deno.mkdir(repo);
  await gitIn(repo, "init", "-q", "-b", "main");
  await Deno.writeTextFile(join(repo, "README.md"), "# scratch\n");
  await gitIn(repo, "add", "README.md");
  await gitIn(repo, "commit", "-q", "-m", "init");
  const real = await Deno.realPath(repo);
  await Deno.writeTextFile(
    join(home.dir, "config.toml"),
    `\n[projects.${JSON.stringify(real)}]\ntrust_level = "trusted"\n`,
    { append: true },
  );
  const start = (task: string, slug: string) =>
    `codexctl start --task "${task}" --slug ${slug} --via tmux --no-wait --cwd ${real}`;
  const script: MessagesStep[] = config.mode === "monitor"
    ? [
      { tool: "Skill", input: { skill: config.skill ?? "codexctl:codexctl" } },
      {
        tool: "Bash",
        input: { command: start(`{{pause ${config.pauseSec}}} {{done}}`, "wake"), description: "delegate" },
      },
      { text: "Codex is working on it; I will wait for it." },
      { text: "Codex finished; I will report it." },
    ]
    : [
      {
        tool: "Bash",
        input: { command: start(`{{pause ${config.pauseSec}}} {{done}}`, "wake"), description: "delegate" },
      },
      { text: "Codex is working on it; I will wait for it." },
      { text: "Codex finished; I will report it." },
      {
        tool: "Bash",
        input: {
          command: start(`{{pause ${config.pauseSec}}} {{question}}`, "ask"),
          description: "delegate",
        },
      },
      { text: "The second task is with Codex." },
      { text: "Codex asks which database to use; I will ask the user." },
    ];
  const messages = await MessagesMock.start({ script, fallback: { text: "Nothing more to do." } });
  const server = await TmuxServer.create();
  const codexEnv = home.env(install);
  const env = {
    PATH: codexEnv.PATH,
    CODEX_HOME: home.dir,
    CODEXCTL_HOME: state,
    CODEXCTL_WAKE_SEC: "120",
    CODEXCTL_CODEX: install.binary,
    TMUX: "",
    TMUX_PANE: "",
  };
  const tui = (allowedTools: string[]) =>
    startClaudeTui(server, {
      binary: claude.binary,
      pluginDir: REPO_ROOT,
      cwd: real,
      home: join(root, "claude-home"),
      baseUrl: messages.baseUrl,
      sessionId: config.sessionId,
      allowedTools,
      debugFile: join(root, "claude-debug.log"),
      env,
    });
  try {
    if (config.mode === "print") {
      const out = await printRun(
        claude.binary,
        real,
        join(root, "claude-home"),
        messages.baseUrl,
        config,
        env,
      );
      report.code = out.code;
      report.events = out.events;
    } else if (config.mode === "monitor") {
      const pane = await tui(["Bash(codexctl *)", "Skill"]);
      const main = () => messages.mainRequests;
      await pane.submit("Delegate the first task to Codex.");
      await until("Claude's turn to end", () => main().length >= 3, 120_000);
      report.turnEnded.push(main()[2].at);
      // the monitor's own lines (its snapshot, the session added) reach Claude too; wait for the completion
      // the wake-up's line, or a monitor line (compact JSON); the skill's text has an example line too
      const told = (r: MessagesRequest) =>
        /\(wake\) is completed \(|"state":"completed"/.test(lastUserTexts(r).join("\n"));
      await until("Claude told that Codex completed", () => main().some(told), 120_000);
      // long enough for a second path to speak, if one wrongly did
      await new Promise((r) => setTimeout(r, 6000));
      report.screens.push(await pane.history(300));
      report.debug = (await Deno.readTextFile(join(root, "claude-debug.log")).catch(() => ""))
        .split("\n").filter((l) => /monitor/i.test(l)).slice(-40);
    } else {
      const pane = await tui(["Bash(codexctl *)"]);
      const main = () => messages.mainRequests;
      await pane.submit("Delegate the first task to Codex.");
      await until("Claude's first turn to end", () => main().length >= 2, 120_000);
      report.turnEnded.push(main()[1].at);
      await until("the wake-up after Codex completed", () => main().length >= 3, 120_000);
      await until("Claude to be idle again", async () => /❯ *\n/.test(await pane.screen()), 30_000);
      await new Promise((r) => setTimeout(r, 2000));
      report.screens.push(await pane.screen());
      await pane.submit("Delegate the second task to Codex.");
      await until("Claude's second turn to end", () => main().length >= 5, 120_000);
      report.turnEnded.push(main()[4].at);
      await until("the wake-up after Codex asked", () => main().length >= 6, 120_000);
      await new Promise((r) => setTimeout(r, 3000));
      report.screens.push(await pane.history(300));
    }
  } catch (err) {
    report.error = err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err);
  } finally {
    report.requests = messages.requests;
    try {
      report.hookLog = (await Deno.readTextFile(join(state, "logs", "hooks.jsonl"))).split("\n").filter(
        Boolean,
      )
        .map((l) => JSON.parse(l));
    } catch { /* no log */ }
    await Deno.writeTextFile(reportFile, JSON.stringify(report));
    await server.kill();
    await tmux(join(state, "tmux", "codexctl.sock"), ["kill-server"]).catch(() => {});
    await messages.close();
    await model.close();
    await stopDaemons(home.dir);
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** `claude -p` with the same plugin and environment: what the first prompt does without a TUI. */
async function printRun(
  binary: string,
  cwd: string,
  home: string,
  baseUrl: string,
  config: WakeScenarioConfig,
  env: Record<string, string>,
): Promise<{ code: number; events: Record<string, unknown>[] }> {
  await prepareClaudeHome(home, cwd);
  const out = await new Deno.Command(binary, {
    args: [
      "-p",
      "Delegate the first task to Codex.",
      "--plugin-dir",
      REPO_ROOT,
      "--session-id",
      config.sessionId,
      "--allowedTools",
      "Bash(codexctl *)",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-hook-events",
    ],
    cwd,
    clearEnv: true,
    env: {
      HOME: home,
      LANG: "C.UTF-8",
      TERM: "xterm-256color", // the Codex TUI that codexctl opens inherits it ("dumb" makes it ask first)
      ANTHROPIC_BASE_URL: baseUrl,
      ANTHROPIC_API_KEY: MOCK_API_KEY,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DENO_DIR: await denoDir(),
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const events: Record<string, unknown>[] = [];
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    try {
      if (line.trim()) events.push(JSON.parse(line));
    } catch { /* not JSON */ }
  }
  return { code: out.code, events };
}

if (import.meta.main) {
  await main(JSON.parse(await Deno.readTextFile(Deno.args[0])), Deno.args[1]);
}
