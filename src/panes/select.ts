/**
 * Choosing the substrate for a new session (`--via`, else herdr when reachable, else tmux) and
 * re-creating it for an existing one.
 *
 * @module
 */
import { join } from "node:path";
import { environmentError } from "../errors.ts";
import type { Substrate } from "./substrate.ts";
import { tmuxAvailable, TmuxSubstrate } from "./tmux.ts";

/** What a substrate needs from the caller. */
export interface SubstrateContext {
  env: { get(key: string): string | undefined };
  /** codexctl's state root. */
  stateDir: string;
}

/** A factory for the herdr substrate, registered by the herdr module when it is present. */
export interface HerdrFactory {
  reachable(ctx: SubstrateContext): Promise<boolean>;
  create(ctx: SubstrateContext): Substrate;
}

let herdrFactory: HerdrFactory | null = null;

/** Lets the herdr substrate plug itself in (keeps this module free of herdr imports). */
export function registerHerdr(factory: HerdrFactory): void {
  herdrFactory = factory;
}

/** The substrate for a new session. */
export async function chooseSubstrate(
  via: "herdr" | "tmux" | undefined,
  ctx: SubstrateContext,
): Promise<Substrate> {
  if (via === "herdr" || (via === undefined && herdrFactory && await herdrFactory.reachable(ctx))) {
    if (!herdrFactory || (via === "herdr" && !(await herdrFactory.reachable(ctx)))) {
      throw environmentError("HERDR_DOWN", "herdr is not reachable (no herdr server socket answered)", {
        retryable: true,
        suggestion: "start herdr, or use --via tmux",
      });
    }
    return herdrFactory.create(ctx);
  }
  if (await tmuxAvailable()) return new TmuxSubstrate({ env: ctx.env, stateDir: join(ctx.stateDir) });
  throw environmentError("NO_SUBSTRATE", "neither herdr nor tmux is available to run Codex in", {
    suggestion: "install tmux (apt install tmux / brew install tmux) or start herdr",
  });
}

/** The substrate an existing session lives in. */
export function substrateByName(name: "herdr" | "tmux", ctx: SubstrateContext): Substrate {
  if (name === "herdr") {
    if (!herdrFactory) {
      throw environmentError("HERDR_DOWN", "this session runs in herdr, which this build cannot reach", {
        retryable: true,
      });
    }
    return herdrFactory.create(ctx);
  }
  return new TmuxSubstrate({ env: ctx.env, stateDir: ctx.stateDir });
}
