/**
 * `--help` texts, generated from the verb definitions so they never drift from the parser.
 *
 * @module
 */
import { COMMON_FLAGS, type FlagSpec, type Verb } from "./verb.ts";
import { VERSION } from "../version.ts";

/** The top-level help: what codexctl is and its verbs. */
export function globalHelp(verbs: readonly Verb[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    `codexctl ${VERSION} — drive OpenAI's Codex CLI from Claude Code and always know what it is doing`,
    "",
    "Usage: codexctl <verb> [flags]",
    "       codexctl <verb> --help",
    "",
    "Verbs:",
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    "",
    "Global flags:",
    "  --json          Print JSON even when stdout is a terminal (JSON is the default when piped)",
    "  -h, --help      Show this help",
    "  -V, --version   Print the version",
    "",
    "Every call prints one v1 envelope {ok, schema_version, command, session, result, error};",
    "exit codes: 0 verdict, 2 usage, 3 environment, 4 not found, 5 internal.",
    "State lives in $CODEXCTL_HOME, else $XDG_STATE_HOME/codexctl, else ~/.local/state/codexctl.",
  ].join("\n");
}

/** The help of one verb. */
export function verbHelp(verb: Verb): string {
  const lines = [`codexctl ${verb.name} — ${verb.summary}`, "", `Usage: codexctl ${verb.usage}`, ""];
  lines.push(...verb.description.trim().split("\n"), "");
  if (verb.positionals) {
    lines.push("Arguments:", `  ${verb.positionals.name}  ${verb.positionals.description}`, "");
  }
  lines.push("Flags:", ...flagLines({ ...verb.flags, ...COMMON_FLAGS }));
  if (verb.examples?.length) lines.push("", "Examples:", ...verb.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const rows = Object.entries(flags).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "";
    const value = spec.type === "string" ? ` <${spec.placeholder ?? "VALUE"}>` : "";
    const repeat = spec.multiple ? " (repeatable)" : "";
    return [`${short}--${name}${value}`, spec.description + repeat] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** A structured copy of the help for JSON output. */
export function helpResult(verbs: readonly Verb[], verb?: Verb): Record<string, unknown> {
  if (verb) {
    return {
      verb: verb.name,
      usage: `codexctl ${verb.usage}`,
      summary: verb.summary,
      flags: Object.entries({ ...verb.flags, ...COMMON_FLAGS }).map(([name, f]) => ({
        name: `--${name}`,
        type: f.type,
        repeatable: f.multiple ?? false,
        description: f.description,
      })),
      help: verbHelp(verb),
    };
  }
  return {
    version: VERSION,
    verbs: verbs.map((v) => ({ name: v.name, summary: v.summary })),
    help: globalHelp(verbs),
  };
}
