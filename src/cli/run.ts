/**
 * The codexctl CLI proper (loaded by `src/main.ts` for every verb but `hook`): global flags, verb
 * dispatch, and the one place where any failure becomes a v1 error envelope with the right exit
 * code (never a raw parser message, never a stack trace).
 *
 * @module
 */
import { EXIT_CODES, usageError } from "../errors.ts";
import { type Envelope, errorEnvelope, okEnvelope } from "../envelope.ts";
import { formatEnvelope, type OutputMode, outputMode, writeStderr, writeStdout } from "../output.ts";
import { findVerb, loadVerbs, suggestVerb, VERB_NAMES } from "./registry.ts";
import { globalHelp, helpResult, verbHelp } from "./help.ts";
import type { Env } from "../env.ts";
import { clip } from "../text.ts";
import { parseVerbArgs, QUOTED, type VerbContext } from "./verb.ts";
import { VERSION } from "../version.ts";
import { SCHEMA_VERSION } from "../envelope.ts";
import { toCodexctlError } from "./failure.ts";

const GLOBAL_FLAGS = new Set(["--json", "--help", "-h", "--version", "-V"]);

/** Runs codexctl with `argv` and returns the exit code; all output goes to stdout/stderr. */
export async function run(
  argv: string[],
  env: Env = Deno.env,
  isTerminal: boolean = Deno.stdout.isTerminal(),
): Promise<number> {
  let command = "codexctl";
  let mode: OutputMode = outputMode(argv.includes("--json"), isTerminal, env);
  let streaming = false;
  const print = (envelope: Envelope) => writeStdout(formatEnvelope(envelope, mode, streaming));
  try {
    let i = 0;
    const global = new Set<string>();
    for (; i < argv.length && argv[i].startsWith("-"); i++) {
      if (!GLOBAL_FLAGS.has(argv[i])) {
        throw usageError(
          "BAD_FLAG",
          `codexctl has no global flag ${clip(argv[i].split("=")[0], 60, QUOTED)}`,
          "run: codexctl --help",
        );
      }
      global.add(argv[i]);
    }
    if (global.has("--version") || global.has("-V")) {
      if (mode.json) {
        print(
          okEnvelope(command, null, {
            version: VERSION,
            schema_version: SCHEMA_VERSION,
            deno: Deno.version.deno,
          }),
        );
      } else writeStdout(`codexctl ${VERSION}\n`);
      return EXIT_CODES.ok;
    }
    const verbName = argv[i];
    if (verbName === undefined || global.has("--help") || global.has("-h")) {
      if (verbName === undefined && !global.has("--help") && !global.has("-h")) {
        throw usageError(
          "NO_VERB",
          "codexctl needs a verb",
          "run: codexctl --help (verbs: " + VERB_NAMES.join(", ") + ")",
        );
      }
      if (mode.json) print(okEnvelope(command, null, helpResult(await loadVerbs())));
      else writeStdout(globalHelp(await loadVerbs()) + "\n");
      return EXIT_CODES.ok;
    }
    const verb = await findVerb(verbName);
    if (!verb) {
      const guess = suggestVerb(verbName);
      throw usageError(
        "UNKNOWN_VERB",
        `codexctl has no verb "${clip(verbName, 60, QUOTED)}"`,
        guess
          ? `did you mean: codexctl ${guess}? (codexctl --help lists every verb)`
          : "run: codexctl --help to list the verbs",
      );
    }
    command = verb.name;
    streaming = verb.streaming ?? false;
    const parsed = parseVerbArgs(verb, argv.slice(i + 1));
    mode = outputMode(parsed.json || global.has("--json"), isTerminal, env);
    if (parsed.help) {
      if (mode.json) print(okEnvelope(command, null, helpResult([verb], verb)));
      else writeStdout(verbHelp(verb) + "\n");
      return EXIT_CODES.ok;
    }
    const ctx: VerbContext = {
      command,
      mode,
      env,
      emitLine: (envelope, line) => writeStdout(formatEnvelope(envelope, mode, true, line)),
    };
    const outcome = await verb.run(parsed.args, ctx);
    if (outcome.kind === "done") return outcome.exitCode;
    print(okEnvelope(command, outcome.session, outcome.result));
    return EXIT_CODES.ok;
  } catch (err) {
    const failure = toCodexctlError(err);
    if (env.get("CODEXCTL_DEBUG")) {
      writeStderr(`codexctl: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    }
    print(errorEnvelope(command, null, failure));
    return failure.exitCode;
  }
}
