/**
 * The approval policy: the JSONC config, the decision order (deny > allow > autoApprove > surface),
 * command-prefix and worktree matching, and properties that keep allow rules narrow and deny rules
 * hard to dodge.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  allowPrefixMatches,
  type ApprovalSubject,
  denyingRule,
  denyPrefixMatches,
  evaluateApproval,
  isInside,
} from "../src/policy/approval.ts";
import {
  type ApprovalPolicy,
  DEFAULT_POLICY,
  loadApprovalPolicy,
  parseApprovalConfig,
} from "../src/policy/config.ts";
import { auditApproval } from "../src/policy/audit.ts";
import { Store } from "../src/store/store.ts";
import { CodexctlError } from "../src/errors.ts";

const WT = "/work/repo";
const cmd = (command: string, cwd: string | null = WT): ApprovalSubject => ({
  kind: "command",
  command,
  cwd,
});

function policy(text: string): ApprovalPolicy {
  return parseApprovalConfig(text, "/state/config.jsonc");
}

function badConfig(text: string, pattern: RegExp) {
  assert.throws(() => policy(text), (e) => {
    assert.ok(e instanceof CodexctlError);
    assert.equal(e.code, "BAD_CONFIG");
    assert.equal(e.errorClass, "usage");
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("config: JSONC with comments and trailing commas; other sections are left alone", () => {
  const p = policy(`{
    // codexctl config
    "herdr": { "anything": true },
    "approvals": {
      "autoApprove": false,
      "rules": [
        { "action": "deny", "commandPrefix": ["rm -rf", "git push"], "name": "no destruction" },
        /* block */ { "action": "allow", "commandPrefix": "deno test", "cwdInWorktree": true, },
        { "action": "allow", "kind": "fileChange", "cwdInWorktree": true },
      ],
    },
  }`);
  assert.equal(p.rules.length, 3);
  assert.deepEqual(p.rules[0].commandPrefix, ["rm -rf", "git push"]);
  assert.deepEqual(p.rules[1].commandPrefix, ["deno test"]);
  assert.deepEqual(p.rules[2].kind, ["fileChange"]);
  assert.equal(p.source, "/state/config.jsonc");
  assert.deepEqual(policy("").rules, []);
  assert.deepEqual(policy('// nothing yet\n/* { "approvals": {} } */\n').rules, []);
  assert.deepEqual(policy("{}").rules, []);
});

Deno.test("config: a broken file is usage/BAD_CONFIG with the place, never a silent default", () => {
  badConfig(
    `{\n  "approvals": {\n    "rules": [ { "action": "allow" "kind": "command" } ]\n  }\n}`,
    /line 3, column/,
  );
  badConfig(`{"approvals": {"rules": [{"action": "allow", "comandPrefix": "ls"}]}}`, /approvals\.rules\.0/);
  badConfig(`{"approvals": {"rules": [{"action": "allow"}]}}`, /at least one condition/);
  badConfig(
    `{"approvals": {"rules": [{"action": "maybe", "kind": "command"}]}}`,
    /approvals\.rules\.0\.action/,
  );
  badConfig(`{"approvals": {"autoApprove": "yes"}}`, /autoApprove/);
  badConfig(`{"approvals": {"cwdInWorktree": true}}`, /approvals/);
  badConfig(`[1, 2]`, /top level|expected object/i);
});

Deno.test("loadApprovalPolicy: no file → the default policy; --auto-approve adds to the file's rules", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { get: (k: string) => (k === "CODEXCTL_HOME" ? dir : undefined) };
    assert.deepEqual(await loadApprovalPolicy(env), { ...DEFAULT_POLICY });
    await Deno.writeTextFile(
      join(dir, "config.jsonc"),
      `{"approvals":{"rules":[{"action":"deny","commandPrefix":"rm"}]}}`,
    );
    const flagged = await loadApprovalPolicy(env, { autoApprove: true });
    assert.equal(flagged.autoApprove, true);
    assert.equal(flagged.autoApproveSource, "flag");
    assert.equal(flagged.rules.length, 1);
    assert.equal(evaluateApproval(flagged, cmd("rm -rf /"), { worktree: WT }).action, "reject");
    assert.equal(evaluateApproval(flagged, cmd("make"), { worktree: WT }).rule, "--auto-approve");
    await Deno.writeTextFile(join(dir, "config.jsonc"), `{ broken`);
    await assert.rejects(
      () => loadApprovalPolicy(env),
      (e) => e instanceof CodexctlError && e.code === "BAD_CONFIG",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the default policy surfaces every gate and never approves", () => {
  for (
    const subject of [cmd("ls"), cmd("rm -rf /"), { kind: "fileChange" as const, command: null, cwd: WT }]
  ) {
    const d = evaluateApproval({ ...DEFAULT_POLICY }, subject, { worktree: WT });
    assert.equal(d.action, "surface");
    assert.match(d.rule, /default/);
  }
});

Deno.test("order: deny beats allow whatever the order; allow beats the default; autoApprove only when nothing denies", () => {
  const p = policy(`{"approvals":{"rules":[
    {"action":"allow","commandPrefix":"git"},
    {"action":"deny","commandPrefix":"git push","name":"no pushes"}
  ]}}`);
  assert.equal(evaluateApproval(p, cmd("git status"), { worktree: WT }).action, "approve");
  const push = evaluateApproval(p, cmd("git push origin main"), { worktree: WT });
  assert.equal(push.action, "reject");
  assert.match(push.rule, /rule 2 "no pushes" \(deny commandPrefix "git push"\)/);
  assert.equal(evaluateApproval(p, cmd("make"), { worktree: WT }).action, "surface");
  assert.equal(
    evaluateApproval({ ...p, autoApprove: true, autoApproveSource: "config" }, cmd("make"), { worktree: WT })
      .rule,
    "config approvals.autoApprove",
  );
  assert.equal(denyingRule(p, cmd("git push"), { worktree: WT }) !== null, true);
  assert.equal(denyingRule(p, cmd("git status"), { worktree: WT }), null);
});

Deno.test("prefixes match whole words; allow refuses shell operators; deny finds the words anywhere", () => {
  assert.equal(allowPrefixMatches("git status -s", "git status"), true);
  assert.equal(allowPrefixMatches("git statusx", "git status"), false);
  assert.equal(allowPrefixMatches("rmdir x", "rm"), false);
  for (const op of ["; rm -rf /", "&& rm x", "| sh", "> /etc/passwd", "$(rm x)", "`rm x`", "\nrm x"]) {
    assert.equal(allowPrefixMatches(`git status ${op}`, "git status"), false, op);
  }
  assert.equal(denyPrefixMatches("cd x && rm -rf y", "rm -rf"), true);
  assert.equal(denyPrefixMatches("ls;rm -rf y", "rm -rf"), true);
  assert.equal(denyPrefixMatches("echo $(rm -rf y)", "rm -rf"), true);
  assert.equal(denyPrefixMatches("rmdir y", "rm"), false);
});

Deno.test("cwdInWorktree: inside the worktree only, '..' cannot escape, unknown cwd never matches", () => {
  assert.equal(isInside("/work/repo", WT), true);
  assert.equal(isInside("/work/repo/src/x", WT), true);
  assert.equal(isInside("/work/repo/../other", WT), false);
  assert.equal(isInside("/work/repository", WT), false);
  assert.equal(isInside("relative/path", WT), false);
  const p = policy(`{"approvals":{"rules":[{"action":"allow","commandPrefix":"touch","cwdInWorktree":true},
    {"action":"allow","kind":"fileChange","cwdInWorktree":true}]}}`);
  assert.equal(evaluateApproval(p, cmd("touch a", "/work/repo/sub"), { worktree: WT }).action, "approve");
  assert.equal(evaluateApproval(p, cmd("touch a", "/tmp"), { worktree: WT }).action, "surface");
  assert.equal(evaluateApproval(p, cmd("touch a", null), { worktree: WT }).action, "surface");
  assert.equal(evaluateApproval(p, cmd("touch a"), { worktree: null }).action, "surface");
  const file = { kind: "fileChange" as const, command: null, cwd: "/work/repo" };
  assert.equal(evaluateApproval(p, file, { worktree: WT }).action, "approve");
  assert.equal(evaluateApproval(p, { ...file, cwd: null }, { worktree: WT }).action, "surface");
});

const word = fc.stringMatching(/^[a-z][a-z0-9._-]{0,7}$/);

Deno.test("property: an allow prefix never matches a command that chains or redirects", () => {
  fc.assert(fc.property(
    fc.array(word, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(";", "&&", "||", "|", ">", "<", "$(", "`", "\n"),
    fc.array(word, { maxLength: 3 }),
    (prefix, op, tail) => {
      const command = `${prefix.join(" ")} ${op} ${tail.join(" ")}`;
      assert.equal(allowPrefixMatches(command, prefix.join(" ")), false);
    },
  ));
});

