/**
 * Doctor check `codex_daemon`: the Codex daemon's control socket (0.169+ TUIs run their agent in a
 * shared background daemon), whether it answers, and its version.
 *
 * @module
 */
import { daemonDoctorCheck } from "../codex/daemon/doctor.ts";
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
