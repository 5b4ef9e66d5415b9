/**
 * Every rule of the verdict machine is exercised by some test, and every rule says which evidence
 * decides it. A rule added without a test that asserts it fires (its name, quoted, in a test) fails
 * here.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { RULES } from "../src/verdict/machine.ts";
import { REPO_ROOT } from "./support/paths.ts";

/** The code of every test file but this one, comments removed. */
async function testCode(): Promise<string> {
  const parts: string[] = [];
  for (const dir of ["tests", "tests/support"]) {
    for await (const e of Deno.readDir(join(REPO_ROOT, dir))) {
      if (!e.isFile || !e.name.endsWith(".ts") || e.name === "verdict_rules_test.ts") continue;
      const text = await Deno.readTextFile(join(REPO_ROOT, dir, e.name));
      parts.push(text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, ""));
    }
  }
  return parts.join("\n");
}

Deno.test("every rule in RULES is asserted by name in some test", async () => {
  const code = await testCode();
  const untested = RULES.map((r) => r.name).filter((name) => !code.includes(`"${name}"`));
  assert.deepEqual(
    untested,
    [],
    "rules no test asserts: add a test that makes each fire and checks its name",
  );
  assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length, "rule names are unique");
});

Deno.test("every rule names the evidence that decides it, and its name says the same", () => {
  for (const rule of RULES) {
    assert.ok(["thread", "daemon", "screen", "pane", "exec"].includes(rule.source), rule.name);
    assert.equal(rule.name.split(".")[0], rule.source, `${rule.name} is decided by ${rule.source}`);
  }
});
