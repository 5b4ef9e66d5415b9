/**
 * The answer path's classification (`src/policy/decide.ts`), pure: every input kind (approve, reject,
 * choice, text, message, keys, the policy) against every kind of gate — read off recorded real
 * Codex 0.169 screens through the verdict machine, or built from requests recorded from the real
 * 0.169 daemon — with the default policy, a deny rule and auto-approve. Plus the class guard: no
 * text, message or key press is ever let into an open dialog, whatever it says.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { decide as machine } from "../src/verdict/machine.ts";
import type { Evidence } from "../src/verdict/evidence.ts";
import { parsePendingRequest } from "../src/codex/daemon/requests.ts";
import { type ApprovalPolicy, DEFAULT_POLICY } from "../src/policy/config.ts";
import { type AnswerInput, decide, type Decision, fits } from "../src/policy/decide.ts";
import { type Gate, requestGate, sessionGate } from "../src/policy/gate.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { evidenceOf, foldUntil, rolloutLines } from "./support/fixtures.ts";
import { FIXTURE_MARKER } from "./support/scenarios.ts";
import { COMMAND_APPROVAL, FILE_CHANGE, RECORDED_THREAD, USER_INPUT } from "./support/daemon_requests.ts";

/** Cases per property: 2 000 (CI); `deno task fuzz` runs 10 000 (CODEXCTL_PROPERTY_RUNS). */
const RUNS = Number(Deno.env.get("CODEXCTL_PROPERTY_RUNS") ?? 2000);

const SESSION = "cdx-1a2b";
const WORKTREE = "/work/repo";

/** A session's gate as the answer path sees it: a recorded screen, decided by the verdict machine. */
function screenGate(scenario: string, label: string): Gate {
  const dir = join(FIXTURES_DIR, "codex-0.169.0", scenario, "tui.screens");
  const file = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) =>
    n.replace(/^\d+-|\.txt$/g, "") === label
  )!;
  const screen = Deno.readTextFileSync(join(dir, file));
  const evidence: Evidence = {
    target: { session: SESSION, thread: null },
    now: Date.now(),
    thread: null,
    pane: { alive: true, status: null, screen, recent: screen },
    process: null,
    marker: FIXTURE_MARKER,
    artifacts: [],
  };
  return sessionGate(machine(evidence).verdict, screen, {
    session: SESSION,
    cwd: WORKTREE,
    worktree: WORKTREE,
  });
}

const daemonGate = (request: { id: number; method: string; params: unknown }) =>
  requestGate(parsePendingRequest(request), RECORDED_THREAD, "/tmp/probe-cwd-b022e6e6b2f3e3ff");

const GATES = {
  approval: screenGate("escalated", "approval"),
  plan: screenGate("plan", "plan-menu"),
  trust: screenGate("trust", "trust-dialog"),
  widget: screenGate("user_input", "widget"),
  chat: screenGate("question", "question"),
  done: screenGate("marker", "done"),
  daemonCommand: daemonGate(COMMAND_APPROVAL),
  daemonFile: daemonGate(FILE_CHANGE),
  daemonQuestion: daemonGate(USER_INPUT),
  daemonOther: daemonGate({ id: 7, method: "item/tool/call", params: { threadId: RECORDED_THREAD } }),
};

const INPUTS: Record<string, AnswerInput> = {
  approve: { kind: "approve" },
  reject: { kind: "reject" },
  choice1: { kind: "choice", n: [1] },
  choice2: { kind: "choice", n: [2] },
  choice3: { kind: "choice", n: [3] },
  choice9: { kind: "choice", n: [9] },
  text: { kind: "text", text: "p" },
  message: { kind: "message", text: "y" },
  keys: { kind: "keys", keys: ["Enter"] },
  policy: { kind: "policy" },
};

/** What a decision comes down to, for the tables: `allow:<answer>[!]` (! audited), `deny`, or the refusal code. */
function short(d: Decision): string {
  if (d.outcome === "deny") return `deny${d.refusal.code === "POLICY_DENIED" ? "" : "?"}`;
  if (d.outcome === "refuse") return `${d.refusal.code}${d.audit ? "!" : ""}`;
  const a = d.answer;
  const what = a.kind === "choice"
    ? `choice${a.rejects ? "-no" : ""}`
    : a.kind === "text"
    ? `text${a.dismiss ? "-dismiss" : ""}`
    : a.kind;
  return `allow:${what}${d.audit ? "!" : ""}`;
}

function table(gate: Gate, policy: ApprovalPolicy = { ...DEFAULT_POLICY }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(INPUTS).map(([name, input]) => [name, short(decide(gate, input, policy))]),
  );
}

