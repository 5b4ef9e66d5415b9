/**
 * What a herdr server is, from its `ping`: version, protocol number, and the flavor that decides
 * how ids behave. herdr ≤0.6 ("legacy") used positional pane ids that renumber; ≥0.7 ("current")
 * uses stable ids. Protocols codexctl was built against: 20 (0.8.2) and 22 (0.9.x).
 *
 * @module
 */
import type { Pong } from "./protocol.ts";

/** How pane ids behave on a server. */
export type HerdrFlavor = "current" | "legacy";

/** Protocol numbers codexctl is tested against. */
export const TESTED_PROTOCOLS: readonly number[] = [20, 22];

/** The first protocol with stable ids (herdr 0.7.0). */
export const FIRST_STABLE_ID_PROTOCOL = 14;

/** A server's identity. */
export interface ServerInfo {
  version: string;
  protocol: number;
  flavor: HerdrFlavor;
  /** True when `protocol` is one codexctl is tested against. */
  tested: boolean;
  capabilities: { live_handoff: boolean; detached_server_daemon?: boolean } | null;
}

/** Parses `major.minor` of a version string; null when it is not one. */
function majorMinor(version: string): [number, number] | null {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** The flavor of a server: legacy below 0.7.0 (by version, else by protocol number). */
export function flavorOf(version: string, protocol: number): HerdrFlavor {
  const mm = majorMinor(version);
  if (mm) return mm[0] === 0 && mm[1] < 7 ? "legacy" : "current";
  return protocol < FIRST_STABLE_ID_PROTOCOL ? "legacy" : "current";
}

/** Builds {@linkcode ServerInfo} from a pong. */
export function serverInfo(pong: Pong): ServerInfo {
  return {
    version: pong.version,
    protocol: pong.protocol,
    flavor: flavorOf(pong.version, pong.protocol),
    tested: TESTED_PROTOCOLS.includes(pong.protocol),
    capabilities: pong.capabilities ?? null,
  };
}
