/**
 * codexctl entry point. `codexctl hook <event>` goes to the lean hook module, everything else to
 * the CLI (`cli/run.ts`) — both loaded on demand (see `lazy.ts`), so a Claude Code hook, which runs
 * after every tool call, never loads zod, the verbs or any `node:` module. The hidden mode
 * `codexctl __exec-supervise <run dir>` is the supervisor of a headless run
 * (`substrate/exec_supervisor.ts`), and `codexctl __review-inline <spec>` a review inside an
 * existing thread (`codex/app_server/inline_review.ts`) run as a headless run's Codex — both started
 * by codexctl itself, never by a person.
 *
 * @module
 */
import type { Env } from "./env.ts";

/** The hidden argument that runs a headless run's supervisor. */
export const SUPERVISE = "__exec-supervise";

/** The hidden argument that runs a review inside an existing thread (`codex/app_server/inline_review.ts`). */
export const REVIEW_INLINE = "__review-inline";

/** Runs codexctl with `argv` and returns the exit code; all output goes to stdout/stderr. */
export async function run(
  argv: string[],
  env: Env = Deno.env,
  isTerminal: boolean = Deno.stdout.isTerminal(),
): Promise<number> {
  if (argv[0] === "hook" && !argv.includes("--help") && !argv.includes("-h")) {
    const hook: typeof import("./hook/run.ts") = await import(new URL("./hook/run.ts", import.meta.url).href);
    return await hook.runHook(argv.slice(1), env);
  }
  if (argv[0] === SUPERVISE && argv.length === 2) {
    const supervisor: typeof import("./substrate/exec_supervisor.ts") = await import(
      new URL("./substrate/exec_supervisor.ts", import.meta.url).href
    );
    return await supervisor.superviseRun(argv[1]);
  }
  if (argv[0] === REVIEW_INLINE && argv.length === 2) {
    const inline: typeof import("./codex/app_server/inline_review.ts") = await import(
      new URL("./codex/app_server/inline_review.ts", import.meta.url).href
    );
    return await inline.inlineReviewMain(argv[1]);
  }
  const cli: typeof import("./cli/run.ts") = await import(new URL("./cli/run.ts", import.meta.url).href);
  return await cli.run(argv, env, isTerminal);
}

if (import.meta.main) {
  const code = await run(Deno.args);
  Deno.exit(code);
}
