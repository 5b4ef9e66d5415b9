/**
 * Doctor check `codex_daemon`: the Codex daemon's control socket (0.169+ TUIs run their agent in a
 * shared background daemon), whether it answers, and its version. A missing daemon is reported as
 * absent (the TUI starts one when it runs), an unreadable one as a failure.
 *
 * @module
 */
import { CodexctlError } from "../errors.ts";
import { DaemonClient } from "../codex/daemon/client.ts";
import { DAEMON_ERROR_CODES } from "../codex/daemon/errors.ts";
import { controlSocketPath, inspectSocket, resolveCodexHome } from "../codex/daemon/socket_path.ts";
import type { DoctorCheck } from "./check.ts";

/** The check. */
export const daemonCheck: DoctorCheck = {
  name: "codex_daemon",
  description: "the Codex daemon's control socket ($CODEX_HOME/app-server-control/app-server-control.sock)",
  async run(ctx) {
    const r = await daemonDoctorCheck(ctx.env, { timeoutMs: ctx.timeoutMs });
    const { name: _name, status, summary, suggestion, ...details } = r;
    // no daemon is normal when no 0.169+ TUI runs: report it as absent, not as a problem
    const absent = status === "warn" && !r.socket_exists;
    return { status: absent ? "absent" : status, summary, details, suggestion };
  },
};

/** The result of {@linkcode daemonDoctorCheck}. */
export interface DaemonDoctorCheck {
  name: "codex_daemon";
  /** `ok`: a daemon answered; `warn`: none runs; `fail`: something answers but not usably. */
  status: "ok" | "warn" | "fail";
  summary: string;
  codex_home: string | null;
  socket_path: string | null;
  /** Where the socket symlink points (`/tmp/codex-daemon-<uid>/…`), when it resolves. */
  socket_target: string | null;
  socket_exists: boolean;
  reachable: boolean;
  /** The daemon's Codex version, from its user agent. */
  version: string | null;
  user_agent: string | null;
  error: { code: string; message: string } | null;
  suggestion: string | null;
}

/**
 * Checks the daemon of the CODEX_HOME the environment selects. Never throws; bounded by `timeoutMs`
 * (default 3000 ms).
 */
export async function daemonDoctorCheck(
  env: { get(key: string): string | undefined },
  options: { timeoutMs?: number } = {},
): Promise<DaemonDoctorCheck> {
  let codexHome: string;
  try {
    codexHome = resolveCodexHome(env);
  } catch (err) {
    const e = err as CodexctlError;
    return {
      name: "codex_daemon",
      status: "fail",
      summary: e.message,
      codex_home: null,
      socket_path: null,
      socket_target: null,
      socket_exists: false,
      reachable: false,
      version: null,
      user_agent: null,
      error: { code: e.code ?? "NO_CODEX_HOME", message: e.message },
      suggestion: e.suggestion ?? null,
    };
  }
  const socketPath = controlSocketPath(codexHome);
  const where = await inspectSocket(socketPath);
  const base = {
    name: "codex_daemon" as const,
    codex_home: codexHome,
    socket_path: socketPath,
    socket_target: where.target,
    socket_exists: where.exists,
  };
  let client: DaemonClient | null = null;
  try {
    client = await DaemonClient.connect(socketPath, { timeoutMs: options.timeoutMs ?? 3000 });
    return {
      ...base,
      status: "ok",
      summary: `Codex daemon ${client.version ?? "(unknown version)"} answers on ${socketPath}`,
      reachable: true,
      version: client.version,
      user_agent: client.info.userAgent ?? null,
      error: null,
      suggestion: null,
    };
  } catch (err) {
    const e = err instanceof CodexctlError ? err : null;
    const code = e?.code ?? DAEMON_ERROR_CODES.protocol;
    const absent = code === DAEMON_ERROR_CODES.down || code === DAEMON_ERROR_CODES.refused;
    return {
      ...base,
      status: absent ? "warn" : "fail",
      summary: absent
        ? `no Codex daemon runs for ${codexHome} (the 0.169+ TUI starts one; live status and reply --thread need it)`
        : `the Codex daemon socket ${socketPath} does not answer usably`,
      reachable: false,
      version: null,
      user_agent: null,
      error: { code, message: e?.message ?? String(err) },
      suggestion: e?.suggestion ?? null,
    };
  } finally {
    await client?.close();
  }
}
