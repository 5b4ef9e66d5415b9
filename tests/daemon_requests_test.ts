/**
 * Reading the daemon's wire messages and server requests (shapes recorded from Codex 0.169.0 over
 * the control socket) and building the answers codexctl sends back.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { classifyMessage, versionFromUserAgent } from "../src/codex/daemon/protocol.ts";
import {
  decisionFor,
  parsePendingRequest,
  type PendingApproval,
  PendingRequestSchema,
  type PendingUserInput,
  unwrapShell,
  userInputResult,
} from "../src/codex/daemon/requests.ts";
import { CodexctlError } from "../src/errors.ts";
import {
  COMMAND_APPROVAL,
  FILE_CHANGE,
  RECORDED_THREAD as T,
  USER_INPUT,
} from "./support/daemon_requests.ts";

Deno.test("wire: responses, errors, notifications and server requests are told apart; garbage is not", () => {
  assert.deepEqual(classifyMessage({ id: 1, result: { a: 1 } }), {
    type: "response",
    id: 1,
    result: { a: 1 },
  });
  assert.deepEqual(classifyMessage({ id: 2, result: null }), { type: "response", id: 2, result: null });
  assert.deepEqual(classifyMessage({ error: { code: -32600, message: "Not initialized" }, id: 1 }), {
    type: "error",
    id: 1,
    code: -32600,
    message: "Not initialized",
  });
  assert.deepEqual(classifyMessage({ method: "turn/started", params: { x: 1 }, emittedAtMs: 5 }), {
    type: "notification",
    method: "turn/started",
    params: { x: 1 },
  });
  assert.equal(classifyMessage(COMMAND_APPROVAL)?.type, "request");
  for (const garbage of [null, 1, "x", [], {}, { id: 1 }, { hello: 1 }, { method: 5 }, { error: "no" }]) {
    assert.equal(classifyMessage(garbage), null, JSON.stringify(garbage));
  }
});

Deno.test("wire: the daemon version comes from its user agent", () => {
  assert.equal(
    versionFromUserAgent("codex-tui/0.169.0 (Debian 12.0.0; x86_64) tmux-256color (codexctl; 0.1)"),
    "0.169.0",
  );
  assert.equal(versionFromUserAgent("codex_vscode/0.170.0-alpha.2 (Mac OS)"), "0.170.0-alpha.2");
  assert.equal(versionFromUserAgent("something else"), null);
  assert.equal(versionFromUserAgent(undefined), null);
});

Deno.test("a recorded command approval becomes a full pending request with numbered decisions", () => {
  const r = parsePendingRequest(COMMAND_APPROVAL);
  PendingRequestSchema.parse(r);
  assert.equal(r.kind, "command_approval");
  if (r.kind !== "command_approval") return;
  assert.equal(r.key, "call_1");
  assert.equal(r.rpc_id, 0);
  assert.equal(r.thread_id, T);
  assert.equal(r.command, "/bin/bash -lc 'touch x.txt'");
  assert.equal(r.command_text, "touch x.txt");
  assert.equal(r.cwd, "/tmp/probe-cwd-b022e6e6b2f3e3ff");
  assert.equal(r.reason, "The mock model needs to write outside the sandbox");
  assert.deepEqual(r.options.map((o) => o.label), [
    "Yes, proceed",
    "Yes, and don't ask again for commands that start with `touch x.txt`",
    "No, and stop the turn",
  ]);
  // an approval id, when Codex gives one, is the stable key
  const withId = parsePendingRequest({
    ...COMMAND_APPROVAL,
    params: { ...COMMAND_APPROVAL.params, approvalId: "ap-1" },
  });
  assert.equal(withId.key, "ap-1");
});

Deno.test("a recorded question and a file change parse; malformed or unknown requests are 'other', never a throw", () => {
  const q = parsePendingRequest(USER_INPUT);
  PendingRequestSchema.parse(q);
  assert.equal(q.kind, "user_input");
  if (q.kind === "user_input") {
    assert.deepEqual(q.questions[0].options.map((o) => [o.key, o.label, o.recommended]), [
      ["1", "Red (Recommended)", true],
      ["2", "Blue", false],
    ]);
    assert.equal(q.questions[0].is_other, true);
  }
  const f = parsePendingRequest(FILE_CHANGE);
  PendingRequestSchema.parse(f);
  assert.equal(f.kind, "file_change_approval");
  assert.equal(
    parsePendingRequest({ id: 3, method: "item/tool/call", params: { threadId: T } }).kind,
    "other",
  );
  fc.assert(
    fc.property(
      fc.anything(),
      fc.constantFrom(COMMAND_APPROVAL.method, USER_INPUT.method, FILE_CHANGE.method, "x"),
      (params, method) => {
        const r = parsePendingRequest({ id: 9, method, params });
        PendingRequestSchema.parse(r);
      },
    ),
  );
});

Deno.test("unwrapShell removes Codex's shell wrapper and keeps everything else", () => {
  assert.equal(unwrapShell("/bin/bash -lc 'touch x.txt'"), "touch x.txt");
  assert.equal(unwrapShell("bash -c 'echo '\\''hi'\\'''"), "echo 'hi'");
  assert.equal(unwrapShell(`/usr/bin/zsh -lc "ls -la"`), "ls -la");
  assert.equal(unwrapShell("git status"), "git status");
  assert.equal(unwrapShell(null), null);
});

Deno.test("approval answers: approve/reject/choice map onto what Codex offers", () => {
  const r = parsePendingRequest(COMMAND_APPROVAL) as PendingApproval;
  assert.equal(decisionFor(r, { kind: "approve" }), "accept");
  assert.equal(decisionFor(r, { kind: "reject" }), "cancel", "0.169 offers no decline for commands");
  assert.deepEqual(decisionFor(r, { kind: "choice", n: 2 }), {
    acceptWithExecpolicyAmendment: { execpolicy_amendment: ["touch", "x.txt"] },
  });
  assert.throws(
    () => decisionFor(r, { kind: "choice", n: 4 }),
    (e) => e instanceof CodexctlError && e.code === "BAD_REPLY",
  );
  assert.throws(
    () => decisionFor(r, { kind: "decision", decision: "acceptForSession" }),
    (e) => e instanceof CodexctlError && e.code === "BAD_REPLY",
  );
  const f = parsePendingRequest(FILE_CHANGE) as PendingApproval;
  assert.equal(decisionFor(f, { kind: "reject" }), "decline");
  assert.equal(decisionFor(f, { kind: "choice", n: 2 }), "acceptForSession");
});

Deno.test("question answers: by number, by label, free text only where Codex accepts it", () => {
  const q = parsePendingRequest(USER_INPUT) as PendingUserInput;
  assert.deepEqual(userInputResult(q, [{ kind: "choice", n: 2 }]), {
    answers: { color: { answers: ["Blue"] } },
  });
  assert.deepEqual(userInputResult(q, [{ kind: "text", text: "blue" }]), {
    answers: { color: { answers: ["Blue"] } },
  });
  assert.deepEqual(userInputResult(q, [{ kind: "text", text: "Green, please" }]), {
    answers: { color: { answers: ["Green, please"] } },
  });
  const closed: PendingUserInput = {
    ...q,
    questions: [{ ...q.questions[0], is_other: false }, { ...q.questions[0], id: "size", is_other: false }],
  };
  const bad = (fn: () => unknown) =>
    assert.throws(fn, (e) => e instanceof CodexctlError && e.code === "BAD_REPLY");
  bad(() => userInputResult(closed, [{ kind: "text", text: "Green" }, { kind: "choice", n: 1 }]));
  bad(() => userInputResult(closed, [{ kind: "choice", n: 1 }]));
  bad(() => userInputResult(q, [{ kind: "choice", n: 3 }]));
  bad(() => userInputResult(q, [{ kind: "text", text: "   " }]));
  assert.deepEqual(userInputResult(closed, [{ kind: "choice", n: 1 }, { kind: "text", text: "BLUE" }]), {
    answers: { color: { answers: ["Red (Recommended)"] }, size: { answers: ["Blue"] } },
  });
});
