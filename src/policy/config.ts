/**
 * codexctl's configuration file, `$CODEXCTL_HOME/config.jsonc` (JSON with comments and trailing
 * commas, parsed with `jsonc-parser`). This module reads the `approvals` section; other sections are
 * left to their owners. A missing file means the defaults; a broken one is `usage/BAD_CONFIG` with
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
 *   }
 * }
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode, stripComments } from "jsonc-parser";
import { z } from "zod";
import { usageError } from "../errors.ts";
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

const ConfigFileSchema = z.looseObject({ approvals: ApprovalsConfigSchema.optional() });

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
  const approvals = parsed.data.approvals;
  return {
    autoApprove: approvals?.autoApprove ?? false,
    autoApproveSource: approvals?.autoApprove ? "config" : null,
    rules: approvals?.rules ?? [],
    source: path,
  };
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
  const path = join(stateRoot(env), CONFIG_FILE);
  let text: string | null = null;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw badConfig(path, `it cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const base = text === null ? { ...DEFAULT_POLICY } : parseApprovalConfig(text, path);
  if (options.autoApprove) return { ...base, autoApprove: true, autoApproveSource: "flag" };
  return base;
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
