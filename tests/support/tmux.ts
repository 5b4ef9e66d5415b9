/**
 * A private tmux server (its own socket, no user config) for running real TUIs at a fixed size,
 * capturing their screen and sending keys. Commands are argv arrays (tmux execs them directly).
 *
 * @module
 */
import { join } from "node:path";

/** Options for a new pane. */
export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string>;
  width?: number;
  height?: number;
}

/** Runs tmux against one socket. */
export async function tmux(
  socket: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("tmux", {
    args: ["-S", socket, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A private tmux server. */
export class TmuxServer {
  readonly socket: string;
  readonly #dir: string;
  #sessions = 0;

  private constructor(dir: string) {
    this.#dir = dir;
    this.socket = join(dir, "tmux.sock");
  }

  /** Creates the server's socket directory; the server starts with the first session. */
  static async create(): Promise<TmuxServer> {
    return new TmuxServer(await Deno.makeTempDir({ prefix: "codexctl-tmux-" }));
  }

  /** Starts `argv` in a new detached session and returns its pane. */
  async spawn(argv: string[], options: SpawnOptions): Promise<TmuxPane> {
    const name = `s${++this.#sessions}`;
    const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const res = await tmux(this.socket, [
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      String(options.width ?? 120),
      "-y",
      String(options.height ?? 40),
      "-c",
      options.cwd,
      ...envArgs,
      ...argv,
    ]);
    if (res.code !== 0) throw new Error(`tmux new-session failed: ${res.stderr}`);
    await tmux(this.socket, ["set-option", "-t", name, "remain-on-exit", "on"]);
    await tmux(this.socket, ["set-option", "-g", "history-limit", "5000"]);
    return new TmuxPane(this.socket, `${name}:0.0`);
  }

  /** Kills the server and removes its socket directory. */
  async kill(): Promise<void> {
    await tmux(this.socket, ["kill-server"]);
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}

/** One pane of a {@linkcode TmuxServer}. */
export class TmuxPane {
  constructor(readonly socket: string, readonly target: string) {}

  /** The visible screen, each line right-trimmed. */
  async screen(): Promise<string> {
    const res = await tmux(this.socket, ["capture-pane", "-p", "-t", this.target]);
    return trimLines(res.stdout);
  }

  /** The screen plus up to `lines` of scrollback. */
  async history(lines = 400): Promise<string> {
    const res = await tmux(this.socket, ["capture-pane", "-p", "-t", this.target, "-S", `-${lines}`]);
    return trimLines(res.stdout);
  }

  /** Types `text` literally (no Enter). */
  async type(text: string): Promise<void> {
    await tmux(this.socket, ["send-keys", "-t", this.target, "-l", text]);
  }

  /** Sends tmux key names (`Enter`, `Escape`, `Down`, `BTab`, `C-c`…). */
  async keys(...keys: string[]): Promise<void> {
    await tmux(this.socket, ["send-keys", "-t", this.target, ...keys]);
  }

  /**
   * Types `text`, waits out the TUI's paste-burst window, then presses Enter (a fast Enter would
   * become a newline in the composer; codex.md §5).
   */
  async submit(text: string, gapMs = 600): Promise<void> {
    await this.type(text);
    await sleep(gapMs);
    await this.keys("Enter");
  }

  /** The pid of the pane's process, and whether it is dead. */
  async process(): Promise<{ pid: number; dead: boolean }> {
    const res = await tmux(this.socket, [
      "display-message",
      "-p",
      "-t",
      this.target,
      "#{pane_pid} #{pane_dead}",
    ]);
    const [pid, dead] = res.stdout.trim().split(" ");
    return { pid: Number(pid), dead: dead === "1" };
  }

  /** Polls the screen until `test` passes; returns that screen. Throws with the last screen. */
  async waitFor(
    test: RegExp | ((screen: string) => boolean),
    timeoutMs = 20_000,
    intervalMs = 200,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.screen();
      if (typeof test === "function" ? test(last) : test.test(last)) return last;
      await sleep(intervalMs);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(test)}; last screen:\n${last}`);
  }

  /** Waits until the screen stops changing for `quietMs`; returns it. */
  async settle(quietMs = 800, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.screen();
    let since = Date.now();
    while (Date.now() < deadline) {
      await sleep(150);
      const now = await this.screen();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return now;
    }
    return last;
  }
}

/** Right-trims every line and drops trailing blank lines. */
export function trimLines(text: string): string {
  return text.split("\n").map((l) => l.replace(/\s+$/, "")).join("\n").replace(/\n+$/, "") + "\n";
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
