/**
 * The tmux substrate. Inside tmux (`$TMUX`) a pane splits the caller's window, a tab is a new
 * window and a space a new session of the caller's server; outside tmux everything goes to
 * codexctl's own private tmux server (socket in the state directory). Every pane gets codexctl's
 * environment (not the tmux server's) through a 0600 file, never on a command line (env_file.ts),
 * keeps its screen when Codex exits (remain-on-exit), and is addressed by its stable `%N` pane id on
 * the server whose socket the record names — the caller's own server included, so a later call from
 * a shell without `$TMUX` still reaches it.
 *
 * A server that cannot be reached is never taken for a closed pane: `read` says why in
 * `unreachable` (with whether Codex's process, recorded at start, still lives), and `stop` refuses
 * to claim the pane is gone unless that process is.
 *
 * @module
 */
import { join } from "node:path";
import { environmentError } from "../errors.ts";
import { ensureDir } from "../store/atomic.ts";
import { quoteWord } from "../herdr/shell_quote.ts";
import { writeEnvFile } from "./env_file.ts";
import { pidAlive } from "../names.ts";
import {
  cannotDeliver,
  type Capabilities,
  type Delivered,
  goneReading,
  type Handle,
  type Input,
  type Key,
  PANE_CAPABILITIES,
  type Reading,
  type ReadOptions,
  type StartRequest,
  type Stopped,
  type Substrate,
} from "./substrate.ts";

const KEYS: Record<Key, string> = {
  Enter: "Enter",
  Esc: "Escape",
  Up: "Up",
  Down: "Down",
  Tab: "Tab",
  BTab: "BTab",
  "C-c": "C-c",
  "C-u": "C-u",
};

/** Variables that belong to the calling terminal or tmux client, never passed into the pane. */
const NOT_PASSED = new Set(["TMUX", "TMUX_PANE", "COLUMNS", "LINES", "TERM_PROGRAM", "TERM_PROGRAM_VERSION"]);

/** Identity of a tmux pane. */
interface TmuxPane {
  /**
   * The server's socket path, always recorded by this version (the caller's own server's too);
   * null only in records written before: then tmux's default resolution ($TMUX, else the default
   * socket) is used.
   */
  socket: string | null;
  pane_id: string;
  /** The process tmux started in the pane (Codex), when recorded. */
  pid?: number | null;
  /** What codexctl created for this pane, and must close with it. */
  created: "pane" | "window" | "session";
  target: string;
}

/** Options of {@linkcode TmuxSubstrate}. */
export interface TmuxOptions {
  /** The caller's environment (decides inside-tmux vs private server). */
  env: { get(key: string): string | undefined };
  /** Directory for the private server's socket. */
  stateDir: string;
}

/** What tmux said when its server could not be reached, for messages. */
type Unreachable = { unreachable: string };

/** Runs tmux; never through a shell. */
async function tmux(
  socket: string | null,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("tmux", {
      args: socket ? ["-S", socket, ...args] : args,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw environmentError("NO_TMUX", "tmux is not installed", {
        suggestion: "install tmux (apt install tmux / brew install tmux) or run codexctl inside herdr",
      });
    }
    throw err;
  }
  return {
    ok: out.success,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  };
}

