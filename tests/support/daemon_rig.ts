/**
 * A real Codex 0.169 TUI in tmux against the mock model, with its shared daemon, for the daemon
 * channel's end-to-end tests: the mock, a scratch git repo, a private CODEX_HOME and CODEXCTL_HOME,
 * and helpers to find the TUI's thread and watch its rollout. Cleanup always stops the daemon.
 *
 * @module
 */
import { join } from "node:path";
import { CODEX_VERSIONS, type CodexInstall, codexInstall } from "./codex_bin.ts";
import { type CodexHome, makeCodexHome } from "./codex_home.ts";
import { listRollouts } from "./codex_exec.ts";
import { countTurnEnds, startTui, waitReady } from "./codex_tui.ts";
import { MockModel } from "./mock_model.ts";
import { sleep, type TmuxPane, TmuxServer } from "./tmux.ts";

/** One running TUI and everything around it. */
export interface TuiRig {
  install: CodexInstall;
  mock: MockModel;
  /** The scratch repository the TUI runs in (its real path). */
  cwd: string;
  home: CodexHome;
  /** A private codexctl state root (CODEXCTL_HOME). */
  stateDir: string;
  server: TmuxServer;
  pane: TmuxPane;
  /** Environment for `runCli`: CODEX_HOME, CODEXCTL_HOME, PATH, HOME. */
  cliEnv: Record<string, string>;
}

/** Options of {@linkcode withTuiRig}. */
export interface TuiRigOptions {
  /** Extra Codex CLI arguments (e.g. `-s read-only`). */
  args?: string[];
  /** Give the mock a real model catalog entry, so Codex offers apply_patch. */
  catalog?: boolean;
  /**
   * Top-level config.toml settings, e.g. `sandbox_mode = "read-only"`. Settings go here rather
   * than into `-c` / `-s` flags: a 0.169 TUI given config overrides on its command line runs its
   * agent in-process, without the daemon.
   */
  config?: string[];
}

/** Starts a TUI rig, runs `fn`, and always tears everything down (daemon included). */
export async function withTuiRig(options: TuiRigOptions, fn: (rig: TuiRig) => Promise<void>): Promise<void> {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const mock = await MockModel.start();
  const cwd = await Deno.realPath(await Deno.makeTempDir({ prefix: "codexctl-daemon-live-" }));
  await new Deno.Command("git", { args: ["init", "-q", cwd] }).output();
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [cwd] });
  const stateDir = await Deno.makeTempDir({ prefix: "codexctl-state-" });
  const server = await TmuxServer.create();
  try {
    const topLevel = [...(options.config ?? [])];
    if (options.catalog) {
      topLevel.push(`model_catalog_json = ${JSON.stringify(await writeMockCatalog(install, home.dir))}`);
    }
    if (topLevel.length) {
      // top-level keys must precede the tables in config.toml
      const config = join(home.dir, "config.toml");
      await Deno.writeTextFile(config, `${topLevel.join("\n")}\n${await Deno.readTextFile(config)}`);
    }
    const pane = await startTui(server, install, home, { cwd, args: options.args ?? [] });
    await waitReady(pane, 90_000);
    const cliEnv = {
      CODEX_HOME: home.dir,
      CODEXCTL_HOME: stateDir,
      HOME: Deno.env.get("HOME") ?? "/root",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    };
    await fn({ install, mock, cwd, home, stateDir, server, pane, cliEnv });
  } finally {
    await server.kill();
    await mock.close();
    await home.cleanup();
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  }
}

/** The thread uuid in a rollout file name (`rollout-<time>-<uuid>.jsonl`). */
export function threadIdFromRollout(path: string): string {
  const m = path.match(/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/);
  if (!m) throw new Error(`not a rollout file name: ${path}`);
  return m[1];
}

/** Waits for the TUI's first rollout (written once a message was submitted); returns its path. */
export async function waitRollout(rig: TuiRig, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = await listRollouts(rig.home.dir);
    if (files.length > 0) return files[0];
    await sleep(250);
  }
  throw new Error(`no rollout appeared within ${timeoutMs} ms; screen:\n${await rig.pane.screen()}`);
}

/** Waits until `path` matches `pattern`; returns the text. */
export async function waitFileMatches(path: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await Deno.readTextFile(path).catch(() => "");
    if (pattern.test(text)) return text;
    await sleep(250);
  }
  throw new Error(`${path} did not match ${pattern} within ${timeoutMs} ms; tail:\n${text.slice(-2000)}`);
}

/** Waits until `path` exists. */
export async function waitExists(path: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Deno.stat(path).then(() => true, () => false)) return;
    await sleep(250);
  }
  throw new Error(`${path} did not appear within ${timeoutMs} ms`);
}

/** Waits until the home's rollouts record more than `before` turn ends. */
export async function waitTurnEnds(rig: TuiRig, before: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await countTurnEnds(rig.home)) > before) return;
    await sleep(250);
  }
  throw new Error(`no turn ended within ${timeoutMs} ms; screen:\n${await rig.pane.screen()}`);
}

/** Reads the audit log of the rig's codexctl state root as records. */
export async function readAudit(rig: TuiRig): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(join(rig.stateDir, "logs", "audit.jsonl")).catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Writes a model catalog that makes the mock look like a real model (codex.md §1.5: the bundled
 * `gpt-5.5` entry renamed to `mock-model`), so Codex offers `apply_patch`; returns its path.
 */
export async function writeMockCatalog(install: CodexInstall, dir: string): Promise<string> {
  const out = await new Deno.Command(install.binary, {
    args: ["debug", "models", "--bundled"],
    env: { CODEX_HOME: dir, HOME: Deno.env.get("HOME") ?? "/root", PATH: Deno.env.get("PATH") ?? "" },
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).output();
  const catalog = JSON.parse(new TextDecoder().decode(out.stdout)) as { models: Record<string, unknown>[] };
  const entry = catalog.models.find((m) => m.slug === "gpt-5.5");
  if (!entry) throw new Error("the bundled Codex model catalog has no gpt-5.5 entry");
  const path = join(dir, "mock-catalog.json");
  await Deno.writeTextFile(
    path,
    JSON.stringify({ models: [{ ...entry, slug: "mock-model", display_name: "mock-model" }] }),
  );
  return path;
}
