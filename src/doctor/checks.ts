/**
 * The checks `codexctl doctor` runs, in report order. To add a check: write a module exporting a
 * {@linkcode DoctorCheck} next to `herdr_check.ts` and append it here.
 *
 * @module
 */
import type { DoctorCheck } from "./check.ts";
import { herdrCheck } from "./herdr_check.ts";
import { daemonCheck } from "./daemon_check.ts";
import { codexCheck, stateCheck, tmuxCheck } from "./tools_check.ts";
import { runtimeCheck } from "./runtime_check.ts";

/** Every check. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  runtimeCheck,
  codexCheck,
  daemonCheck,
  herdrCheck,
  tmuxCheck,
  stateCheck,
];
