import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import denoConfig from "../deno.json" with { type: "json" };
import { runCli } from "./support/cli.ts";

async function envelopeValidator() {
  const schema = await runCli(["schema"]);
  assert.equal(schema.code, 0, schema.stderr);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  return ajv.compile(schema.json!);
}

Deno.test("codexctl --help prints the verb list (JSON envelope when piped), exit 0", async () => {
  const res = await runCli(["--help"]);
  assert.equal(res.code, 0);
  assert.equal(res.json?.ok, true);
  assert.equal(res.json?.schema_version, "v1");
  const result = res.json?.result as { verbs: { name: string }[]; help: string };
  assert.ok(result.verbs.some((v) => v.name === "schema"));
  assert.match(result.help, /Usage: codexctl <verb>/);
  assert.equal(res.stderr, "");
});

Deno.test("codexctl bogus is a usage error envelope, exit 2, never a stack trace", async () => {
  const res = await runCli(["bogus"]);
  assert.equal(res.code, 2);
  assert.equal(res.json?.ok, false);
  assert.equal(res.json?.result, null);
  const error = res.json?.error as Record<string, unknown>;
  assert.equal(error.class, "usage");
  assert.equal(error.code, "UNKNOWN_VERB");
  assert.match(String(error.message), /bogus/);
  assert.doesNotMatch(res.stdout + res.stderr, /at .*\.ts:\d+/);
});

Deno.test("a near-miss verb gets a did-you-mean suggestion", async () => {
  const res = await runCli(["schem"]);
  assert.equal(res.code, 2);
  assert.match(String((res.json?.error as Record<string, unknown>).suggestion), /codexctl schema/);
});

Deno.test("codexctl --nope is a usage error envelope, exit 2", async () => {
  const res = await runCli(["--nope"]);
  assert.equal(res.code, 2);
  const error = res.json?.error as Record<string, unknown>;
  assert.equal(error.code, "BAD_FLAG");
  assert.match(String(error.message), /--nope/);
});

Deno.test("a bad verb flag and a bad verb value are codexctl's own usage errors", async () => {
  const unknown = await runCli(["schema", "--frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.equal((unknown.json?.error as Record<string, unknown>).code, "BAD_FLAG");
  assert.match(
    String((unknown.json?.error as Record<string, unknown>).message),
    /codexctl schema has no flag --frobnicate/,
  );
  assert.doesNotMatch(unknown.stdout, /ERR_PARSE_ARGS|Unknown option/);

  const badValue = await runCli(["schema", "nonsense"]);
  assert.equal(badValue.code, 2);
  assert.equal((badValue.json?.error as Record<string, unknown>).code, "BAD_ARGS");
  assert.match(
    String((badValue.json?.error as Record<string, unknown>).message),
    /unknown schema "nonsense"/,
  );

  const extra = await runCli(["schema", "envelope", "verdict"]);
  assert.equal(extra.code, 2);
  assert.equal((extra.json?.error as Record<string, unknown>).code, "BAD_FLAG");

  const switchWithValue = await runCli(["schema", "--json=yes"]);
  assert.equal(switchWithValue.code, 2);
  assert.match(
    String((switchWithValue.json?.error as Record<string, unknown>).message),
    /--json is a switch/,
  );
});

Deno.test("codexctl --version reports the deno.json version", async () => {
  const res = await runCli(["--version"]);
  assert.equal(res.code, 0);
  assert.equal((res.json?.result as Record<string, unknown>).version, denoConfig.version);
});

Deno.test("codexctl with no verb is a usage error that lists the verbs", async () => {
  const res = await runCli([]);
  assert.equal(res.code, 2);
  assert.equal((res.json?.error as Record<string, unknown>).code, "NO_VERB");
  assert.match(String((res.json?.error as Record<string, unknown>).suggestion), /schema/);
});

Deno.test("<verb> --help describes the verb's flags", async () => {
  const res = await runCli(["schema", "--help"]);
  assert.equal(res.code, 0);
  const result = res.json?.result as { verb: string; help: string; flags: { name: string }[] };
  assert.equal(result.verb, "schema");
  assert.match(result.help, /Usage: codexctl schema/);
  assert.ok(result.flags.some((f) => f.name === "--json"));
});

Deno.test("codexctl schema prints a JSON Schema that accepts codexctl's own envelopes and rejects wrong ones", async () => {
  const validate = await envelopeValidator();
  for (const args of [["--help"], ["bogus"], ["--nope"], ["--version"], ["schema", "--help"]]) {
    const res = await runCli(args);
    assert.ok(validate(res.json), `${args.join(" ")}: ${JSON.stringify(validate.errors)}`);
  }
  const good = (await runCli(["bogus"])).json!;
  assert.equal(validate({ ...good, schema_version: "v2" }), false);
  assert.equal(validate({ ...good, ok: true }), false, "ok:true with an error must not validate");
  assert.equal(validate({ ...good, error: { ...(good.error as object), class: "oops" } }), false);
  const { error: _omitted, ...missing } = good;
  assert.equal(validate(missing), false);
});

Deno.test("codexctl schema verdict and error are separate documents", async () => {
  const verdict = await runCli(["schema", "verdict"]);
  assert.equal(verdict.code, 0);
  const props = (verdict.json as { properties: Record<string, unknown> }).properties;
  for (
    const key of [
      "state",
      "reason",
      "summary",
      "plan",
      "questions",
      "options",
      "marker_found",
      "artifacts",
      "transcript_tail",
      "next_action",
      "thread",
    ]
  ) {
    assert.ok(key in props, `verdict schema lacks ${key}`);
  }
  const error = await runCli(["schema", "error"]);
  assert.deepEqual((error.json as { required: string[] }).required.sort(), [
    "class",
    "code",
    "message",
    "retryable",
    "suggestion",
  ]);
});
