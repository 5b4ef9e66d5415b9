/**
 * The interactive Claude Code (the pinned build), driven in a private tmux server against the
 * loopback Messages API mock. `claude -p` cannot show what an idle Claude does when something wakes
 * it — under `-p` Claude Code runs an `asyncRewake` hook in the foreground, and a plugin monitor
 * never starts — so the tests of the wake-up and the plugin monitor run the real interactive TUI.
 *
 * Whole scenarios run inside a loopback-only network namespace when the machine allows it: a
 * scenario is a module run by {@linkcode runIsolated} (`unshare -rn`, loopback up) that writes a
 * JSON report; the test asserts on the report. `HOME` is a private directory prepared so that no
 * first-run dialog appears (onboarding done, the mock API key approved, the project trusted).
 *
 * @module
 */
import { join } from "node:path";
import { canIsolateNetwork } from "./claude_run.ts";
import { denoDir } from "./deno_dir.ts";
import type { TmuxPane, TmuxServer } from "./tmux.ts";

/** The API key the mock accepts (any key does; this one is pre-approved in the private HOME). */
export const MOCK_API_KEY = "sk-ant-mock-key-0123456789abcdefghij";

/** Writes `<home>/.claude.json` so the TUI starts straight at its prompt in `project`. */
export async function prepareClaudeHome(home: string, project: string): Promise<void> {
  await Deno.mkdir(home, { recursive: true });
  await Deno.writeTextFile(
    join(home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: "dark",
      numStartups: 5,
      customApiKeyResponses: { approved: [MOCK_API_KEY.slice(-20)], rejected: [] },
      projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
}

/** Options of {@linkcode startClaudeTui}. */
export interface ClaudeTuiOptions {
  binary: string;
  pluginDir: string;
  /** The project directory (trusted in `home`). */
  cwd: string;
  home: string;
  /** The Messages mock's base URL. */
  baseUrl: string;
  sessionId: string;
  allowedTools: string[];
  /** Extra environment (PATH, CODEXCTL_HOME …). */
  env: Record<string, string>;
  debugFile: string;
}

/** Starts the interactive Claude Code in a new tmux session of `tmux` and waits for its prompt. */
export async function startClaudeTui(tmux: TmuxServer, o: ClaudeTuiOptions): Promise<TmuxPane> {
  await prepareClaudeHome(o.home, o.cwd);
  const pane = await tmux.spawn([
    o.binary,
    "--plugin-dir",
    o.pluginDir,
    "--session-id",
    o.sessionId,
    "--permission-mode",
    "default",
    "--allowedTools",
    ...o.allowedTools,
    "--debug-file",
    o.debugFile,
  ], {
    cwd: o.cwd,
    width: 160,
    height: 50,
    env: {
      HOME: o.home,
      ANTHROPIC_BASE_URL: o.baseUrl,
      ANTHROPIC_API_KEY: MOCK_API_KEY,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      TERM: "xterm-256color",
      LANG: "C.UTF-8",
      DENO_DIR: await denoDir(),
      ...o.env,
    },
  });
  await pane.waitFor(/❯/, 30_000);
  return pane;
}

/** Polls `test` until it holds (or throws after `timeoutMs`, naming `what`). */
export async function until(
  what: string,
  test: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** What {@linkcode runIsolated} gives back: the scenario's report and how it ran. */
export interface IsolatedRun<R> {
  report: R;
  isolated: boolean;
  stderr: string;
}

/**
 * Runs `module` (a scenario with an `import.meta.main` entry taking `<config.json> <report.json>`)
 * inside a loopback-only network namespace when possible, and returns the report it wrote.
 */
export async function runIsolated<R>(module: URL, config: Record<string, unknown>): Promise<IsolatedRun<R>> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-isolated-" });
  try {
    const configFile = join(dir, "config.json");
    const reportFile = join(dir, "report.json");
    await Deno.writeTextFile(configFile, JSON.stringify(config));
    const inner = [Deno.execPath(), "run", "-A", module.pathname, configFile, reportFile];
    const isolated = await canIsolateNetwork();
    const command = isolated
      ? new Deno.Command("unshare", {
        args: ["-rn", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...inner],
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
        env: { DENO_DIR: await denoDir() },
      })
      : new Deno.Command(inner[0], {
        args: inner.slice(1),
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
        env: { DENO_DIR: await denoDir() },
      });
    const out = await command.output();
    const stderr = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    let report: R;
    try {
      report = JSON.parse(await Deno.readTextFile(reportFile));
    } catch {
      throw new Error(`the scenario wrote no report (exit ${out.code}):\n${stderr}`);
    }
    return { report, isolated, stderr };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
