/**
 * codexctl entry point. `codexctl hook <event>` goes to the lean hook module, everything else to
 * the CLI (`cli/run.ts`) — both loaded on demand (see `lazy.ts`), so a Claude Code hook, which runs
 * after every tool call, never loads zod, the verbs or any `node:` module.
 *
 * @module
 */
import type { Env } from "./cli/verb.ts";
import { lazyImport } from "./lazy.ts";

export { toCodexctlError } from "./cli/failure.ts";

/** Runs codexctl with `argv` and returns the exit code; all output goes to stdout/stderr. */
export async function run(
  argv: string[],
  env: Env = Deno.env,
  isTerminal: boolean = Deno.stdout.isTerminal(),
): Promise<number> {
  if (argv[0] === "hook" && !argv.includes("--help") && !argv.includes("-h")) {
    const { runHook } = await lazyImport<typeof import("./hook/run.ts")>("hook/run.ts");
    return await runHook(argv.slice(1), env);
  }
  const cli = await lazyImport<typeof import("./cli/run.ts")>("cli/run.ts");
  return await cli.run(argv, env, isTerminal);
}

if (import.meta.main) {
  const code = await run(Deno.args);
  Deno.exit(code);
}
