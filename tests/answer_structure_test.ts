/**
 * The answer path by construction, read from the code: in `src/`, only the answer path applies the
 * approval policy's deny rules and writes the audit log, and only the modules that answer or deliver
 * a checked message hand input to a substrate — so no verb can reach Codex around `decide`.
 * (`/work/shared/tools/structure_check.py` runs the first check from outside.)
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

/** Who may name what: a pattern, and the modules of `src/` allowed to contain it. */
const RULES: { what: string; pattern: RegExp; allowed: string[] }[] = [
  {
    what: "applies the deny rules or the policy's decision",
    pattern: /\b(denyingRule|denyPrefixMatches|matchDeny|allowPrefixMatches|evaluateApproval)\b/,
    // approval.ts and deny_match.ts define them (the rules and the matcher); decide.ts is the one caller
    allowed: ["policy/approval.ts", "policy/deny_match.ts", "policy/decide.ts"],
  },
  {
    what: "writes the audit log",
    pattern: /\b(auditApproval|auditSandbox)\b|appendLog\(\s*["'`]audit/,
    // answer.ts audits every answer; sandbox.ts a headless run the caller took out of Codex's sandbox
    allowed: ["policy/audit.ts", "policy/answer.ts", "policy/sandbox.ts"],
  },
  {
    what: "hands input to a substrate",
    pattern: /\.deliver\(/,
    // the answer path; the verified send (driver/send.ts) it delivers messages through; start's
    // own typing before any gate can be open (the task, /plan); the substrates themselves
    // (exec_start.ts: a headless session's first run, the task, before anything can be open; and a
    // review run of a headless session, which never waits on a gate — the substrate refuses while a
    // run goes)
    allowed: ["policy/answer.ts", "driver/send.ts", "driver/start.ts", "driver/exec_start.ts", "substrate/"],
  },
  {
    what: "types a message into a session",
    pattern: /\b(verifiedSend|deliverMessage)\(/,
    // answering.ts hands deliverMessage to the answer path; start.ts sends the task once ready
    allowed: ["driver/send.ts", "driver/answering.ts", "driver/start.ts"],
  },
];

async function sources(dir = SRC, out = new Map<string, string>()): Promise<Map<string, string>> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await sources(path, out);
    else if (e.name.endsWith(".ts")) out.set(relative(SRC, path), await Deno.readTextFile(path));
  }
  return out;
}

/** Every module that names something only the allowed modules may. */
function offenders(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    for (const rule of RULES) {
      const allowed = rule.allowed.some((a) => (a.endsWith("/") ? path.startsWith(a) : path === a));
      if (!allowed && rule.pattern.test(text)) out.push(`src/${path} ${rule.what}`);
    }
  }
  return out;
}

Deno.test("only the answer path applies the deny rules, writes the audit log and hands input to a substrate", async () => {
  const files = await sources();
  assert.ok(files.size > 100, "src/ was read");
  assert.deepEqual(offenders(files), []);
  // each allowed module really is where it happens (a rule that matches nothing guards nothing)
  for (const rule of RULES) {
    const hits = [...files].filter(([, text]) => rule.pattern.test(text)).map(([p]) => p);
    assert.ok(hits.length >= 2, `${rule.what}: found in ${hits.join(", ")}`);
  }
});

Deno.test("the check sees a verb that answers around the answer path", () => {
  const planted = new Map([
    ["driver/reply.ts", 'await session.store.appendLog("audit", { decision: "approve" });'],
    ["driver/exec_start.ts", "await auditSandbox(store, record);"],
    ["watch/session_watch.ts", "const d = evaluateApproval(policy, subject, ctx);"],
    ["cli/send.ts", 'await session.substrate.deliver(session.handle, { kind: "text", text });'],
    ["driver/settle.ts", "await verifiedSend(session, text);"],
    ["policy/answer.ts", "const d = denyingRule(policy, subject, ctx);"],
  ]);
  assert.deepEqual(offenders(planted), [
    "src/cli/send.ts hands input to a substrate",
    "src/driver/exec_start.ts writes the audit log",
    "src/driver/reply.ts writes the audit log",
    "src/driver/settle.ts types a message into a session",
    "src/policy/answer.ts applies the deny rules or the policy's decision",
    "src/watch/session_watch.ts applies the deny rules or the policy's decision",
  ]);
});
