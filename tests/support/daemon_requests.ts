/**
 * Server requests recorded from the real Codex 0.169.0 daemon over its control socket: a command
 * approval, a Plan-mode question and a file-change approval, as the daemon sends them to a client.
 *
 * @module
 */

/** The thread of the recorded requests. */
export const RECORDED_THREAD = "01a1feeb-2f02-7e61-bb70-b597135eab2b";

/** Recorded from Codex 0.169.0: a command approval sent to an external client after thread/resume. */
export const COMMAND_APPROVAL = {
  method: "item/commandExecution/requestApproval",
  id: 0,
  params: {
    kind: "command",
    threadId: RECORDED_THREAD,
    turnId: "01a1feeb-a453-7470-ae40-c337cfb5215c",
    itemId: "call_1",
    startedAtMs: 1795278218510,
    environmentId: "local",
    reason: "The mock model needs to write outside the sandbox",
    command: "/bin/bash -lc 'touch x.txt'",
    cwd: "/tmp/probe-cwd-b022e6e6b2f3e3ff",
    commandActions: [{ type: "unknown", command: "touch x.txt" }],
    proposedExecpolicyAmendment: ["touch", "x.txt"],
    availableDecisions: ["accept", {
      acceptWithExecpolicyAmendment: { execpolicy_amendment: ["touch", "x.txt"] },
    }, "cancel"],
  },
};

/** Recorded from Codex 0.169.0 in Plan mode. */
export const USER_INPUT = {
  method: "item/tool/requestUserInput",
  id: 1,
  params: {
    threadId: RECORDED_THREAD,
    turnId: "01a1feec-1502-7870-84b1-f4cfac0f1c72",
    itemId: "call_4",
    questions: [{
      id: "color",
      header: "Color",
      question: "Which color should the widget be?",
      isOther: true,
      isSecret: false,
      options: [{ label: "Red (Recommended)", description: "Warm and visible" }, {
        label: "Blue",
        description: "Calm and cool",
      }],
    }],
    isBlocking: true,
    autoResolutionMs: null,
  },
};

/** Recorded from Codex 0.169.0 (read-only sandbox, apply_patch). */
export const FILE_CHANGE = {
  method: "item/fileChange/requestApproval",
  id: 0,
  params: {
    threadId: RECORDED_THREAD,
    turnId: "01a1fef4-65d5-7123-98cd-4ef8fa2e94f5",
    itemId: "call_1",
    startedAtMs: 1795278792338,
    reason: null,
    grantRoot: null,
  },
};