Deno.test("the recorded screens and daemon requests give the gate kinds the answer path knows", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(GATES).map(([k, g]) => [k, `${g.kind}${g.dialog ? "+dialog" : ""}`])),
    {
      approval: "permission+dialog",
      plan: "plan+dialog",
      trust: "trust+dialog",
      widget: "question+dialog",
      chat: "question",
      done: "none",
      daemonCommand: "permission+dialog",
      daemonFile: "permission+dialog",
      daemonQuestion: "question+dialog",
      daemonOther: "other+dialog",
    },
  );
  assert.deepEqual(GATES.approval.subject, {
    kind: "command",
    command: "touch escalated.txt",
    cwd: WORKTREE,
  });
  assert.deepEqual(GATES.daemonCommand.subject?.command, "touch x.txt");
  assert.deepEqual(GATES.approval.options.map((o) => o.rejects), [false, false, true]);
  assert.deepEqual(GATES.daemonCommand.options.map((o) => o.rejects), [false, false, true]);
  assert.deepEqual(GATES.daemonCommand.ids, ["call_1"]);
  assert.equal(GATES.approval.ids.length, 1, "a session gate is named by its gate signature");
});

Deno.test("decide: a permission dialog on screen takes approve, reject and its options — never words, a message or keys", () => {
  assert.deepEqual(table(GATES.approval), {
    approve: "allow:approve!",
    reject: "allow:reject!",
    choice1: "allow:choice!",
    choice2: "allow:choice!",
    choice3: "allow:choice-no!",
    choice9: "BAD_REPLY",
    text: "BAD_REPLY",
    message: "THREAD_BUSY",
    keys: "BAD_REPLY",
    policy: "SURFACED!",
  });
  const busy = decide(GATES.approval, INPUTS.message, { ...DEFAULT_POLICY });
  assert.equal(busy.outcome, "refuse");
  if (busy.outcome !== "refuse") return;
  assert.equal(busy.refusal.class, "environment");
  assert.match(busy.refusal.message, /cdx-1a2b is waiting on approval to run `touch escalated\.txt`/);
  assert.match(busy.refusal.message, /typed into its dialog/);
  assert.match(busy.refusal.suggestion, /codexctl reply --session cdx-1a2b --approve or --reject/);
  const text = decide(GATES.approval, INPUTS.text, { ...DEFAULT_POLICY });
  assert.ok(text.outcome === "refuse" && text.refusal.class === "usage");
  assert.match(text.why, /takes no text/);
});

Deno.test("decide: deny rules hold for every approving answer (approve, a yes option, the policy) and never for a rejection", () => {
  const deny: ApprovalPolicy = {
    ...DEFAULT_POLICY,
    rules: [{ action: "deny", commandPrefix: ["touch escalated.txt"], name: "no touching" }],
  };
  assert.deepEqual(table(GATES.approval, deny), {
    approve: "deny",
    reject: "allow:reject!",
    choice1: "deny",
    choice2: "deny",
    choice3: "allow:choice-no!",
    choice9: "BAD_REPLY",
    text: "BAD_REPLY",
    message: "THREAD_BUSY",
    keys: "BAD_REPLY",
    policy: "allow:reject!",
  });
  const denied = decide(GATES.approval, INPUTS.choice2, deny);
  assert.ok(denied.outcome === "deny");
  assert.match(denied.rule, /no touching/);
  assert.match(denied.refusal.message, /forbids approving `touch escalated\.txt`.*nothing was pressed/);
  const daemonDeny: ApprovalPolicy = {
    ...DEFAULT_POLICY,
    rules: [{ action: "deny", commandPrefix: ["touch"] }],
  };
  assert.deepEqual(
    ["approve", "choice2", "choice3", "reject", "policy"].map((k) =>
      short(decide(GATES.daemonCommand, INPUTS[k], daemonDeny))
    ),
    ["deny", "deny", "allow:choice-no!", "allow:reject!", "allow:reject!"],
  );
  const files: ApprovalPolicy = { ...DEFAULT_POLICY, rules: [{ action: "deny", kind: ["fileChange"] }] };
  assert.equal(short(decide(GATES.daemonFile, INPUTS.approve, files)), "deny");
  const auto: ApprovalPolicy = { ...DEFAULT_POLICY, autoApprove: true, autoApproveSource: "flag" };
  const approved = decide(GATES.approval, INPUTS.policy, auto);
  assert.ok(approved.outcome === "allow" && approved.answer.kind === "approve" && approved.audit);
  assert.equal(approved.rule, "--auto-approve");
  assert.equal(short(decide(GATES.approval, INPUTS.policy, { ...auto, rules: deny.rules })), "allow:reject!");
});

