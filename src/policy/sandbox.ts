/**
 * The sandbox a headless run gets, decided once: codexctl's default is `workspace-write` with
 * `approval_policy=never` (hands-off and safe: nobody is there to approve an escalation). Running
 * outside the sandbox happens only when the caller asks — `--sandbox danger-full-access`, or a
 * bypass passed through `--codex-arg` (`--dangerously-bypass-approvals-and-sandbox`, `--yolo`, a
 * `-c sandbox_mode=danger-full-access` override) — and every such run is written to the audit log
 * ({@linkcode auditUnsandboxed}). A sandbox given through `--codex-arg` (`-s`, `--sandbox`) is
 * refused: it would be a second, conflicting one. The decision is pure; only the audit writes.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import type { SandboxMode } from "../session/exec.ts";
import type { Store } from "../store/store.ts";
import { auditSandbox } from "./audit.ts";

/** What the caller asked for, decided. */
export interface SandboxDecision {
  mode: SandboxMode;
  /** Codex's approvals-and-sandbox bypass was passed through `--codex-arg`. */
  bypass: boolean;
  /** The run leaves Codex's sandbox: it must be audited. */
  unsandboxed: boolean;
  /** The flags that asked for it, as given. */
  flags: string[];
}

const BYPASS = new Set(["--dangerously-bypass-approvals-and-sandbox", "--yolo"]);

/** A `-c`/`--config` value that sets the sandbox mode (`sandbox_mode=…`), with its mode. */
function configSandbox(value: string): string | null {
  const m = value.match(/^\s*sandbox_mode\s*=\s*["']?([a-z-]+)["']?\s*$/);
  return m ? m[1] : null;
}

/**
 * Decides the sandbox of a headless run from `--sandbox` (default `workspace-write`) and the
 * `--codex-arg` list; `usage/BAD_FLAG` for a sandbox passed through `--codex-arg` and for
 * `--ephemeral` (a run without a rollout cannot be followed or resumed).
 */
export function decideSandbox(sandbox: SandboxMode | undefined, codexArgs: string[]): SandboxDecision {
  const mode = sandbox ?? "workspace-write";
  const flags: string[] = sandbox === "danger-full-access" ? ["--sandbox danger-full-access"] : [];
  let bypass = false;
  let configured = false;
  for (let i = 0; i < codexArgs.length; i++) {
    const arg = codexArgs[i];
    const name = arg.split("=")[0];
    if (arg === "-s" || name === "--sandbox" || /^-s[a-z]/.test(arg)) {
      throw usageError(
        "BAD_FLAG",
        `--codex-arg ${
          arg.slice(0, 40)
        }: give the sandbox with --sandbox read-only|workspace-write|danger-full-access`,
        "run: codexctl start --help",
      );
    }
    if (name === "--ephemeral") {
      throw usageError(
        "BAD_FLAG",
        "--codex-arg --ephemeral: a headless run must keep its rollout (to be followed and resumed)",
        "leave --ephemeral out",
      );
    }
    if (BYPASS.has(name)) {
      bypass = true;
      flags.push(`--codex-arg=${arg}`);
    }
    const config = arg === "-c" || arg === "--config"
      ? codexArgs[i + 1] ?? ""
      : arg.startsWith("--config=")
      ? arg.slice(9)
      : arg.startsWith("-c") && arg.length > 2
      ? arg.slice(2).replace(/^=/, "")
      : null;
    if (config !== null && configSandbox(config) !== null) {
      if (configSandbox(config) === "danger-full-access") {
        configured = true;
        flags.push(`--codex-arg=${arg === "-c" || arg === "--config" ? `${arg} ${config}` : arg}`);
      }
    }
  }
  return {
    mode,
    bypass,
    unsandboxed: mode === "danger-full-access" || bypass || configured,
    flags,
  };
}

/**
 * Writes a run that leaves Codex's sandbox to the audit log (nothing for a sandboxed one); called
 * once the session exists, before Codex starts.
 */
export async function auditUnsandboxed(
  store: Store,
  decision: SandboxDecision,
  run: { session: string; cwd: string },
): Promise<void> {
  if (!decision.unsandboxed) return;
  await auditSandbox(store, {
    event: "sandbox",
    actor: "caller",
    session: run.session,
    cwd: run.cwd,
    sandbox: decision.bypass ? "bypass" : "danger-full-access",
    flags: decision.flags,
  });
}
