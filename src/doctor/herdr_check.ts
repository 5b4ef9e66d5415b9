/**
 * Doctor check `herdr`: which socket codexctl would use (and every path it probed), whether herdr
 * answers there, its version, protocol and id flavor, and, inside a herdr pane, whether the
 * inherited `HERDR_PANE_ID` still names a live pane.
 *
 * herdr is optional (codexctl also drives Codex in tmux or headless), so no socket outside herdr is
 * `absent`, not a failure.
 *
 * @module
 */
import { CodexctlError } from "../errors.ts";
import { HerdrClient } from "../herdr/client.ts";
import { isLegacyPaneId } from "../herdr/ids.ts";
import { serverInfo, TESTED_PROTOCOLS } from "../herdr/server_info.ts";
import { discoverSocket } from "../herdr/socket_path.ts";
import { type CheckResult, type DoctorCheck, type DoctorContext, errorDetails } from "./check.ts";

type Outcome = Omit<CheckResult, "name">;

async function probe(ctx: DoctorContext): Promise<Outcome> {
  const discovery = discoverSocket(ctx.env);
  const insideHerdr = ctx.env.get("HERDR_ENV") === "1";
  const callerPane = ctx.env.get("HERDR_PANE_ID") || null;
  const details: Record<string, unknown> = {
    socket: discovery.path,
    socket_source: discovery.source,
    socket_found: discovery.found,
    candidates: discovery.candidates,
    inside_herdr: insideHerdr,
    caller_pane_id: callerPane,
    reachable: false,
  };
  if (!discovery.found && !insideHerdr) {
    return {
      status: "absent",
      summary: "herdr is not running here (no socket found)",
      details,
      suggestion:
        "only needed to run Codex in herdr panes: start herdr, or set HERDR_SOCKET_PATH to its socket",
    };
  }
  const client = new HerdrClient({ socketPath: discovery.path, timeoutMs: ctx.timeoutMs });
  let info;
  try {
    info = serverInfo(await client.ping());
  } catch (err) {
    details.error = errorDetails(err);
    return {
      status: "fail",
      summary: `herdr does not answer at ${discovery.path}`,
      details,
      suggestion: err instanceof CodexctlError && err.suggestion
        ? err.suggestion
        : "check that herdr is running and that this user may open its socket",
    };
  }
  Object.assign(details, {
    reachable: true,
    version: info.version,
    protocol: info.protocol,
    flavor: info.flavor,
    tested_protocol: info.tested,
    capabilities: info.capabilities,
  });
  const where = `herdr ${info.version} (protocol ${info.protocol}) at ${discovery.path}`;
  if (callerPane) {
    try {
      details.caller_pane = (await client.paneGet(callerPane)).pane_id;
    } catch (err) {
      details.caller_pane = null;
      details.caller_pane_error = errorDetails(err);
      return {
        status: "warn",
        summary: `${where}, but HERDR_PANE_ID=${callerPane} is not a live pane`,
        details,
        suggestion: isLegacyPaneId(callerPane) && info.flavor === "current"
          ? "HERDR_PANE_ID comes from an older herdr session; open a new herdr pane"
          : "HERDR_PANE_ID is stale (inherited from a closed pane); open a new herdr pane",
      };
    }
  }
  if (info.flavor === "legacy") {
    return {
      status: "warn",
      summary: `${where}: legacy ids (herdr ≤0.6), panes are tracked by terminal id`,
      details,
      suggestion: "upgrade herdr to 0.8 or later",
    };
  }
  if (!info.tested) {
    return {
      status: "warn",
      summary: `${where}: protocol ${info.protocol} is untested (codexctl knows ${
        TESTED_PROTOCOLS.join(", ")
      })`,
      details,
      suggestion: "it will probably work; report problems with this herdr version",
    };
  }
  return { status: "ok", summary: where, details, suggestion: null };
}

/** The herdr check. */
export const herdrCheck: DoctorCheck = {
  name: "herdr",
  description: "herdr's socket: which path, reachable, version, protocol and id flavor",
  run: probe,
};
