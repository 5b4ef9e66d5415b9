/**
 * An isolated `CODEX_HOME` per test, wired to the mock model (retries 0), and the environment a
 * Codex process needs to use it. Cleanup stops the shared daemon a 0.169 TUI leaves behind.
 *
 * @module
 */
import { join } from "node:path";
import type { CodexInstall } from "./codex_bin.ts";

/** Options of {@linkcode makeCodexHome}. */
export interface CodexHomeOptions {
  /** The mock's provider base URL (`MockModel.baseUrl`). */
  baseUrl: string;
  /** Directories to pre-trust (no folder-trust dialog there). */
  trust?: string[];
  /** Extra TOML appended to config.toml. */
  extraToml?: string;
  /** Parent directory (default: a new temporary directory). */
  parent?: string;
}

/** A private Codex home. */
export interface CodexHome {
  dir: string;
  /** Environment for a Codex process using this home (PATH puts `install` first when given). */
  env(install?: CodexInstall): Record<string, string>;
  /** Stops any daemon started from this home and deletes it. */
  cleanup(): Promise<void>;
}

/** The config.toml that points Codex at the mock. */
export function mockConfigToml(baseUrl: string, trust: string[] = [], extra = ""): string {
  const lines = [
    `model = "mock-model"`,
    `model_provider = "mock"`,
    `check_for_update_on_startup = false`,
    "",
    "[model_providers.mock]",
    `name = "Mock"`,
    `base_url = ${JSON.stringify(baseUrl)}`,
    `wire_api = "responses"`,
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
  ];
  for (const dir of trust) lines.push(`[projects.${JSON.stringify(dir)}]`, `trust_level = "trusted"`, "");
  if (extra) lines.push(extra, "");
  return lines.join("\n");
}

/** Creates a private CODEX_HOME configured for the mock model. */
export async function makeCodexHome(options: CodexHomeOptions): Promise<CodexHome> {
  const dir = options.parent
    ? join(options.parent, "codex-home")
    : await Deno.makeTempDir({ prefix: "codexctl-home-" });
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    mockConfigToml(options.baseUrl, options.trust, options.extraToml),
  );
  return {
    dir,
    env(install) {
      const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
      return {
        CODEX_HOME: dir,
        PATH: install ? `${install.binDir}:${path}` : path,
        HOME: Deno.env.get("HOME") ?? "/root",
        TERM: "xterm-256color",
        LANG: "C.UTF-8",
        TZ: "UTC",
        NO_COLOR: "1",
        RUST_LOG: "error",
        // Codex runs commands in login shells, which read the machine's dotfiles; where those run
        // `pyenv rehash` (this workplace's image), a test that kills a command mid-rehash leaves
        // pyenv's lock behind and every later login shell would wait 60 s for it. Bound that wait.
        PYENV_REHASH_TIMEOUT: "0",
      };
    },
    async cleanup() {
      await stopDaemons(dir);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Kills every process whose command line mentions `codexHome` (the 0.169 shared daemon and its
 * pid-update-loop, which `codex app-server daemon stop` leaves running).
 */
export async function stopDaemons(codexHome: string): Promise<number> {
  let killed = 0;
  for (const pid of await pidsMentioning(codexHome)) {
    try {
      Deno.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}

/** Pids of processes whose command line contains `needle` (Linux /proc). */
export async function pidsMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const pid = Number(entry.name);
      if (pid === Deno.pid) continue;
      try {
        const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`);
        if (cmd.includes(needle)) pids.push(pid);
      } catch {
        // raced with exit
      }
    }
  } catch {
    // no /proc (macOS): nothing to do
  }
  return pids;
}
