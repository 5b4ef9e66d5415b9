/**
 * codexctl's configuration file, `$CODEXCTL_HOME/config.jsonc` (JSON with comments and trailing
 * commas, parsed with `jsonc-parser`). This module reads the `approvals` section and the opt-in
 * `review_gate` (`{enabled, min_priority}`: the Stop hook asks Claude for a Codex review of a changed
 * working tree), and `failures` (the patterns of the failure rule, `verdict/tool_failure.ts`: which
 * tool output is a failing test run or a crash); other sections are left to their owners. A missing file means the defaults; a broken one is `usage/BAD_CONFIG` with
 * the line and column, never a silent fallback (a typo must not widen what gets approved).
 *
 * ```jsonc
 * {
 *   "approvals": {
 *     "autoApprove": false,            // like --auto-approve: approve every gate no deny rule stops
 *     "rules": [
 *       { "action": "deny", "commandPrefix": ["rm -rf", "git push"] },
 *       { "action": "allow", "commandPrefix": "deno test", "cwdInWorktree": true },
 *       { "action": "allow", "kind": "fileChange", "cwdInWorktree": true, "name": "edits in the worktree" }
 *     ]
 *   },
 *   "failures": {                      // each list replaces its default; [] turns that kind off
 *     "output": ["FAILED ", "Traceback \\(most recent call last\\)", "^ERROR:"],
 *     "test_commands": ["\\bpytest\\b", "\\bmake check\\b"],
 *     "ignore_commands": ["^\\s*(?:rg|grep)\\b"]
 *   }
 * }
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode, stripComments } from "jsonc-parser";
import { z } from "zod";
import { parsePriority } from "../codex/rollout/review.ts";
import { usageError } from "../errors.ts";
import {
  compileFailurePatterns,
  DEFAULT_FAILURE_PATTERNS,
  type FailurePatterns,
} from "../verdict/tool_failure.ts";
import { stateRoot } from "../store/paths.ts";

/** The config file's name inside the state root. */
export const CONFIG_FILE = "config.jsonc";

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1).max(100)]).transform((v) =>
    (Array.isArray(v) ? v : [v]) as z.infer<T>[]
  );

/** One approval rule: an action plus conditions that must all hold. */
export const ApprovalRuleSchema = z.object({
  name: z.string().min(1).max(200).optional().describe("shown in the audit log"),
  action: z.enum(["allow", "deny"]),
  commandPrefix: oneOrMany(z.string().trim().min(1).max(1000)).optional().describe(
    "allow: the command starts with these words and has no shell operators; deny: some command it runs (also through sh -c, eval, env, sudo, …) is the first word with every other flag and word (see README, Approval policy)",
  ),
  cwdInWorktree: z.literal(true).optional().describe(
    "the command's cwd (a file change's grant root) is inside the session's worktree (a --thread target: the thread's cwd)",
  ),
  kind: oneOrMany(z.enum(["command", "fileChange"])).optional().describe("which approvals the rule covers"),
}).strict().refine(
  (r) => r.commandPrefix !== undefined || r.cwdInWorktree !== undefined || r.kind !== undefined,
  {
    error:
      "a rule needs at least one condition (commandPrefix, cwdInWorktree or kind); use autoApprove to approve everything",
  },
);
/** One approval rule. */
export type ApprovalRule = z.infer<typeof ApprovalRuleSchema>;

/** The `approvals` section. */
export const ApprovalsConfigSchema = z.object({
  autoApprove: z.boolean().default(false),
  rules: z.array(ApprovalRuleSchema).max(500).default([]),
}).strict();

