/**
 * A project lint of the Claude Code plugin for what `claude plugin validate` does not catch
 * (../shared/reference/claude-code.md §2.6): unknown keys in hook entries, matchers on events that
 * take none, `if` on non-tool events, the shell form, missing or millisecond-sized timeouts, hook
 * commands that do not exist or are not executable, and the layout pitfalls that silently disable
 * hooks. Returns one message per problem.
 *
 * @module
 */
import { join } from "node:path";

/** Every hook event of Claude Code (2.1.240 docs; all present in 2.1.330). */
export const HOOK_EVENTS = new Set([
  "SessionStart",
  "Setup",
  "InstructionsLoaded",
  "UserPromptSubmit",
  "UserPromptExpansion",
  "MessageDisplay",
  "PreToolUse",
  "PermissionRequest",
  "PermissionDenied",
  "PostToolUse",
  "PostToolUseFailure",
  "PostToolBatch",
  "Notification",
  "SubagentStart",
  "SubagentStop",
  "TaskCreated",
  "TaskCompleted",
  "Stop",
  "StopFailure",
  "TeammateIdle",
  "ConfigChange",
  "CwdChanged",
  "DirectoryAdded",
  "FileChanged",
  "WorktreeCreate",
  "WorktreeRemove",
  "PreCompact",
  "PostCompact",
  "Elicitation",
  "ElicitationResult",
  "SessionEnd",
]);

/** Events that take no matcher (one given anyway is silently ignored). */
export const MATCHERLESS_EVENTS = new Set([
  "UserPromptSubmit",
  "PostToolBatch",
  "Stop",
  "TeammateIdle",
  "TaskCreated",
  "TaskCompleted",
  "WorktreeCreate",
  "WorktreeRemove",
  "MessageDisplay",
  "CwdChanged",
]);

/** Events where a handler's `if` is evaluated (elsewhere such a handler never runs). */
export const TOOL_EVENTS = new Set([
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
  "PermissionDenied",
]);

const COMMAND_KEYS = new Set([
  "type",
  "command",
  "args",
  "timeout",
  "statusMessage",
  "async",
  "asyncRewake",
  "shell",
  "if",
]);

/** The most seconds a codexctl hook may be given (a bigger value is probably milliseconds). */
export const MAX_TIMEOUT_SEC = 60;

