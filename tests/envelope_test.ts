import assert from "node:assert/strict";
import { EnvelopeSchema, errorEnvelope, jsonSchemaFor, okEnvelope, VerdictSchema } from "../src/envelope.ts";
import { CodexctlError, EXIT_CODES, usageError } from "../src/errors.ts";
import { formatEnvelope, outputMode, renderHuman } from "../src/output.ts";
import { toCodexctlError } from "../src/cli/failure.ts";

const verdict = {
  state: "awaiting_clarification",
  reason: "multiple_choice",
  summary: "Codex asks which colour to use",
  plan: null,
  questions: ["Which color should the widget be?"],
  options: [{ key: "1", label: "Red", recommended: true }, { key: "2", label: "Blue", recommended: false }],
  marker_found: false,
  artifacts: [{ path: "out.txt", exists: false, bytes: 0 }],
  transcript_tail: "• Which color should the widget be?",
  next_action: {
    intent: "choose",
    command: "codexctl reply --session cdx-1a2b --choice 1",
    why: "Codex is waiting for a choice",
  },
  thread: {
    id: "01a1fee2-5631-7ac1-80da-2f586c6afc12",
    rollout_path: null,
    cwd: "/repo",
    model: "mock-model",
    tokens: null,
    context_pct: 12.5,
  },
};

function env(vars: Record<string, string>) {
  return { get: (k: string) => vars[k] };
}

Deno.test("exit codes: 0 verdict, 2 usage, 3 environment, 4 not found, 5 internal", () => {
  assert.deepEqual({ ...EXIT_CODES }, { ok: 0, usage: 2, environment: 3, not_found: 4, internal: 5 });
  assert.equal(new CodexctlError("not_found", "NO_SESSION", "x").exitCode, 4);
});

Deno.test("okEnvelope validates a verdict; errorEnvelope carries class/code/message/retryable/suggestion", () => {
  const ok = okEnvelope("status", "cdx-1a2b", verdict);
  assert.equal(ok.ok, true);
  assert.equal(ok.schema_version, "v1");
  assert.equal(ok.error, null);
  const err = errorEnvelope(
    "start",
    null,
    usageError("BAD_SLUG", "slug must be 1–3 words", "use e.g. --slug fix-login"),
  );
  assert.deepEqual(err.error, {
    class: "usage",
    code: "BAD_SLUG",
    message: "slug must be 1–3 words",
    retryable: false,
    suggestion: "use e.g. --slug fix-login",
  });
  assert.equal(err.result, null);
});

Deno.test("the verdict schema refuses what the contract forbids", () => {
  assert.equal(VerdictSchema.safeParse(verdict).success, true);
  assert.equal(VerdictSchema.safeParse({ ...verdict, state: "done" }).success, false);
  assert.equal(VerdictSchema.safeParse({ ...verdict, summary: "x".repeat(201) }).success, false);
  assert.equal(VerdictSchema.safeParse({ ...verdict, transcript_tail: "x".repeat(2001) }).success, false);
  assert.equal(
    VerdictSchema.safeParse({ ...verdict, next_action: { intent: "dance", command: null, why: "" } }).success,
    false,
  );
  assert.equal(
    EnvelopeSchema.safeParse({
      ok: true,
      schema_version: "v1",
      command: "x",
      session: null,
      result: null,
      error: null,
    }).success,
    false,
  );
});

Deno.test("JSON Schema export has draft 2020-12, an $id and the two envelope shapes", () => {
  const doc = jsonSchemaFor("envelope");
  assert.equal(doc.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.match(String(doc.$id), /envelope\.json$/);
  assert.equal((doc.oneOf as unknown[]).length, 2);
});

Deno.test("JSON output when piped or --json; readable text in a terminal; NO_COLOR honoured", () => {
  assert.deepEqual(outputMode(false, false, env({})), { json: true, color: false });
  assert.deepEqual(outputMode(true, true, env({})), { json: true, color: false });
  assert.deepEqual(outputMode(false, true, env({})), { json: false, color: true });
  assert.deepEqual(outputMode(false, true, env({ NO_COLOR: "1" })), { json: false, color: false });
  const ok = okEnvelope("status", "cdx-1a2b", verdict);
  assert.deepEqual(JSON.parse(formatEnvelope(ok, { json: true, color: false })), ok);
  const line = formatEnvelope(ok, { json: true, color: false }, true);
  assert.equal(line.split("\n").length, 2, "a stream line is one line");
});

Deno.test("the human rendering shows state, question, options and the next command; colour only when asked", () => {
  const ok = okEnvelope("status", "cdx-1a2b", verdict);
  const plain = renderHuman(ok, false);
  assert.match(plain, /^● awaiting_clarification multiple_choice {2}cdx-1a2b/);
  assert.match(plain, /question +Which color should the widget be\?/);
  assert.match(plain, /option +1\. Red \(recommended\)/);
  assert.match(plain, /next +choose: codexctl reply --session cdx-1a2b --choice 1/);
  assert.match(plain, /12\.5% context/);
  assert.ok(!plain.includes("\x1b["));
  assert.ok(renderHuman(ok, true).includes("\x1b["));
  const err = renderHuman(
    errorEnvelope("x", null, usageError("BAD_FLAG", "no flag --q", "run: codexctl x --help")),
    false,
  );
  assert.equal(err, "error usage/BAD_FLAG: no flag --q\n  → run: codexctl x --help");
});

Deno.test("generic results render as a table", () => {
  const ok = okEnvelope("sessions", null, {
    live: [{ session: "cdx-1", state: "working" }, { session: "cdx-22", state: "completed" }],
    pruned: 0,
  });
  const text = renderHuman(ok, false);
  assert.match(text, /session +state/);
  assert.match(text, /cdx-22 +completed/);
  assert.match(text, /pruned +0/);
});

Deno.test("unknown exceptions become internal/UNEXPECTED (exit 5, retryable)", () => {
  const e = toCodexctlError(new TypeError("boom"));
  assert.equal(e.code, "UNEXPECTED");
  assert.equal(e.exitCode, 5);
  assert.equal(e.retryable, true);
  const kept = usageError("BAD_FLAG", "x");
  assert.equal(toCodexctlError(kept), kept);
});
