/**
 * Slugs and labels (the herdr plugin's naming rules, seeds-behaviour §1.2 and §1.6).
 *
 * @module
 */
import { usageError } from "../errors.ts";

/** 1–3 lowercase words joined by hyphens. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+){0,2}$/;

/** The longest slug (it names the pane, the tmux session, the worktree and its branch). */
export const MAX_SLUG = 40;

/** Words a slug may not contain: agent type names make herdr targets ambiguous. */
export const RESERVED = new Set([
  "pi",
  "claude",
  "codex",
  "opencode",
  "hermes",
  "herdr",
  "default",
  "none",
  "null",
]);

/** Checks a slug; `usage/BAD_SLUG` (exit 2) when it breaks the rules. */
export function checkSlug(slug: string): string {
  if (slug.length > MAX_SLUG) {
    throw usageError(
      "BAD_SLUG",
      `slug "${slug.slice(0, 40)}…" is ${slug.length} characters; at most ${MAX_SLUG} are allowed`,
      "e.g. --slug fix-login",
    );
  }
  if (!SLUG.test(slug)) {
    throw usageError(
      "BAD_SLUG",
      `slug "${slug.slice(0, 40)}" must be 1–3 lowercase words joined by hyphens (a-z, 0-9)`,
      "e.g. --slug fix-login",
    );
  }
  const reserved = slug.split("-").find((w) => RESERVED.has(w));
  if (reserved) {
    throw usageError(
      "BAD_SLUG",
      `slug "${slug}" uses the reserved word "${reserved}"`,
      `reserved: ${[...RESERVED].join(", ")}; pick another word`,
    );
  }
  return slug;
}

/** A slug made from the first words of a task, when none was given (at most {@linkcode MAX_SLUG} characters). */
export function slugFromTask(task: string): string {
  const words = task.toLowerCase().replace(/\{\{[^}]*\}\}/g, " ").split(/[^a-z0-9]+/).filter((w) =>
    w && !RESERVED.has(w) && w.length > 1
  );
  let slug = "";
  for (const word of words.slice(0, 3)) {
    const next = slug ? `${slug}-${word}` : word.slice(0, MAX_SLUG);
    if (next.length > MAX_SLUG) break;
    slug = next;
  }
  return SLUG.test(slug) ? slug : "task";
}

/** Lowercase; runs of anything but a-z0-9 become one hyphen; trimmed. */
export function safeName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** `base`, or `base-2`, `base-3`… — the first one not in `taken`. */
export function withSuffix(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2;; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