/** The `review_gate` section: off unless enabled; findings at P1 or above keep Claude working. */
export const ReviewGateConfigSchema = z.object({
  enabled: z.boolean().default(false),
  min_priority: z.union([z.number(), z.string()]).default(1).transform((v, ctx) => {
    const priority = parsePriority(v);
    if (priority === null) {
      ctx.addIssue({
        code: "custom",
        message: `must be P0, P1, P2 or P3 (or 0-3), got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return priority;
  }),
}).strict();
/** The review gate's settings. */
export type ReviewGateConfig = z.infer<typeof ReviewGateConfigSchema>;

/** One failure pattern: a JavaScript regular expression's source. */
const PatternSchema = z.string().min(1).max(1000).superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({
      code: "custom",
      message: `not a regular expression (${err instanceof Error ? err.message : String(err)})`,
    });
  }
});

/** The `failures` section: the failure rule's patterns (a list left out keeps its default). */
export const FailuresConfigSchema = z.object({
  output: z.array(PatternSchema).max(100).optional().describe(
    "text in a tool's output that means a failure (default: FAILED , Traceback (most recent call last))",
  ),
  test_commands: z.array(PatternSchema).max(100).optional().describe(
    "commands that are test runs: a non-zero exit of one is a failure",
  ),
  ignore_commands: z.array(PatternSchema).max(100).optional().describe(
    "commands whose output is never judged (they search or show code)",
  ),
}).strict();

const ConfigFileSchema = z.looseObject({
  approvals: ApprovalsConfigSchema.optional(),
  review_gate: ReviewGateConfigSchema.optional(),
  failures: FailuresConfigSchema.optional(),
});

/** The approval policy in force. */
export interface ApprovalPolicy {
  /** Approve every gate that no deny rule stops (`--auto-approve` or `approvals.autoApprove`). */
  autoApprove: boolean;
  /** Where `autoApprove` came from, for the audit log. */
  autoApproveSource: "flag" | "config" | null;
  rules: ApprovalRule[];
  /** The config file read, or null when there is none. */
  source: string | null;
}

/** The default policy: no rules, never auto-approve — every gate goes to the caller. */
export const DEFAULT_POLICY: Readonly<ApprovalPolicy> = Object.freeze({
  autoApprove: false,
  autoApproveSource: null,
  rules: [],
  source: null,
});

/** Parses config text; `path` is only used in messages. Throws `usage/BAD_CONFIG`. */
export function parseApprovalConfig(text: string, path: string): ApprovalPolicy {
  // an empty file, or one whose every line is commented out, means the defaults
  if (stripComments(text).trim() === "") return { ...DEFAULT_POLICY, source: path };
  const approvals = parseConfigFile(text, path).approvals;
  return {
    autoApprove: approvals?.autoApprove ?? false,
    autoApproveSource: approvals?.autoApprove ? "config" : null,
    rules: approvals?.rules ?? [],
    source: path,
  };
}

/** The review gate's settings in config text (absent section: disabled). Throws `usage/BAD_CONFIG`. */
export function parseReviewGateConfig(text: string, path: string): ReviewGateConfig {
  const off: ReviewGateConfig = { enabled: false, min_priority: 1 };
  if (stripComments(text).trim() === "") return off;
  return parseConfigFile(text, path).review_gate ?? off;
}

/** The failure patterns in config text (absent section: the defaults), compiled. Throws `usage/BAD_CONFIG`. */
export function parseFailuresConfig(text: string, path: string): FailurePatterns {
  if (stripComments(text).trim() === "") return compileFailurePatterns(DEFAULT_FAILURE_PATTERNS);
  return compileFailurePatterns(parseConfigFile(text, path).failures ?? {});
}

/**
 * Loads the failure patterns from `<state root>/config.jsonc` (`root`: that state root instead of
 * the environment's; absent file → the defaults). Throws
 * `usage/BAD_CONFIG` for a broken file or a bad pattern.
 */
export async function loadFailurePatterns(
  env: { get(key: string): string | undefined },
  root: string | null = null,
): Promise<FailurePatterns> {
  const path = root === null ? configPath(env) : join(root, CONFIG_FILE);
  const text = await readConfigText(path);
  return text === null ? compileFailurePatterns() : parseFailuresConfig(text, path);
}

/** The config file's text (null: there is none). Throws `usage/BAD_CONFIG` when it cannot be read. */
async function readConfigText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw badConfig(path, `it cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The whole file, checked. Throws `usage/BAD_CONFIG` with the line and column or the field at fault. */
function parseConfigFile(text: string, path: string): z.infer<typeof ConfigFileSchema> {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    throw badConfig(path, `${printParseErrorCode(e.error)} at line ${line}, column ${column}`);
  }
  const parsed = ConfigFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the top level";
    throw badConfig(path, `${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Options of {@linkcode loadApprovalPolicy}. */
export interface LoadPolicyOptions {
  /** `--auto-approve` was given (it adds to the config, never takes away its deny rules). */
  autoApprove?: boolean;
}

/**
 * Loads the approval policy: `<state root>/config.jsonc` (absent → defaults) plus the
 * `--auto-approve` flag. Throws `usage/BAD_CONFIG` for a broken file.
 */
export async function loadApprovalPolicy(
  env: { get(key: string): string | undefined },
  options: LoadPolicyOptions = {},
): Promise<ApprovalPolicy> {
  const path = configPath(env);
  const text = await readConfigText(path);
  const base = text === null ? { ...DEFAULT_POLICY } : parseApprovalConfig(text, path);
  if (options.autoApprove) return { ...base, autoApprove: true, autoApproveSource: "flag" };
  return base;
}

/** Where the config file is: `<state root>/config.jsonc`. */
export function configPath(env: { get(key: string): string | undefined }): string {
  return join(stateRoot(env), CONFIG_FILE);
}

function badConfig(path: string, why: string) {
  return usageError(
    "BAD_CONFIG",
    `the codexctl config ${path} is invalid: ${why}`,
    `fix or remove ${path} (JSONC: comments and trailing commas are fine; see the README's approval policy section)`,
  );
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}
