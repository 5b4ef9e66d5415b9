/**
 * Modules codexctl loads on demand, each imported as `import(new URL("./x.ts", import.meta.url).href)`.
 * The computed specifier is on purpose: for an analyzable `import("./x.ts")`, `deno run` builds x's
 * whole module graph at start-up even when the branch never runs — about 8 ms of CPU on the hook's
 * hot path. `deno compile` cannot see a computed specifier, so scripts/compile.ts passes each module
 * listed here as `--include`, and tests/hook_lean_test.ts keeps every computed import in src/ on
 * this list. (No helper module: on the hook's hot path every module loaded costs about 0.3 ms.)
 *
 * @module
 */

/** Every module loaded on demand, as a path under `src/`. */
export const LAZY_MODULES = [
  "cli/run.ts",
  "hook/run.ts",
  "hook/deliver.ts",
  "hook/stop_rules.ts",
  "hook/log.ts",
  "hook/review_stop.ts",
  "codex/app_server/inline_review.ts",
  "fleet/follow_repair.ts",
  "substrate/exec_supervisor.ts",
  "hook/wake.ts",
  "fleet/lease.ts",
  "codex/daemon/evidence.ts",
  "cli/watch_one.ts",
  "watch/fleet_watch.ts",
  "policy/config.ts",
  "cli/start.ts",
  "cli/send.ts",
  "cli/reply.ts",
  "cli/await.ts",
  "cli/status.ts",
  "cli/watch.ts",
  "cli/end.ts",
  "cli/review.ts",
  "cli/sessions.ts",
  "cli/threads.ts",
  "cli/tail.ts",
  "cli/follow.ts",
  "cli/gate.ts",
  "cli/doctor.ts",
  "cli/schema.ts",
  "cli/hook.ts",
] as const;