/** The most seconds a background (`asyncRewake`) hook may be given: it waits for Codex, bounded. */
export const MAX_BACKGROUND_TIMEOUT_SEC = 7200;

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Lints the plugin rooted at `root`. */
export function lintPlugin(root: string): string[] {
  const problems: string[] = [];
  const hooksFile = join(root, "hooks", "hooks.json");
  if (exists(join(root, ".claude-plugin", "hooks.json")) || exists(join(root, ".claude-plugin", "hooks"))) {
    problems.push(".claude-plugin/ holds hooks: only plugin.json belongs there (hooks there never load)");
  }
  let manifest: Record<string, unknown> = {};
  try {
    manifest = JSON.parse(Deno.readTextFileSync(join(root, ".claude-plugin", "plugin.json")));
  } catch (err) {
    problems.push(`.claude-plugin/plugin.json: ${String(err)}`);
  }
  const listed = manifest.hooks;
  if ([listed].flat().some((h) => typeof h === "string" && /^\.?\/?hooks\/hooks\.json$/.test(h))) {
    problems.push('plugin.json lists "./hooks/hooks.json": it is loaded automatically (duplicate hooks)');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Deno.readTextFileSync(hooksFile));
  } catch (err) {
    return [...problems, `hooks/hooks.json: ${String(err)}`];
  }
  if (!doc || typeof doc !== "object") return [...problems, "hooks/hooks.json: not an object"];
  for (const key of Object.keys(doc)) {
    if (key !== "hooks" && key !== "description") {
      problems.push(`hooks/hooks.json: unknown top-level key "${key}"`);
    }
  }
  const hooks = (doc as { hooks?: unknown }).hooks;
  if (!hooks || typeof hooks !== "object" || Array.isArray(hooks)) {
    return [...problems, 'hooks/hooks.json: the top-level "hooks" object is missing']; // fails to load
  }
  for (const [event, groups] of Object.entries(hooks)) {
    if (!HOOK_EVENTS.has(event)) problems.push(`${event}: not a Claude Code hook event`);
    if (!Array.isArray(groups)) {
      problems.push(`${event}: expected an array of matcher groups`);
      continue;
    }
    groups.forEach((group, g) => {
      const where = `${event}[${g}]`;
      if (!group || typeof group !== "object") return problems.push(`${where}: not an object`);
      for (const key of Object.keys(group)) {
        if (key !== "matcher" && key !== "hooks") problems.push(`${where}: unknown key "${key}"`);
      }
      if ("matcher" in group && MATCHERLESS_EVENTS.has(event)) {
        problems.push(`${where}: ${event} takes no matcher (it would be ignored)`);
      }
      const handlers = (group as { hooks?: unknown }).hooks;
      if (!Array.isArray(handlers) || !handlers.length) return problems.push(`${where}: no handlers`);
      handlers.forEach((h, i) => {
        const at = `${where}.hooks[${i}]`;
        if (!h || typeof h !== "object") return problems.push(`${at}: not an object`);
        const handler = h as Record<string, unknown>;
        if (handler.type !== "command") {
          problems.push(`${at}: type must be "command" (got ${String(handler.type)})`);
        }
        for (const key of Object.keys(handler)) {
          if (!COMMAND_KEYS.has(key)) problems.push(`${at}: unknown key "${key}"`);
        }
        if ("if" in handler && !TOOL_EVENTS.has(event)) {
          problems.push(`${at}: "if" on ${event} means it never runs`);
        }
        if (!Array.isArray(handler.args) || handler.args.some((a) => typeof a !== "string")) {
          problems.push(`${at}: not the exec form (give "args" as an array of strings)`);
        }
        const background = handler.asyncRewake === true;
        if (handler.async === true) {
          // observed with the pinned Claude Code: `async: true` backgrounds the hook under `claude -p`
          // too, where a rewake is dropped; `asyncRewake` alone runs in the foreground there
          problems.push(
            `${at}: "async": true (use "asyncRewake" alone: with async, claude -p drops the rewake)`,
          );
        }
        const max = background ? MAX_BACKGROUND_TIMEOUT_SEC : MAX_TIMEOUT_SEC;
        if (typeof handler.timeout !== "number") {
          problems.push(`${at}: no explicit timeout (the default is 600 s)`);
        } else if (handler.timeout <= 0 || handler.timeout > max) {
          problems.push(
            `${at}: timeout ${handler.timeout} is not a ${
              background ? "bounded" : "small"
            } number of seconds`,
          );
        }
        const command = String(handler.command ?? "");
        const m = command.match(/^\$\{CLAUDE_PLUGIN_ROOT\}\/(.+)$/);
        if (!m) problems.push(`${at}: command must be \${CLAUDE_PLUGIN_ROOT}/<path> (got ${command})`);
        else if (!isExecutable(join(root, m[1]))) {
          problems.push(`${at}: ${m[1]} is missing or not executable`);
        }
      });
    });
  }
  try {
    for (const entry of Deno.readDirSync(join(root, "bin"))) {
      if (!isExecutable(join(root, "bin", entry.name))) problems.push(`bin/${entry.name}: not executable`);
    }
  } catch {
    // no bin/
  }
  return problems;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The YAML-ish frontmatter of a SKILL.md as flat `key: value` pairs (enough for our checks). */
export function skillFrontmatter(text: string): Record<string, string> | null {
  const m = text.match(/^---\n([\s\S]*?)\n---\n/);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const line of m[1].split("\n")) {
    const kv = line.match(/^([a-z_-]+):\s*(.*)$/);
    if (kv) out[kv[1]] = kv[2];
  }
  return out;
}
