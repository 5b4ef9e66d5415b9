/**
 * The failure rule (`src/verdict/tool_failure.ts`) and what it reads (`codex/rollout/tool_output.ts`):
 * real tool-output lines of Codex 0.169.0 and 0.130.0 (the `shell` fixtures), with their output
 * replaced by a failing test run, a traceback, a test command's non-zero exit — read through the
 * real rollout reader from a saved cursor, as the watches and hooks read them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { rolloutLines } from "./support/fixtures.ts";
import { MAX_OUTPUT_TEXT, toolOutputFacts } from "../src/codex/rollout/tool_output.ts";
import { freshProgress, readThread } from "../src/codex/rollout/reader.ts";
import {
  compileFailurePatterns,
  newFailures,
  toolFailure,
  type ToolOutputTransition,
} from "../src/verdict/tool_failure.ts";
import { parseFailuresConfig } from "../src/policy/config.ts";
import { CodexctlError } from "../src/errors.ts";

const enc = new TextEncoder();
const PATTERNS = compileFailurePatterns();

/** The real tool call and tool output lines of a version's `shell` fixture. */
function shellPair(version: string): { call: string; output: string; before: string[]; after: string[] } {
  const lines = rolloutLines(version, "shell", "tui");
  const at = lines.findIndex((l) => l.includes('"function_call_output"'));
  const callAt = lines.findIndex((l) => l.includes('"type":"function_call"'));
  assert.ok(at > 0 && callAt > 0 && callAt < at, `${version}: a call and its output`);
  return {
    call: lines[callAt],
    output: lines[at],
    before: lines.slice(0, callAt),
    after: lines.slice(at + 1),
  };
}

/** `line` (a real output line) with another exit code and output text, as Codex writes them. */
function withOutput(line: string, exit: number, text: string): string {
  const rec = JSON.parse(line);
  rec.payload.output =
    `Chunk ID: 0abc12\nWall time: 0.2000 seconds\nProcess exited with code ${exit}\nOriginal token count: 40\nOutput:\n${text}`;
  return JSON.stringify(rec);
}

/** `line` (a real call line) running `cmd`, with call id `id`. */
function withCommand(line: string, cmd: string, id: string): string {
  const rec = JSON.parse(line);
  rec.payload.arguments = JSON.stringify({ cmd });
  rec.payload.call_id = id;
  return JSON.stringify(rec);
}

function withCallId(line: string, id: string): string {
  const rec = JSON.parse(line);
  rec.payload.call_id = id;
  return JSON.stringify(rec);
}

const PYTEST = [
  "============================= test session starts ==============================",
  "collected 2 items",
  "",
  "tests/test_calc.py .F                                                    [100%]",
  "=================================== FAILURES ===================================",
  "________________________________ test_add _____________________________________",
  "    def test_add():",
  ">       assert add(1, 2) == 4",
  "E       assert 3 == 4",
  "=========================== short test summary info ============================",
  "FAILED tests/test_calc.py::test_add - assert 3 == 4",
  "========================= 1 failed, 1 passed in 0.03s ==========================",
].join("\n");

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "<string>", line 1, in <module>',
  '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
  "    return _default_decoder.decode(s)",
  "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
].join("\n");

