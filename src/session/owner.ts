/**
 * Which Claude Code session owns what codexctl starts: `CLAUDE_CODE_SESSION_ID` when Claude Code
 * sets it in the Bash tool's environment, else `CODEXCTL_OWNER`, which the plugin's SessionStart
 * hook exports through `CLAUDE_ENV_FILE`. Null outside Claude Code.
 *
 * @module
 */

/** The owner id for sessions started in this environment. */
export function currentOwner(env: { get(key: string): string | undefined }): string | null {
  const id = env.get("CLAUDE_CODE_SESSION_ID") ?? env.get("CODEXCTL_OWNER");
  return id && id.trim() ? id.trim() : null;
}
