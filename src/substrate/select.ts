/**
 * Choosing the substrate for a new session (`--via`, else herdr when reachable, else tmux) and
 * re-creating it for an existing one from the name its record carries. {@linkcode SUBSTRATES} is the
 * one table of substrates a session can live in: a new way to run Codex (e.g. `exec`) is one entry.
 *
 * @module
 */
import { environmentError, usageError } from "../errors.ts";
import type { Substrate, SubstrateName } from "./substrate.ts";
import { herdrReachable, HerdrSubstrate } from "./herdr.ts";
import { tmuxAvailable, TmuxSubstrate } from "./tmux.ts";
import { ExecSubstrate } from "./exec.ts";

/** What a substrate needs from the caller. */
export interface SubstrateContext {
  env: { get(key: string): string | undefined; toObject?(): Record<string, string> };
  /** codexctl's state root. */
  stateDir: string;
}

/**
 * The substrates a session record can name, each made from the caller's context. A name missing
 * here (a record written by a newer codexctl) is refused by
 * {@linkcode substrateFor} with a clear error.
 */
export const SUBSTRATES: Partial<Record<SubstrateName, (ctx: SubstrateContext) => Substrate>> = {
  tmux: (ctx) => new TmuxSubstrate({ env: ctx.env, stateDir: ctx.stateDir }),
  herdr: (ctx) => new HerdrSubstrate(ctx.env),
  exec: (ctx) => new ExecSubstrate(ctx),
};

/** The substrate for a new session: `exec` runs Codex headless; a pane is herdr's or tmux's. */
export async function chooseSubstrate(via: "exec", ctx: SubstrateContext): Promise<ExecSubstrate>;
export async function chooseSubstrate(
  via: "herdr" | "tmux" | undefined,
  ctx: SubstrateContext,
): Promise<TmuxSubstrate | HerdrSubstrate>;
export async function chooseSubstrate(
  via: "herdr" | "tmux" | "exec" | undefined,
  ctx: SubstrateContext,
): Promise<Substrate> {
  // a headless run needs no terminal multiplexer
  if (via === "exec") return new ExecSubstrate(ctx);
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

/** The substrate named `name`, or null when this codexctl has none by that name. */
export function substrateOrNull(name: string, ctx: SubstrateContext): Substrate | null {
  const make = SUBSTRATES[name as SubstrateName];
  return make ? make(ctx) : null;
}

/**
 * The substrate session `session` lives in (`name` from its record); `usage/BAD_SESSION` (exit 2)
 * when this codexctl cannot drive that kind of session.
 */
export function substrateFor(name: string, ctx: SubstrateContext, session: string): Substrate {
  const substrate = substrateOrNull(name, ctx);
  if (substrate) return substrate;
  throw usageError(
    "BAD_SESSION",
    `${session} runs in ${name === "exec" ? "a headless codex exec run" : `"${name.slice(0, 40)}"`}, ` +
      "which this codexctl cannot drive",
    `drive it with the codexctl that started it, or end it: codexctl end --session ${session}`,
  );
}