Deno.test("property: a deny prefix is found in any segment of a chained command", () => {
  fc.assert(fc.property(
    fc.array(word, { minLength: 1, maxLength: 3 }),
    fc.array(word, { maxLength: 3 }),
    fc.array(word, { maxLength: 3 }),
    fc.constantFrom(";", "&&", "||", "|", " ; ", " && "),
    (prefix, before, after, op) => {
      const command = `${before.join(" ")}${before.length ? op : ""}${prefix.join(" ")} ${after.join(" ")}`;
      const p: ApprovalPolicy = {
        ...DEFAULT_POLICY,
        autoApprove: true,
        autoApproveSource: "flag",
        rules: [{ action: "deny", commandPrefix: [prefix.join(" ")] }],
      };
      assert.equal(evaluateApproval(p, cmd(command), { worktree: WT }).action, "reject");
    },
  ));
});

Deno.test("audit: one JSON line per decision with time, thread, request, command, decision and rule", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new Store(dir);
    await auditApproval(store, {
      event: "approval",
      actor: "policy",
      channel: "daemon",
      thread: "t-1",
      session: null,
      gate: "permission_request",
      seen: "Codex asks for approval to run `touch x`",
      request_id: "call_1",
      kind: "command",
      command: "touch x",
      cwd: WT,
      decision: "accept",
      rule: "--auto-approve",
      by: "watch",
    });
    const lines = (await Deno.readTextFile(join(dir, "logs", "audit.jsonl"))).trim().split("\n");
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]);
    assert.equal(typeof record.time, "string");
    assert.equal(record.request_id, "call_1");
    assert.equal(record.rule, "--auto-approve");
    assert.equal((await Deno.stat(join(dir, "logs", "audit.jsonl"))).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
