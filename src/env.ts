/**
 * The environment as every layer takes it: a read-only seam (tests pass their own).
 *
 * @module
 */

/** Read-only access to the environment (a seam for tests). */
export interface Env {
  get(key: string): string | undefined;
  toObject(): Record<string, string>;
}
