/**
 * Assertion helpers for codexctl's typed errors.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CodexctlError } from "../../src/errors.ts";

/**
 * A validator for `assert.throws` / `assert.rejects` (or to call on a caught error): the error must be
 * a {@link CodexctlError} with exactly this `code` and `exitCode`.
 */
export function isCodexctlError(code: string, exitCode: number): (err: unknown) => true {
  return (err: unknown) => {
    assert.ok(err instanceof CodexctlError, `expected a CodexctlError, got ${err}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.exitCode, exitCode);
    return true;
  };
}
