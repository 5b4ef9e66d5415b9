/**
 * The fake herdr's pane engine: a private tmux server (own socket, no user config) that gives every
 * fake pane a real PTY, a VT emulator and scrollback. Workspace = tmux session, tab = window,
 * pane = pane (`%id`, stable across sibling kills). Commands are argv arrays.
 *
 * @module
 */
import { join } from "node:path";

/** One live tmux pane as listed by the server. */
export interface TmuxPaneState {
  paneId: string;
  windowId: string;
  pid: number;
  dead: boolean;
  title: string;
}

/** Where and how a new pane starts. */
export interface PaneStart {
  cwd: string;
  env: Record<string, string>;
  shell: string;
}

const decoder = new TextDecoder();

/** A private tmux server. */
export class TmuxEngine {
  readonly socket: string;
  readonly dir: string;
  #buffers = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, "tmux.sock");
  }

  /** Starts a server with a keeper session (so closing every fake workspace keeps it alive). */
  static async start(width: number, height: number): Promise<TmuxEngine> {
    const engine = new TmuxEngine(await Deno.makeTempDir({ prefix: "codexctl-fakeherdr-tmux-" }));
    await engine.run([
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      "_keeper",
      "-x",
      String(width),
      "-y",
      String(height),
      "sleep",
      "2147483647",
    ]);
    await engine.run(["set-option", "-g", "default-size", `${width}x${height}`]);
    await engine.run(["set-option", "-g", "history-limit", "5000"]);
    await engine.run(["set-option", "-g", "remain-on-exit", "off"]);
    return engine;
  }

  /**
   * Runs one tmux command; throws with tmux's message on failure. tmux gives a new pane the PATH of
   * the client that created it (a `-e PATH=…` is overridden), so `path` sets the client's PATH.
   */
  async run(args: string[], stdin?: string, path?: string): Promise<string> {
    const child = new Deno.Command("tmux", {
      args: ["-S", this.socket, ...args],
      ...(path !== undefined ? { env: { PATH: path } } : {}),
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
    }
    const out = await child.output();
    if (out.code !== 0) {
      throw new Error(`tmux ${args[0]} failed: ${decoder.decode(out.stderr).trim() || `exit ${out.code}`}`);
    }
    return decoder.decode(out.stdout);
  }

  #startArgs(start: PaneStart): string[] {
    const env = Object.entries(start.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    return ["-c", start.cwd, ...env, "-P", "-F", "#{pane_id} #{window_id}", start.shell];
  }

  static #ids(out: string): { paneId: string; windowId: string } {
    const [paneId, windowId] = out.trim().split(" ");
    return { paneId, windowId };
  }

  /** A new session (workspace) with one window and pane. */
  async newSession(name: string, start: PaneStart): Promise<{ paneId: string; windowId: string }> {
    return TmuxEngine.#ids(
      await this.run(["new-session", "-d", "-s", name, ...this.#startArgs(start)], undefined, start.env.PATH),
    );
  }

  /** A new window (tab) in a session. */
  async newWindow(session: string, start: PaneStart): Promise<{ paneId: string; windowId: string }> {
    return TmuxEngine.#ids(
      await this.run(
        ["new-window", "-d", "-t", `${session}:`, ...this.#startArgs(start)],
        undefined,
        start.env.PATH,
      ),
    );
  }

  /** Splits a pane; `percent` is the new pane's share. */
  async split(
    target: string,
    direction: "right" | "down",
    percent: number,
    start: PaneStart,
  ): Promise<string> {
    const out = await this.run(
      [
        "split-window",
        "-d",
        direction === "right" ? "-h" : "-v",
        "-l",
        `${Math.min(90, Math.max(10, Math.round(percent)))}%`,
        "-t",
        target,
        ...this.#startArgs(start),
      ],
      undefined,
      start.env.PATH,
    );
    return TmuxEngine.#ids(out).paneId;
  }

  /** Kills a pane, window or session; a target that is already gone is fine. */
  async kill(kind: "pane" | "window" | "session", target: string): Promise<void> {
    await this.run([`kill-${kind}`, "-t", target]).catch(() => {});
  }

  /** Every pane of every session except the keeper. */
  async list(): Promise<TmuxPaneState[]> {
    const out = await this.run([
      "list-panes",
      "-a",
      "-F",
      "#{session_name}\t#{pane_id}\t#{window_id}\t#{pane_pid}\t#{pane_dead}\t#{pane_title}",
    ]);
    const panes: TmuxPaneState[] = [];
    for (const line of out.split("\n")) {
      const [session, paneId, windowId, pid, dead, ...title] = line.split("\t");
      if (!paneId || session === "_keeper") continue;
      panes.push({ paneId, windowId, pid: Number(pid), dead: dead === "1", title: title.join("\t") });
    }
    return panes;
  }

  /**
   * Captures a pane: the visible screen, or with `history` that many rows of scrollback before it;
   * `join` joins wrapped lines, `ansi` keeps SGR escapes. Lines are right-trimmed by tmux.
   */
  async capture(
    paneId: string,
    options: { history?: number; join?: boolean; ansi?: boolean } = {},
  ): Promise<string> {
    const args = ["capture-pane", "-p", "-t", paneId];
    if (options.history !== undefined) args.push("-S", `-${options.history}`);
    if (options.join) args.push("-J");
    if (options.ansi) args.push("-e");
    return await this.run(args);
  }

  /** Pastes text as the application expects it: bracketed when it enabled paste mode, bytes as is. */
  async paste(paneId: string, text: string): Promise<void> {
    const name = `fh${++this.#buffers}`;
    await this.run(["load-buffer", "-b", name, "-"], text);
    await this.run(["paste-buffer", "-p", "-r", "-d", "-b", name, "-t", paneId]);
  }

  /** Sends tmux key arguments (names like `Enter`, `C-c`, or `-l` literal runs). */
  async sendKeys(paneId: string, keys: string[][]): Promise<void> {
    for (const key of keys) await this.run(["send-keys", "-t", paneId, ...key]);
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.run(["kill-server"]).catch(() => {});
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
