/**
 * Doctor checks for the programs and places codexctl needs: `codex` (the CLI it drives), `tmux`
 * (the pane substrate when herdr is not running) and the state directory.
 *
 * @module
 */
import type { CodexctlError } from "../errors.ts";
import { stateRoot } from "../store/paths.ts";
import { atomicWrite, ensureDir } from "../store/atomic.ts";
import type { DoctorCheck } from "./check.ts";
import { projectRoot } from "./runtime_check.ts";
import { findCodex } from "../codex/find.ts";
import { runTool } from "../tool.ts";

/** Runs a `--version`-style probe: whether it exited 0, and the first line of what it printed (or why it did not run). */
async function version(argv: string[], timeoutMs: number): Promise<{ ok: boolean; text: string }> {
  const run = await runTool(argv, timeoutMs);
  if (run.kind === "missing" || run.kind === "failed") return { ok: false, text: run.message };
  return {
    ok: run.kind === "exited" && run.code === 0,
    text: (run.stdout || run.stderr).trim().split("\n")[0],
  };
}

/**
 * The Codex builds the project's test rig installed (`<cache>/codex-<version>/bin/codex`, where
 * cache is `$CODEXCTL_TEST_CACHE`, else `<checkout>/.cache`), newest version first.
 */
export function projectCodexBuilds(
  env: { get(key: string): string | undefined },
  root: string | null,
): string[] {
  const caches = [env.get("CODEXCTL_TEST_CACHE"), root ? `${root}/.cache` : undefined]
    .filter((c): c is string => Boolean(c && c.startsWith("/")));
  const found: { version: number[]; path: string }[] = [];
  for (const cache of new Set(caches)) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(cache)];
    } catch {
      continue;
    }
    for (const e of entries) {
      const m = e.name.match(/^codex-(\d+)\.(\d+)\.(\d+)$/);
      if (!m) continue;
      const path = `${cache}/${e.name}/bin/codex`;
      try {
        if (!Deno.statSync(path).isFile) continue;
      } catch {
        continue;
      }
      found.push({ version: m.slice(1).map(Number), path });
    }
  }
  found.sort((a, b) =>
    b.version[0] - a.version[0] || b.version[1] - a.version[1] || b.version[2] - a.version[2]
  );
  return found.map((f) => f.path);
}

/** Where a Codex binary was found, in words. */
const FOUND_VIA: Record<string, string> = {
  env: "CODEXCTL_CODEX",
  path: "codex on PATH",
  vscode: "the VS Code extension's bundled codex",
  "vscode-server": "the VS Code Server extension's bundled codex",
  cursor: "the Cursor extension's bundled codex",
};

/** `codex --version` of the Codex codexctl would start, where it was found, and the project's cached builds. */
export const codexCheck: DoctorCheck = {
  name: "codex",
  description:
    "the Codex CLI codexctl starts (CODEXCTL_CODEX, else codex on PATH, else the newest IDE extension's bundled codex)",
  async run(ctx) {
    const found = findCodex(ctx.env);
    const bin = found?.path ?? "codex";
    const via = found
      ? FOUND_VIA[found.via]
      : "nowhere (no CODEXCTL_CODEX, no codex on PATH, no IDE extension's)";
    const v = await version([bin, "--version"], ctx.timeoutMs);
    const root = projectRoot();
    const cached = projectCodexBuilds(ctx.env, root);
    if (v.ok) {
      return {
        status: "ok",
        summary: `${v.text} — ${bin} (${via})`,
        details: {
          binary: bin,
          found_via: found?.via ?? null,
          extension_version: found?.extension_version ?? null,
          version: v.text.replace(/^codex-cli\s*/, ""),
          project_codex: cached,
        },
        suggestion: null,
      };
    }
    const suggestion = cached.length
      ? `use the project's cached Codex: export CODEXCTL_CODEX=${
        cached[0]
      } (or install one: npm install -g @openai/codex)`
      : root
      ? `install it: npm install -g @openai/codex, or run ${root}/scripts/dev try (installs the project's pinned Codex and prints the exports to use it)`
      : "install it: npm install -g @openai/codex (or set CODEXCTL_CODEX to its path)";
    return {
      status: "fail",
      summary: `${bin} (${via}) does not run: ${v.text}`,
      details: { binary: bin, found_via: found?.via ?? null, project_codex: cached },
      suggestion,
    };
  },
};

/** `tmux -V`. */
export const tmuxCheck: DoctorCheck = {
  name: "tmux",
  description: "tmux, used for Codex panes when herdr is not running",
  async run(ctx) {
    const v = await version(["tmux", "-V"], ctx.timeoutMs);
    const inside = Boolean(ctx.env.get("TMUX"));
    return v.ok
      ? {
        status: "ok",
        summary: `${v.text}${
          inside
            ? " (codexctl runs inside tmux: panes split this window)"
            : " (outside tmux: codexctl's private tmux server)"
        }`,
        details: { version: v.text, inside_tmux: inside },
        suggestion: null,
      }
      : {
        status: "absent",
        summary: "tmux is not installed",
        details: { inside_tmux: inside },
        suggestion: "install tmux (apt install tmux / brew install tmux) unless you use herdr",
      };
  },
};

/** The state directory is writable. */
export const stateCheck: DoctorCheck = {
  name: "state",
  description:
    "codexctl's state directory ($CODEXCTL_HOME, else $XDG_STATE_HOME/codexctl, else ~/.local/state/codexctl)",
  async run(ctx) {
    let root: string;
    try {
      root = stateRoot(ctx.env);
    } catch (err) {
      const e = err as CodexctlError;
      return { status: "fail", summary: e.message, details: {}, suggestion: e.suggestion };
    }
    try {
      await ensureDir(root);
      await atomicWrite(`${root}/.doctor-probe`, "ok\n");
      await Deno.remove(`${root}/.doctor-probe`);
      return { status: "ok", summary: `${root} is writable`, details: { root }, suggestion: null };
    } catch (err) {
      return {
        status: "fail",
        summary: `${root} is not writable: ${err instanceof Error ? err.message : String(err)}`,
        details: { root },
        suggestion: "fix its permissions or set CODEXCTL_HOME",
      };
    }
  },
};
