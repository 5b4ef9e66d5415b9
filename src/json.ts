/**
 * Reading JSON someone else wrote (a stream line, a hook's stdin, a file): the one check that a text
 * is a plain JSON object.
 *
 * @module
 */

/** `text` parsed when it is a JSON object; null for invalid JSON, an array, `null` or any other value. */
export function jsonObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return value && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : null;
}
