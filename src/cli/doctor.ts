/**
 * `codexctl doctor`: checks what codexctl depends on and reports each finding. It always exits 0
 * with an ok envelope (the findings are the result); only bad flags make it fail.
 *
 * @module
 */
import { z } from "zod";
import { DOCTOR_CHECKS } from "../doctor/checks.ts";
import { renderDoctor, runDoctor } from "../doctor/run.ts";
import { writeStdout } from "../output.ts";
import { defineVerb, flag } from "./verb.ts";

const NAMES = DOCTOR_CHECKS.map((c) => c.name);

/** The `doctor` verb. */
export const doctorVerb = defineVerb({
  name: "doctor",
  summary: "Check what codexctl depends on (herdr, …) and say what to fix",
  usage: "doctor [--check NAME]... [--timeout SEC]",
  description: `
Runs every check (or only the named ones) and reports each as ok, warn (works, but something is
off), fail (expected but broken) or absent (not there, fine unless you need it), with details
and a suggestion. Exits 0 whatever it finds; result.healthy is false when a check failed.

Checks: ${DOCTOR_CHECKS.map((c) => `${c.name} (${c.description})`).join("; ")}.`,
  flags: {
    check: {
      type: "string",
      multiple: true,
      placeholder: "NAME",
      description: `Run only this check (${NAMES.join(", ")})`,
    },
    timeout: { type: "string", placeholder: "SEC", description: "Budget for each probe (default 5)" },
  },
  examples: ["codexctl doctor", "codexctl doctor --check herdr --json"],
  args: z.object({
    check: z.array(z.enum(NAMES as [string, ...string[]], {
      error: (iss) => `unknown check "${String(iss.input)}"; choose from: ${NAMES.join(", ")}`,
    })).optional(),
    timeout: flag.secondsOr(5),
    _: z.array(z.string()),
  }),
  async run(args, ctx) {
    const wanted = args.check ? new Set(args.check) : null;
    const checks = DOCTOR_CHECKS.filter((c) => !wanted || wanted.has(c.name));
    const report = await runDoctor(checks, {
      env: ctx.env,
      timeoutMs: Math.round(args.timeout * 1000),
    });
    if (!ctx.mode.json) {
      writeStdout(renderDoctor(report, ctx.mode.color) + "\n");
      return { kind: "done", exitCode: 0 };
    }
    return { kind: "result", session: null, result: { ...report } };
  },
});