Deno.test("decide: a gate only the rollout suggests (no dialog on screen yet) is not answered by the policy, whatever it says", () => {
  const mid = foldUntil(
    rolloutLines("0.169.0", "escalated", "tui"),
    (l) => l.includes('"sandbox_permissions') && l.includes('"function_call"'),
  );
  const screen = ""; // the dialog is not painted yet
  const verdict = machine(evidenceOf(mid, {
    target: { session: SESSION, thread: null },
    pane: { alive: true, status: null, screen, recent: screen },
  })).verdict;
  assert.equal(verdict.reason, "approval_probable");
  const gate = sessionGate(verdict, screen, { session: SESSION, cwd: WORKTREE, worktree: WORKTREE });
  assert.equal(gate.kind, "permission");
  assert.equal(gate.dialog, false);
  const policies: ApprovalPolicy[] = [
    { ...DEFAULT_POLICY, autoApprove: true, autoApproveSource: "flag" },
    { ...DEFAULT_POLICY, rules: [{ action: "deny", commandPrefix: ["rm"] }] },
    { ...DEFAULT_POLICY, rules: [{ action: "allow", kind: ["command"] }] },
  ];
  for (const policy of policies) assert.equal(short(decide(gate, INPUTS.policy, policy)), "SURFACED");
  // the caller may approve it, but a command deny rule holds for a command nobody can see yet
  assert.equal(short(decide(gate, INPUTS.approve, { ...DEFAULT_POLICY })), "allow:approve!");
  const deny = decide(gate, INPUTS.approve, policies[1]);
  assert.ok(deny.outcome === "deny");
  assert.match(deny.rule, /deny commandPrefix "rm".*not on screen yet/);
  assert.equal(short(decide(gate, INPUTS.reject, policies[1])), "allow:reject!");
  // the caller's words and messages are refused as for a dialog on screen
  assert.equal(short(decide(gate, INPUTS.text, { ...DEFAULT_POLICY })), "BAD_REPLY");
  assert.equal(short(decide(gate, INPUTS.message, { ...DEFAULT_POLICY })), "THREAD_BUSY");
});

Deno.test("decide: a plan takes approve, reject, a choice or words (the menu dismissed first), all audited", () => {
  assert.deepEqual(table(GATES.plan), {
    approve: "allow:approve!",
    reject: "allow:reject!",
    choice1: "allow:choice!",
    choice2: "allow:choice!",
    choice3: "allow:choice-no!",
    choice9: "BAD_REPLY",
    text: "allow:text-dismiss!",
    message: "THREAD_BUSY",
    keys: "BAD_REPLY",
    policy: "SURFACED",
  });
});

Deno.test("decide: the folder-trust dialog takes approve, reject or a choice; words, messages and keys are refused", () => {
  assert.deepEqual(table(GATES.trust), {
    approve: "allow:approve!",
    reject: "allow:reject!",
    choice1: "allow:choice!",
    choice2: "allow:choice!",
    choice3: "BAD_REPLY",
    choice9: "BAD_REPLY",
    text: "BAD_REPLY",
    message: "THREAD_BUSY",
    keys: "BAD_REPLY",
    policy: "SURFACED",
  });
});

Deno.test("decide: a question takes a choice or words, never an approval; a message answers only a question asked in the chat", () => {
  assert.deepEqual(table(GATES.widget), {
    approve: "BAD_REPLY",
    reject: "BAD_REPLY",
    choice1: "allow:choice",
    choice2: "allow:choice",
    choice3: "allow:choice",
    choice9: "BAD_REPLY",
    text: "allow:text-dismiss",
    message: "THREAD_BUSY",
    keys: "BAD_REPLY",
    policy: "SURFACED",
  });
  const chat = table(GATES.chat);
  assert.equal(
    chat.message,
    "allow:text",
    "Codex asked in its chat and ended its turn: a message answers it",
  );
  assert.equal(chat.text, "allow:text");
  assert.equal(chat.keys, "BAD_REPLY");
  assert.equal(chat.approve, "BAD_REPLY");
  const daemon = table(GATES.daemonQuestion);
  assert.equal(daemon.text, "allow:text", "the daemon answers with the text itself: nothing to dismiss");
  assert.equal(daemon.choice2, "allow:choice");
  assert.equal(daemon.approve, "BAD_REPLY");
  assert.equal(daemon.message, "THREAD_BUSY");
  assert.equal(
    short(decide(GATES.daemonQuestion, { kind: "choice", n: [2, 1] }, { ...DEFAULT_POLICY })),
    "allow:choice",
  );
  assert.equal(
    short(decide(GATES.daemonCommand, { kind: "choice", n: [2, 1] }, { ...DEFAULT_POLICY })),
    "BAD_REPLY",
  );
});

