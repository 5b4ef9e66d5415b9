/**
 * What a verb is: its flags (parsed by `node:util` parseArgs, validated by zod), its help text and
 * its run function. One file per verb lives next to this one; `registry.ts` lists them.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { usageError } from "../errors.ts";
import type { Env } from "../env.ts";
import { clip, type ClipOptions } from "../text.ts";
import type { Envelope } from "../envelope.ts";
import type { OutputMode } from "../output.ts";

/** One flag of a verb. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** One line for `--help`. */
  description: string;
  /** The value's name in `--help`, e.g. `SEC`. */
  placeholder?: string;
}

/** Positional arguments a verb accepts (most accept none). */
export interface PositionalSpec {
  name: string;
  description: string;
  max: number;
}

/** What a running verb can use. */
export interface VerbContext {
  /** The verb's name, used as the envelope's `command`. */
  command: string;
  /** How envelopes are written. */
  mode: OutputMode;
  /** The process environment. */
  env: Env;
  /**
   * Writes one envelope as a line right away (streaming verbs such as `watch`); `line` is the
   * envelope already serialised as one JSON line, written as is in JSON mode.
   */
  emitLine(envelope: Envelope, line?: string): void;
}

/** What a verb returns. */
export type VerbOutcome =
  /** One envelope with this result. */
  | { kind: "result"; session: string | null; result: Record<string, unknown> }
  /** The verb wrote its own output (streaming or a raw document) and exits with this code. */
  | { kind: "done"; exitCode: number };

/** A verb: flags, help and behaviour. `T` is the validated argument object. */
export interface Verb<T = unknown> {
  name: string;
  /** One line for the verb list. */
  summary: string;
  /** The usage line after `codexctl `. */
  usage: string;
  /** Paragraphs for `codexctl <verb> --help`. */
  description: string;
  flags: Record<string, FlagSpec>;
  positionals?: PositionalSpec;
  /** A streaming verb prints one JSON line per event; its errors are one line too. */
  streaming?: boolean;
  examples?: string[];
  /** Validates `{...flagValues, _: positionals}` into the verb's arguments. */
  args: z.ZodType<T>;
  run(args: T, ctx: VerbContext): Promise<VerbOutcome>;
}

/** Keeps a verb's argument type while storing it in a heterogeneous list. */
export function defineVerb<T>(verb: Verb<T>): Verb<unknown> {
  return verb as unknown as Verb<unknown>;
}

/** Flags every verb accepts. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  json: { type: "boolean", description: "Print JSON even when stdout is a terminal" },
  help: { type: "boolean", short: "h", description: "Show this help" },
};

/** The result of parsing a verb's argv. */
export interface ParsedVerbArgs<T> {
  help: boolean;
  json: boolean;
  args: T | null;
}

/**
 * Parses argv for one verb. Unknown flags, missing values and stray positionals become a
 * `usage/BAD_FLAG` error whose message is codexctl's own (never the parser's text); zod failures
 * become `usage/BAD_ARGS`. With `--help` the zod step is skipped.
 */
export function parseVerbArgs<T>(verb: Verb<T>, argv: string[]): ParsedVerbArgs<T> {
  const flags = { ...verb.flags, ...COMMON_FLAGS };
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    values = parsed.values as Record<string, unknown>;
    positionals = parsed.positionals;
  } catch (err) {
    throw flagError(verb.name, argv, flags, err);
  }
  const help = values.help === true;
  const json = values.json === true;
  if (help) return { help, json, args: null };
  const max = verb.positionals?.max ?? 0;
  if (positionals.length > max) {
    const extra = positionals[max];
    throw usageError(
      "BAD_FLAG",
      max === 0
        ? `codexctl ${verb.name} takes no positional arguments, but got "${clip(extra, 60, QUOTED)}"`
        : `codexctl ${verb.name} takes at most ${max} ${verb.positionals!.name} argument(s), but got "${
          clip(extra, 60, QUOTED)
        }" too`,
      `run: codexctl ${verb.name} --help`,
    );
  }
  delete values.help;
  delete values.json;
  const checked = verb.args.safeParse({ ...values, _: positionals });
  if (!checked.success) throw argsError(verb.name, checked.error);
  return { help, json, args: checked.data };
}

function flagError(verbName: string, argv: string[], flags: Record<string, FlagSpec>, err: unknown): Error {
  const code = (err as { code?: string }).code ?? "";
  const hint = `run: codexctl ${verbName} --help`;
  const unknown = argv.find((a) => a.startsWith("-") && a !== "-" && a !== "--" && !isKnownFlag(a, flags));
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    return usageError(
      "BAD_FLAG",
      `codexctl ${verbName} has no flag ${clip(unknown.split("=")[0], 60, QUOTED)}`,
      hint,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = findValueProblem(argv, flags);
    if (name) {
      const spec = flags[name];
      return usageError(
        "BAD_FLAG",
        spec.type === "string"
          ? `--${name} needs a value (${spec.placeholder ?? "VALUE"})`
          : `--${name} is a switch and takes no value`,
        hint,
      );
    }
  }
  return usageError("BAD_FLAG", `codexctl ${verbName}: the flags could not be read`, hint);
}

function isKnownFlag(token: string, flags: Record<string, FlagSpec>): boolean {
  if (token.startsWith("--")) return token.slice(2).split("=")[0] in flags;
  const letters = token.slice(1);
  return [...letters].every((ch) => Object.values(flags).some((f) => f.short === ch));
}

function findValueProblem(argv: string[], flags: Record<string, FlagSpec>): string | null {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("--")) continue;
    const [name, inline] = token.slice(2).split(/=(.*)/s);
    const spec = flags[name];
    if (!spec) continue;
    if (spec.type === "boolean" && inline !== undefined) return name;
    if (
      spec.type === "string" && inline === undefined && (i + 1 >= argv.length || argv[i + 1].startsWith("-"))
    ) return name;
  }
  return null;
}

function argsError(verbName: string, error: z.ZodError): Error {
  const issue = error.issues[0];
  const key = issue?.path[0];
  const where = key === "_" ? "argument" : key !== undefined ? `--${String(key)}` : `codexctl ${verbName}`;
  const message = issue ? `${where}: ${issue.message}` : `invalid arguments for codexctl ${verbName}`;
  return usageError("BAD_ARGS", message, `run: codexctl ${verbName} --help`);
}

/** How user input is quoted in a message: at most 60 characters, as typed. */
export const QUOTED: ClipOptions = { flatten: false, mark: "..." };

function secondsParser() {
  return z.string({ error: "expected a number of seconds" }).regex(/^\d+(\.\d+)?$/, {
    error: (iss) => `expected a number of seconds, got "${String(iss.input)}"`,
  }).transform(Number).refine((n) => n > 0, { error: "must be more than 0 seconds" });
}

/** zod helpers for flag values (parseArgs yields strings). */
export const flag = {
  /** A positive number of seconds, e.g. `--timeout 600` (optional). */
  seconds() {
    return secondsParser().optional();
  },
  /** A positive number of seconds with a default. */
  secondsOr(defaultValue: number) {
    return secondsParser().default(defaultValue);
  },
  /** A non-negative integer, e.g. `--limit 20`. */
  count() {
    return z.string().regex(/^\d+$/, {
      error: (iss) => `expected a whole number, got "${String(iss.input)}"`,
    }).transform(Number);
  },
  /** A non-empty string. */
  text(what: string) {
    return z.string().refine((s) => s.trim().length > 0, { error: `${what} must not be empty` });
  },
};