for (const version of ["0.169.0", "0.130.0"]) {
  Deno.test(`tool output facts of real ${version} lines: the exit code from Codex's header, the text without it`, () => {
    const { output } = shellPair(version);
    const ok = toolOutputFacts(enc.encode(output))!;
    assert.equal(ok.exit_code, 0);
    assert.equal(ok.text, "codexctl-fixture-shell\n");
    assert.equal(ok.clipped, false);
    const failed = toolOutputFacts(enc.encode(withOutput(output, 1, PYTEST)))!;
    assert.equal(failed.exit_code, 1);
    assert.ok(failed.text.startsWith("=====") && failed.text.includes("FAILED tests/test_calc.py"));
    // only the head of a long line (what a bounded reader keeps): read leniently from its start
    const head = enc.encode(withOutput(output, 2, TRACEBACK + "\n" + "x".repeat(5000))).subarray(0, 1024);
    const partial = toolOutputFacts(head)!;
    assert.equal(partial.exit_code, 2);
    assert.ok(partial.text.startsWith("Traceback (most recent call last):\n  File"), partial.text);
    assert.equal(partial.clipped, true);
  });

  Deno.test(`the failure rule on real ${version} lines read from a saved cursor: a failing test, a traceback, a test command's exit; once per turn`, async () => {
    const { call, output, before, after } = shellPair(version);
    const dir = await Deno.makeTempDir({ prefix: "codexctl-failure-" });
    const path = join(dir, "rollout.jsonl");
    // the baseline: the rollout up to the call (a first read extracts nothing)
    await Deno.writeTextFile(path, before.join("\n") + "\n");
    const base = await readThread(path, freshProgress(), { toolOutputs: true, keepEvents: false });
    assert.equal(base.tool_outputs.length, 0);
    assert.ok(base.transitions.length > 0, "the baseline has its transitions");
    // the turn goes on: a passing run, a failing pytest, then a traceback — in one read
    await Deno.writeTextFile(
      path,
      [
        withCommand(call, "echo ok", "c1"),
        withCallId(output, "c1"),
        withCommand(call, "pytest -q tests", "c2"),
        withCallId(withOutput(output, 1, PYTEST), "c2"),
        withCommand(call, `python3 -c "import json; json.loads('{')"`, "c3"),
        withCallId(withOutput(output, 1, TRACEBACK), "c3"),
      ].join("\n") + "\n",
      { append: true },
    );
    const read = await readThread(path, base.progress, { toolOutputs: true, keepEvents: false });
    const outputs = read.tool_outputs;
    assert.equal(read.transitions.filter((t) => t.t === "tool_output").length, 0, "kept apart");
    assert.deepEqual(outputs.map((t) => t.command), [
      "echo ok",
      "pytest -q tests",
      `python3 -c "import json; json.loads('{')"`,
    ]);
    assert.equal(toolFailure(outputs[0], PATTERNS), null, "a passing command is no failure");
    const pytest = toolFailure(outputs[1], PATTERNS)!;
    assert.equal(pytest.kind, "output");
    assert.equal(pytest.line, "FAILED tests/test_calc.py::test_add - assert 3 == 4");
    assert.equal(
      pytest.summary,
      "pytest -q tests exited with 1: FAILED tests/test_calc.py::test_add - assert 3 == 4",
    );
    const tb = toolFailure(outputs[2], PATTERNS)!;
    assert.match(
      tb.line!,
      /^Traceback: json\.decoder\.JSONDecodeError: Expecting/,
    );
    // at most one per turn: the traceback is in the same turn as the failing test
    const found = newFailures(read.tool_outputs, PATTERNS, null);
    assert.equal(found.failures.length, 1);
    assert.equal(found.failures[0].line, pytest.line);
    assert.equal(found.told, pytest.turn);
    // told already (a re-armed watch, a later hook): nothing again in that turn
    assert.equal(newFailures(read.tool_outputs, PATTERNS, found.told).failures.length, 0);
    // a test command exits non-zero without a failure word in its output: still a failure
    const next = [
      ...after.filter((l) => !l.includes('"function_call')),
      withCommand(call, "npm test", "c4"),
      withCallId(withOutput(output, 2, "1 of 12 checks broke"), "c4"),
      withCommand(call, "ls missing-dir", "c5"),
      withCallId(withOutput(output, 2, "ls: cannot access 'missing-dir'"), "c5"),
    ];
    await Deno.writeTextFile(path, next.join("\n") + "\n", { append: true });
    const later = await readThread(path, read.progress, { toolOutputs: true, keepEvents: false });
    const more = later.tool_outputs;
    assert.equal(more.length, 2);
    const npm = toolFailure(more[0], PATTERNS)!;
    assert.equal(npm.kind, "exit");
    assert.equal(npm.summary, "A test run failed: npm test exited with 2: 1 of 12 checks broke");
    assert.equal(toolFailure(more[1], PATTERNS), null, "a non-test command's exit code is no failure");
    // the later lines are a new turn only when a turn marker came between (0.169 and 0.130 both write one)
    const turnEnded = after.some((l) => l.includes('"task_complete"') || l.includes('"turn_complete"'));
    assert.ok(turnEnded, "the fixture's turn ends after the output");
    assert.equal(npm.turn === pytest.turn, false, "the turn after the end marker is another turn");
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("the failure rule: searches are not failures; the older shell tool's JSON output; bounded text", () => {
  const t = (command: string | null, text: string, exit: number | null = 0): ToolOutputTransition => ({
    t: "tool_output",
    call_id: "c",
    name: "exec_command",
    command,
    turn_id: "t1",
    turn_seq: 1,
    facts: { exit_code: exit, text, clipped: false },
    at: null,
    offset: 0,
  });
  assert.equal(toolFailure(t("rg -n 'FAILED ' src", 'src/a.py:3: print("FAILED ")'), PATTERNS), null);
  assert.equal(toolFailure(t("git diff", "+    raise Traceback (most recent call last)"), PATTERNS), null);
  assert.equal(toolFailure(t("cat log.txt", "FAILED test_x"), PATTERNS)?.kind, "output");
  assert.equal(
    toolFailure(t(null, "FAILED (failures=1)", null), PATTERNS)?.summary,
    "Failure in the output of a tool: FAILED (failures=1)",
  );
  // the older shell tool wrote a JSON document with the exit code in its metadata
  const legacy = JSON.stringify({
    type: "response_item",
    payload: {
      type: "function_call_output",
      call_id: "c",
      output: JSON.stringify({ output: "1 failed\n", metadata: { exit_code: 1, duration_seconds: 0.1 } }),
    },
  });
  assert.deepEqual(toolOutputFacts(enc.encode(legacy)), { exit_code: 1, text: "1 failed\n", clipped: false });
  // a huge output keeps its start and its end (where the summary is)
  const big = JSON.stringify({
    type: "response_item",
    payload: {
      type: "function_call_output",
      call_id: "c",
      output: "a".repeat(100_000) + "\nFAILED at the end",
    },
  });
  const facts = toolOutputFacts(enc.encode(big))!;
  assert.ok(facts.text.length <= MAX_OUTPUT_TEXT && facts.clipped);
  assert.ok(facts.text.endsWith("FAILED at the end"));
});

Deno.test("config.jsonc failures: a list replaces its default, [] turns a kind off, a bad pattern is BAD_CONFIG", () => {
  const p = parseFailuresConfig(
    `{ // comments are fine
      "failures": { "output": ["^ERROR:"], "test_commands": [] }, }`,
    "/x/config.jsonc",
  );
  const t = (command: string, text: string, exit: number): ToolOutputTransition => ({
    t: "tool_output",
    call_id: "c",
    name: "exec_command",
    command,
    turn_id: null,
    turn_seq: 0,
    facts: { exit_code: exit, text, clipped: false },
    at: null,
    offset: 0,
  });
  assert.equal(toolFailure(t("make", "ERROR: build broke", 2), p)?.line, "ERROR: build broke");
  assert.equal(
    toolFailure(t("pytest", "FAILED x", 1), p),
    null,
    "FAILED is no longer a pattern; test exits are off",
  );
  assert.equal(toolFailure(t("rg x", "ERROR: quoted", 0), p), null, "ignore_commands kept its default");
  for (const bad of [`{"failures": {"output": ["(unclosed"]}}`, `{"failures": {"outputs": []}}`]) {
    assert.throws(() => parseFailuresConfig(bad, "/x/config.jsonc"), (err: unknown) => {
      assert.ok(err instanceof CodexctlError);
      assert.equal(err.code, "BAD_CONFIG");
      assert.match(err.message, /failures/);
      return true;
    });
  }
});
