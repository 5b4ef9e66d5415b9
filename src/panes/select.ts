/**
 * Choosing the substrate for a new session (`--via`, else herdr when reachable, else tmux) and
 * re-creating it for an existing one.
 *
 * @module
 */
import { environmentError } from "../errors.ts";
import type { Substrate } from "./substrate.ts";
import { herdrReachable, HerdrSubstrate } from "./herdr.ts";
import { tmuxAvailable, TmuxSubstrate } from "./tmux.ts";

/** What a substrate needs from the caller. */
export interface SubstrateContext {
  env: { get(key: string): string | undefined };
  /** codexctl's state root. */
  stateDir: string;
}

/** The substrate for a new session. */
export async function chooseSubstrate(
  via: "herdr" | "tmux" | undefined,
  ctx: SubstrateContext,
): Promise<Substrate> {
  if (via === "herdr") {
    if (!(await herdrReachable(ctx.env))) {
      throw environmentError(
        "HERDR_DOWN",
        "herdr is not reachable (no herdr server answered on its socket)",
        {
          retryable: true,
          suggestion: "start herdr (its TUI starts the server), check HERDR_SOCKET_PATH, or use --via tmux",
        },
      );
    }
    return new HerdrSubstrate(ctx.env);
  }
  if (via === undefined && await herdrReachable(ctx.env)) return new HerdrSubstrate(ctx.env);
  if (await tmuxAvailable()) return new TmuxSubstrate({ env: ctx.env, stateDir: ctx.stateDir });
  throw environmentError("NO_SUBSTRATE", "neither herdr nor tmux is available to run Codex in", {
    suggestion: "install tmux (apt install tmux / brew install tmux) or start herdr",
  });
}

/** The substrate an existing session lives in. */
export function substrateByName(name: "herdr" | "tmux", ctx: SubstrateContext): Substrate {
  return name === "herdr"
    ? new HerdrSubstrate(ctx.env)
    : new TmuxSubstrate({ env: ctx.env, stateDir: ctx.stateDir });
}
