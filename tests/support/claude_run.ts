/**
 * Runs a real Claude Code in print mode (`claude -p`) against the loopback Messages API mock,
 * isolated from the network: when `unshare` and `ip` are available the run happens in a fresh
 * network namespace with only loopback up (the mock runs inside it too), so no Anthropic endpoint
 * can be reached whatever Claude Code tries. `HOME` is a private temporary directory, so the
 * user's `~/.claude` is never read or written.
 *
 * This file is also the program that runs inside the namespace (`import.meta.main`): it starts the
 * mock, runs Claude Code, and writes everything observed to a result file.
 *
 * @module
 */
import { MessagesMock, type MessagesRequest, type MessagesStep } from "./mock_messages.ts";
import { denoDir } from "./deno_dir.ts";
import { mockConfigToml } from "./codex_home.ts";
import { MockModel, type MockReply, type RecordedRequest } from "./mock_model.ts";

/** Options of {@linkcode runClaude}. */
export interface ClaudeRunOptions {
  /** The Claude Code executable. */
  binary: string;
  /** `--plugin-dir`. */
  pluginDir: string;
  prompt: string;
  /** What the mock answers to the main loop's requests, in order. */
  script: MessagesStep[];
  /** `--allowedTools` rules, e.g. `Bash(cat *)`. */
  allowedTools: string[];
  /** Working directory of the Claude Code process. */
  cwd: string;
  /** Extra environment for Claude Code (and so for its hooks and tools). */
  env?: Record<string, string>;
  /** `--session-id` (a uuid). */
  sessionId?: string;
  /** `--resume` this session (a uuid) instead of starting one (give the same `home` as its first run). */
  resume?: string;
  /**
   * The `HOME` Claude Code runs with (kept: a later run can resume the conversation). Default: a
   * private temporary directory, removed after the run.
   */
  home?: string;
  /**
   * A Codex mock model started next to Claude Code (inside the same network namespace), with
   * `<home>/config.toml` pointing Codex at it (the project trusted); `CODEX_HOME` is set for Claude
   * Code. `replies` are queued before the mock's own answers (a review gets the mock reviewer).
   */
  codex?: { home: string; replies?: MockReply[]; trust?: string[] };
  /** Kill Claude Code after this long (default 120 s). */
  timeoutMs?: number;
}

/** What a run produced. */
export interface ClaudeRunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--output-format stream-json` events. */
  events: Record<string, unknown>[];
  /** Every request the mock received. */
  requests: MessagesRequest[];
  /** Claude Code's `--debug-file` log. */
  debugLog: string;
  /** True when the run was confined to a loopback-only network namespace. */
  isolated: boolean;
  /** Every request the Codex mock received (empty without `codex`). */
  codexRequests: RecordedRequest[];
  timedOut: boolean;
}

interface InnerConfig extends ClaudeRunOptions {
  resultFile: string;
  home: string;
  isolated: boolean;
  denoDir: string;
}

let isolation: Promise<boolean> | undefined;

/** True when this machine can run a command in a new network namespace with loopback up. */
export function canIsolateNetwork(): Promise<boolean> {
  isolation ??= (async () => {
    try {
      const out = await new Deno.Command("unshare", {
        args: ["-rn", "--", "sh", "-c", "ip link set lo up && echo up"],
        stdout: "piped",
        stderr: "null",
      }).output();
      return out.success && new TextDecoder().decode(out.stdout).trim() === "up";
    } catch {
      return false;
    }
  })();
  return isolation;
}

/** Runs `claude -p` once against a fresh mock and returns what happened. */
export async function runClaude(options: ClaudeRunOptions): Promise<ClaudeRunResult> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-claude-" });
  const isolated = await canIsolateNetwork();
  const config: InnerConfig = {
    ...options,
    resultFile: `${dir}/result.json`,
    home: options.home ?? `${dir}/home`,
    isolated,
    denoDir: await denoDir(),
  };
  await Deno.mkdir(config.home, { recursive: true });
  const configFile = `${dir}/config.json`;
  await Deno.writeTextFile(configFile, JSON.stringify(config));
  const inner = [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, configFile];
  const command = isolated
    ? new Deno.Command("unshare", {
      args: ["-rn", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...inner],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    })
    : new Deno.Command(inner[0], { args: inner.slice(1), stdout: "piped", stderr: "piped", stdin: "null" });
  const out = await command.output();
  let result: ClaudeRunResult;
  try {
    result = JSON.parse(await Deno.readTextFile(config.resultFile));
  } catch {
    throw new Error(
      `the Claude Code runner wrote no result (exit ${out.code}):\n${new TextDecoder().decode(out.stderr)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return result;
}

async function inner(config: InnerConfig): Promise<void> {
  const mock = await MessagesMock.start({ script: config.script });
  const codexMock = config.codex ? await MockModel.start() : null;
  if (config.codex && codexMock) {
    await Deno.mkdir(config.codex.home, { recursive: true });
    await Deno.writeTextFile(
      `${config.codex.home}/config.toml`,
      mockConfigToml(codexMock.baseUrl, config.codex.trust ?? [config.cwd]),
    );
    codexMock.enqueue(...(config.codex.replies ?? []));
  }
  const debugFile = `${config.home}/claude-debug.log`;
  const args = [
    "-p",
    config.prompt,
    "--plugin-dir",
    config.pluginDir,
    "--allowedTools",
    ...config.allowedTools,
    "--output-format",
    "stream-json",
    "--verbose",
    "--include-hook-events",
    "--debug-file",
    debugFile,
    ...(config.sessionId ? ["--session-id", config.sessionId] : []),
    ...(config.resume ? ["--resume", config.resume] : []),
  ];
  const child = new Deno.Command(config.binary, {
    args,
    cwd: config.cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: config.home,
      LANG: "C.UTF-8",
      TERM: "dumb",
      ANTHROPIC_BASE_URL: mock.baseUrl,
      ANTHROPIC_API_KEY: "sk-ant-mock-key",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DENO_DIR: config.denoDir,
      ...(config.codex ? { CODEX_HOME: config.codex.home } : {}),
      ...config.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, config.timeoutMs ?? 120_000);
  const out = await child.output();
  clearTimeout(timer);
  await mock.close();
  await codexMock?.close();
  const stdout = new TextDecoder().decode(out.stdout);
  const events: Record<string, unknown>[] = [];
  for (const line of stdout.split("\n")) {
    try {
      if (line.trim()) events.push(JSON.parse(line));
    } catch { /* not JSON */ }
  }
  const result: ClaudeRunResult = {
    code: out.code,
    stdout,
    stderr: new TextDecoder().decode(out.stderr),
    events,
    requests: mock.requests,
    debugLog: await Deno.readTextFile(debugFile).catch(() => ""),
    isolated: config.isolated,
    codexRequests: codexMock?.requests ?? [],
    timedOut,
  };
  await Deno.writeTextFile(config.resultFile, JSON.stringify(result));
}

if (import.meta.main) {
  const config: InnerConfig = JSON.parse(await Deno.readTextFile(Deno.args[0]));
  await inner(config);
}
