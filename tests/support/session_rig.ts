/**
 * A rig for session tests: the mock model, one private CODEX_HOME (one Codex daemon), a private
 * codexctl state directory, scratch git repositories, and `codexctl` run from source with an
 * environment where `codex` is the pinned real binary.
 *
 * @module
 */
import { join } from "node:path";
import { CODEX_VERSIONS, codexInstall, type CodexVersion } from "./codex_bin.ts";
import { type CodexHome, makeCodexHome, stopDaemons } from "./codex_home.ts";
import { type CliResult, runCli } from "./cli.ts";
import { MockModel } from "./mock_model.ts";
import { tmux } from "./tmux.ts";

/** A running rig. */
export interface SessionRig {
  mock: MockModel;
  home: CodexHome;
  state: string;
  env: Record<string, string>;
  /** A new git repository with one commit (trusted unless `untrusted`). */
  repo(options?: { untrusted?: boolean }): Promise<string>;
  /** Runs codexctl with the rig's environment. */
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.invalid",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.invalid",
};

/** Runs git in `cwd` (test identity). */
export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-C", cwd, ...args],
    env: GIT_ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** Starts a rig for one Codex version. */
export async function startRig(
  version: CodexVersion = CODEX_VERSIONS.current,
  extraEnv: Record<string, string> = {},
): Promise<SessionRig> {
  const install = await codexInstall(version);
  const mock = await MockModel.start();
  const root = await Deno.makeTempDir({ prefix: "codexctl-rig-" });
  const repos = join(root, "repos");
  await Deno.mkdir(repos);
  // every repository under repos/ is trusted unless it is created under untrusted/
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, parent: root });
  const state = join(root, "state");
  const env: Record<string, string> = {
    ...home.env(install),
    CODEXCTL_HOME: state,
    TMUX: "",
    TMUX_PANE: "",
    ...GIT_ENV,
    ...extraEnv,
  };
  let n = 0;
  return {
    mock,
    home,
    state,
    env,
    async repo(options = {}) {
      const dir = join(options.untrusted ? join(root, "untrusted") : repos, `r${++n}`);
      await Deno.mkdir(dir, { recursive: true });
      await gitIn(dir, "init", "-q", "-b", "main");
      await Deno.writeTextFile(join(dir, "README.md"), "# scratch\n");
      await gitIn(dir, "add", "README.md");
      await gitIn(dir, "commit", "-q", "-m", "init");
      const real = await Deno.realPath(dir);
      if (!options.untrusted) {
        await Deno.writeTextFile(
          join(home.dir, "config.toml"),
          `\n[projects.${JSON.stringify(real)}]\ntrust_level = "trusted"\n`,
          { append: true },
        );
      }
      return real;
    },
    cli(args, more = {}) {
      return runCli(args, { env: { ...env, ...more }, timeoutMs: 180_000 });
    },
    async close() {
      await tmux(join(state, "tmux", "codexctl.sock"), ["kill-server"]).catch(() => {});
      await mock.close();
      await stopDaemons(home.dir);
      await home.cleanup();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** The result object of a CLI envelope. */
export function result(r: CliResult): Record<string, unknown> {
  if (!r.json || r.json.ok !== true) {
    throw new Error(`codexctl failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.json.result as Record<string, unknown>;
}