/** True when a tmux binary is installed. */
export async function tmuxAvailable(): Promise<boolean> {
  try {
    return (await new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** The socket of codexctl's private tmux server (used outside $TMUX), under the state directory. */
export function privateSocketPath(stateDir: string): string {
  return join(stateDir, "tmux", "codexctl.sock");
}

/**
 * The command that shows a pane of codexctl's private tmux server in a terminal (`tmux -S … attach
 * -t %N`); null for a pane elsewhere (the caller's own tmux already shows it).
 */
export function attachCommand(pane: unknown, stateDir: string): string | null {
  const p = pane as Partial<TmuxPane> | null;
  if (!p || typeof p.socket !== "string" || typeof p.pane_id !== "string") return null;
  if (p.socket !== privateSocketPath(stateDir)) return null;
  return `tmux -S ${quoteWord(p.socket)} attach -t ${quoteWord(p.pane_id)}`;
}

/** The tmux substrate. */
export class TmuxSubstrate implements Substrate {
  readonly name = "tmux" as const;
  readonly can: Readonly<Capabilities> = PANE_CAPABILITIES;
  readonly #inside: boolean;
  readonly #callerPane: string | null;
  readonly #socket: string;
  readonly #stateDir: string;

  readonly #tmuxEnv: string | undefined;

  constructor(options: TmuxOptions) {
    this.#stateDir = options.stateDir;
    this.#tmuxEnv = options.env.get("TMUX");
    this.#inside = Boolean(this.#tmuxEnv);
    this.#callerPane = options.env.get("TMUX_PANE") ?? null;
    this.#socket = privateSocketPath(options.stateDir);
  }

  async start(request: StartRequest): Promise<Handle> {
    // `env -i` gives the pane exactly codexctl's environment (nothing leaks in from the tmux server),
    // read from a 0600 file: no value ever goes on a command line (issue 15 item 2)
    const vars = Object.fromEntries(
      Object.entries(request.env).filter(([k]) => !NOT_PASSED.has(k) && !k.includes("=")),
    );
    const envFile = await writeEnvFile(this.#stateDir, vars, request.argv);
    let opened;
    try {
      opened = await this.#open(request, envFile.argv);
    } catch (err) {
      await envFile.discard();
      throw err;
    }
    const { socket, created, res } = opened;
    if (!res.ok) {
      await envFile.discard();
      throw environmentError(
        "SPAWN_FAILED",
        `tmux could not open a pane: ${res.err.trim() || "unknown error"}`,
        { retryable: true },
      );
    }
    const [paneId, pid] = res.out.trim().split("\t");
    await tmux(socket, ["set-option", "-p", "-t", paneId, "remain-on-exit", "on"]);
    if (created !== "pane") await tmux(socket, ["set-option", "-w", "-t", paneId, "automatic-rename", "off"]);
    const pane: TmuxPane = { socket, pane_id: paneId, pid: Number(pid) || null, created, target: paneId };
    return { ...pane };
  }

  /** Opens the pane running `argv` where `request.mode` says; tmux's answer. */
  async #open(request: StartRequest, argv: string[]) {
    const format = ["-P", "-F", "#{pane_id}\t#{pane_pid}"];
    let socket: string | null;
    let created: TmuxPane["created"];
    let res: { ok: boolean; out: string; err: string };
    if (this.#inside) {
      socket = await this.#callerSocket();
      if (request.mode === "pane") {
        created = "pane";
        res = await tmux(socket, [
          "split-window",
          "-h",
          "-d",
          ...(this.#callerPane ? ["-t", this.#callerPane] : []),
          ...format,
          "-c",
          request.cwd,
          ...argv,
        ]);
      } else if (request.mode === "tab") {
        created = "window";
        res = await tmux(socket, [
          "new-window",
          "-d",
          "-n",
          request.label,
          ...format,
          "-c",
          request.cwd,
          ...argv,
        ]);
      } else {
        created = "session";
        res = await tmux(socket, [
          "new-session",
          "-d",
          "-s",
          await this.#freeSessionName(socket, request.label),
          "-x",
          "200",
          "-y",
          "50",
          ...format,
          "-c",
          request.cwd,
          ...argv,
        ]);
      }
    } else {
      socket = this.#socket;
      await ensureDir(join(this.#socket, ".."));
      created = "session";
      res = await tmux(socket, [
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        await this.#freeSessionName(socket, request.label),
        "-x",
        "200",
        "-y",
        "50",
        ...format,
        "-c",
        request.cwd,
        ...argv,
      ]);
    }
    return { socket, created, res };
  }

  /**
   * The socket of the server the caller runs in: what that server says (`#{socket_path}`), else
   * the path in `$TMUX` (`<socket>,<pid>,<session>`); null only when neither is known.
   */
  async #callerSocket(): Promise<string | null> {
    const said = await tmux(null, ["display-message", "-p", "#{socket_path}"]);
    const path = said.ok ? said.out.trim() : "";
    if (path.startsWith("/")) return path;
    const fromEnv = (this.#tmuxEnv ?? "").split(",")[0];
    return fromEnv.startsWith("/") ? fromEnv : null;
  }

  async #freeSessionName(socket: string | null, label: string): Promise<string> {
    const base = label.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40) || "codex";
    const list = await tmux(socket, ["list-sessions", "-F", "#{session_name}"]);
    const taken = new Set(list.ok ? list.out.split("\n").filter(Boolean) : []);
    if (!taken.has(base)) return base;
    for (let n = 2;; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  /**
   * The pane's facts; null when the server answers without it (the pane is gone); `unreachable`
   * when the server cannot be asked (no server at the socket, no permission…), which says nothing
   * about the pane. (`display-message -t %N` silently falls back to another pane when %N no longer
   * exists, so panes are looked up in the full list instead.)
   */
  async #info(
    p: TmuxPane,
  ): Promise<{ dead: boolean; pid: number | null; session: string } | Unreachable | null> {
    const list = await tmux(p.socket, [
      "list-panes",
      "-a",
      "-F",
      "#{pane_id}\t#{pane_dead}\t#{pane_pid}\t#{session_name}",
    ]);
    if (!list.ok) return { unreachable: list.err.trim() || "tmux could not list its panes" };
    for (const line of list.out.split("\n")) {
      const [id, dead, pid, session] = line.split("\t");
      if (id === p.pane_id) return { dead: dead === "1", pid: Number(pid) || null, session };
    }
    return null;
  }

  async read(handle: Handle, options: ReadOptions = {}): Promise<Reading> {
    const p = handle as unknown as TmuxPane;
    const info = await this.#info(p);
    if (!info) return goneReading();
    if ("unreachable" in info) {
      // the server says nothing: only Codex's own process (recorded at start) can tell
      const pid = typeof p.pid === "number" ? p.pid : null;
      return {
        ...goneReading(),
        pid,
        unreachable: `${serverName(p)}: ${info.unreachable}`,
        process: pid === null ? null : { alive: pidAlive(pid), pid },
      };
    }
    const screen = await tmux(p.socket, ["capture-pane", "-p", "-t", p.pane_id]);
    const recent = options.recent
      ? await tmux(p.socket, ["capture-pane", "-p", "-t", p.pane_id, "-S", "-240"])
      : null;
    return {
      alive: !info.dead,
      pid: info.pid,
      status: null,
      screen: trim(screen.out),
      recent: recent ? trim(recent.out) : null,
    };
  }

  async deliver(handle: Handle, input: Input): Promise<Delivered> {
    if (input.kind === "text") await this.#type(handle as unknown as TmuxPane, input.text);
    else if (input.kind === "keys") await this.#press(handle as unknown as TmuxPane, input.keys);
    else throw cannotDeliver(this.name, input);
    return { kind: "typed" };
  }

  async #type(p: TmuxPane, text: string): Promise<void> {
    const res = await tmux(p.socket, ["send-keys", "-t", p.pane_id, "-l", text]);
    if (!res.ok) {
      throw environmentError("SEND_FAILED", `tmux could not type into ${p.pane_id}: ${res.err.trim()}`, {
        retryable: true,
      });
    }
  }

  async #press(p: TmuxPane, keys: Key[]): Promise<void> {
    for (const key of keys) {
      const res = await tmux(p.socket, ["send-keys", "-t", p.pane_id, KEYS[key]]);
      if (!res.ok) {
        throw environmentError(
          "SEND_FAILED",
          `tmux could not press ${key} in ${p.pane_id}: ${res.err.trim()}`,
          { retryable: true },
        );
      }
      if (keys.length > 1) await new Promise((r) => setTimeout(r, 120));
    }
  }

  async stop(handle: Handle): Promise<Stopped> {
    const p = handle as unknown as TmuxPane;
    const info = await this.#info(p);
    if (!info) return "already gone";
    if ("unreachable" in info) {
      // only the process itself can prove Codex is gone when its server cannot be asked
      if (typeof p.pid === "number" && !pidAlive(p.pid)) return "already gone";
      throw environmentError(
        "TMUX_UNREACHABLE",
        `cannot reach ${serverName(p)} to close pane ${p.pane_id} (${info.unreachable}); Codex${
          typeof p.pid === "number" ? ` (pid ${p.pid}) still runs` : " may still run"
        } there, so nothing was closed and the session is kept`,
        {
          suggestion: `make that server reachable and end again${
            typeof p.pid === "number" ? `, or stop Codex (kill ${p.pid}) and end again` : ""
          }; codexctl end --force deletes the session's state without closing the pane`,
        },
      );
    }
    if (p.created === "session") {
      await tmux(p.socket, ["kill-session", "-t", `=${info.session}`]);
    } else if (p.created === "window") {
      await tmux(p.socket, ["kill-window", "-t", p.pane_id]);
    } else {
      await tmux(p.socket, ["kill-pane", "-t", p.pane_id]);
    }
    return "closed";
  }
}

/** How a pane's server is named in messages. */
function serverName(p: TmuxPane): string {
  return p.socket ? `the tmux server at ${p.socket}` : "the default tmux server";
}

function trim(text: string): string {
  return text.split("\n").map((l) => l.replace(/\s+$/, "")).join("\n").replace(/\n+$/, "") + "\n";
}