Deno.test("decide: with no gate open a message, words or keys go through as they are; an answer has nothing to answer", () => {
  assert.deepEqual(table(GATES.done), {
    approve: "NO_GATE",
    reject: "NO_GATE",
    choice1: "NO_GATE",
    choice2: "NO_GATE",
    choice3: "NO_GATE",
    choice9: "NO_GATE",
    text: "allow:message",
    message: "allow:message",
    keys: "allow:keys",
    policy: "NO_GATE",
  });
  const none = decide(GATES.done, INPUTS.approve, { ...DEFAULT_POLICY });
  assert.ok(none.outcome === "refuse" && none.refusal.class === "not_found");
  assert.match(none.why, /^cdx-1a2b is completed\/marker_verified: there is nothing to approve$/);
  for (const input of Object.values(INPUTS)) {
    assert.equal(short(decide(GATES.daemonOther, input, { ...DEFAULT_POLICY })), "UNSUPPORTED_REQUEST");
  }
});

Deno.test("decide: the daemon's offered decisions are the options of its approval", () => {
  const t = table(GATES.daemonCommand);
  assert.deepEqual(
    [t.approve, t.reject, t.choice1, t.choice2, t.choice3, t.choice9, t.text, t.message, t.keys, t.policy],
    [
      "allow:approve!",
      "allow:reject!",
      "allow:choice!",
      "allow:choice!",
      "allow:choice-no!",
      "BAD_REPLY",
      "BAD_REPLY",
      "THREAD_BUSY",
      "BAD_REPLY",
      "SURFACED!",
    ],
  );
  const busy = decide(GATES.daemonCommand, INPUTS.message, { ...DEFAULT_POLICY });
  assert.ok(busy.outcome === "refuse");
  assert.match(
    busy.refusal.message,
    /thread 01a1feeb-2f02-7e61-bb70-b597135eab2b is waiting on approval to run `touch x\.txt`; a message now would not start a turn/,
  );
  assert.match(
    busy.refusal.suggestion,
    /codexctl reply --thread 01a1feeb-2f02-7e61-bb70-b597135eab2b --approve or --reject/,
  );
  assert.equal(fits(GATES.daemonCommand, INPUTS.approve), true);
  assert.equal(fits(GATES.daemonQuestion, INPUTS.approve), false);
});

Deno.test("class guard: whatever words, message or keys arrive, nothing is typed into an open dialog and nothing approves a permission gate", () => {
  const open = Object.values(GATES).filter((g) => g.kind !== "none");
  const policies: ApprovalPolicy[] = [
    { ...DEFAULT_POLICY },
    { ...DEFAULT_POLICY, autoApprove: true, autoApproveSource: "config" },
    { ...DEFAULT_POLICY, rules: [{ action: "allow", kind: ["command", "fileChange"] }] },
  ];
  const input = fc.oneof(
    fc.string().map((text): AnswerInput => ({ kind: "text", text })),
    fc.string().map((text): AnswerInput => ({ kind: "message", text })),
    fc.constantFrom("y", "p", "a", "1", "2", "\r", "\n", "yes", "/approve").map((text): AnswerInput => ({
      kind: "message",
      text,
    })),
    fc.array(fc.constantFrom("Enter", "Esc", "Down", "Up", "Tab", "BTab", "C-c", "C-u"), { minLength: 1 })
      .map((
        keys,
      ): AnswerInput => ({ kind: "keys", keys })),
  );
  fc.assert(
    fc.property(fc.constantFrom(...open), input, fc.constantFrom(...policies), (gate, i, policy) => {
      const d = decide(gate, i, policy);
      if (d.outcome !== "allow") return true;
      // a permission gate or the trust dialog never takes words, a message or keys
      assert.notEqual(gate.kind, "permission");
      assert.notEqual(gate.kind, "trust");
      assert.ok(d.answer.kind === "text", `allowed as ${d.answer.kind} into a ${gate.kind} gate`);
      // into a dialog only after dismissing it on screen, or as the daemon's own answer
      if (gate.dialog) assert.ok(d.answer.dismiss || gate.request !== null);
      return true;
    }),
    { numRuns: RUNS },
  );
});
