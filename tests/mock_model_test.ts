import assert from "node:assert/strict";
import {
  ASK_QUESTION,
  directiveReply,
  findMarker,
  isTitleRequest,
  MockModel,
  mockPlan,
  parseDirectives,
  parseRequest,
} from "./support/mock_model.ts";
import { withMarkerReminder, wrapTask } from "../src/codex/prompt.ts";

function userMessage(text: string) {
  return { type: "message", role: "user", content: [{ type: "input_text", text }] };
}

function body(input: unknown[], tools = ["exec_command", "request_user_input"]) {
  return {
    model: "mock-model",
    stream: true,
    input,
    tools: tools.map((name) => ({ type: "function", name })),
  };
}

async function sse(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text.split("\n\n").filter((b) => b.trim()).map((block) => {
    const data = block.split("\n").find((l) => l.startsWith("data: "));
    assert.ok(data, `SSE block without data: ${block}`);
    const event = JSON.parse(data.slice(6));
    const name = block.split("\n").find((l) => l.startsWith("event: "))!.slice(7);
    assert.equal(event.type, name, "the event: line names the data's type");
    return event;
  });
}

Deno.test("directives are parsed in order and goal expands to create + update", () => {
  assert.deepEqual(parseDirectives("{{shell echo hi}} then {{done}}"), [{ name: "shell", arg: "echo hi" }, {
    name: "done",
    arg: "",
  }]);
  assert.deepEqual(parseDirectives("{{goal Ship it}}").map((d) => d.name), ["create_goal", "update_goal"]);
  assert.deepEqual(parseDirectives("no directives here"), []);
});

Deno.test("the marker is found in both of the herdr plugin's wordings", () => {
  assert.equal(findMarker([wrapTask("do it", "CDX_DONE_ABC123")]), "CDX_DONE_ABC123");
  assert.equal(findMarker([withMarkerReminder("more", "CDX_DONE_0FF1CE")]), "CDX_DONE_0FF1CE");
  assert.equal(findMarker(["nothing"]), null);
});

Deno.test("the step index counts tool calls since the last real user message", () => {
  const input = [
    userMessage("<environment_context>cwd</environment_context>"),
    userMessage("{{shell a}} {{shell b}} {{done}}"),
    { type: "function_call", call_id: "c1", name: "exec_command", arguments: "{}" },
    { type: "function_call_output", call_id: "c1", output: "ok" },
  ];
  const req = parseRequest(body(input));
  assert.equal(req.step, 1);
  assert.equal(req.userText, "{{shell a}} {{shell b}} {{done}}");
  assert.deepEqual(directiveReply(req).reply, { kind: "shell", command: "b" });
});

Deno.test("shell uses exec_command when offered, else the legacy shell tool", () => {
  const modern = directiveReply(parseRequest(body([userMessage("{{escalate touch x}}")])));
  assert.deepEqual(modern.reply, {
    kind: "shell",
    command: "touch x",
    escalate: "The mock model needs to write outside the sandbox",
  });
});

Deno.test("done prints the marker on its own line; pause delays the next step", () => {
  const req = parseRequest(body([userMessage(wrapTask("{{pause 7}} {{done}} task", "CDX_DONE_AAAAAA"))]));
  const reply = directiveReply(req);
  assert.equal(reply.delaySeconds, 7);
  assert.equal(reply.reply.kind, "message");
  assert.match((reply.reply as { text: string }).text, /\n\nCDX_DONE_AAAAAA$/);
});

Deno.test("a message without directives gets a default reply with the marker when one was asked for", () => {
  const reply = directiveReply(
    parseRequest(
      body([
        userMessage(wrapTask("{{question}} add a cache", "CDX_DONE_BBBBBB")),
        userMessage("Implement the plan."),
      ]),
    ),
  );
  assert.match(
    (reply.reply as { text: string }).text,
    /^Understood: Implement the plan\. Finished the task\.\n\nCDX_DONE_BBBBBB$/,
  );
});

Deno.test("the plan is multi-line and complete", () => {
  const plan = mockPlan(8);
  assert.equal(plan.split("\n").filter((l) => /^\d+\. /.test(l)).length, 8);
  const reply = directiveReply(parseRequest(body([userMessage("{{plan 8}}")])));
  assert.ok((reply.reply as { text: string }).text.includes(`<proposed_plan>\n${plan}\n</proposed_plan>`));
});

Deno.test("the TUI's side request for a thread title is recognised", () => {
  assert.equal(
    isTitleRequest(
      parseRequest(
        body([userMessage("Generate a concise, single-line task title of at most 36 characters")]),
      ),
    ),
    true,
  );
  assert.equal(isTitleRequest(parseRequest(body([userMessage("{{done}}")]))), false);
});

Deno.test("HTTP: a message is streamed as SSE with deltas, then output_item.done and response.completed", async () => {
  const mock = await MockModel.start();
  try {
    const res = await fetch(`${mock.baseUrl}/responses`, {
      method: "POST",
      body: JSON.stringify(body([userMessage("{{say hello there, world}}")])),
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const events = await sse(res);
    const types = events.map((e) => e.type);
    assert.equal(types[0], "response.created");
    assert.ok(types.filter((t) => t === "response.output_text.delta").length >= 2);
    assert.deepEqual(types.slice(-2), ["response.output_item.done", "response.completed"]);
    const deltas = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    assert.equal(deltas, "hello there, world");
    const item = events.at(-2)!.item as { content: { text: string }[] };
    assert.equal(item.content[0].text, "hello there, world");
    assert.equal(mock.requests.length, 1);
    assert.equal(mock.requests[0].userText, "{{say hello there, world}}");
    assert.deepEqual(mock.requests[0].tools, ["exec_command", "request_user_input"]);
  } finally {
    await mock.close();
  }
});

Deno.test("HTTP: tool calls carry JSON-string arguments; ask carries the question; fail is a 500", async () => {
  const mock = await MockModel.start();
  try {
    const post = (input: unknown[], tools?: string[]) =>
      fetch(`${mock.baseUrl}/responses`, { method: "POST", body: JSON.stringify(body(input, tools)) });
    const legacy = await sse(await post([userMessage("{{shell echo hi}}")], ["shell"]));
    const call = legacy.find((e) => e.type === "response.output_item.done")!.item as Record<string, string>;
    assert.equal(call.name, "shell");
    assert.deepEqual(JSON.parse(call.arguments), { command: ["bash", "-lc", "echo hi"] });

    const ask = await sse(await post([userMessage("{{ask}}")]));
    const askCall = ask.find((e) => e.type === "response.output_item.done")!.item as Record<string, string>;
    assert.equal(askCall.name, "request_user_input");
    assert.deepEqual(JSON.parse(askCall.arguments), { questions: [ASK_QUESTION] });

    const fail = await post([userMessage("{{fail}}")]);
    assert.equal(fail.status, 500);
    await fail.body?.cancel();

    const notFound = await fetch(`${mock.baseUrl}/models`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
  } finally {
    await mock.close();
  }
});

Deno.test("HTTP: queued replies win over directives, but title requests never consume the queue", async () => {
  const mock = await MockModel.start();
  try {
    mock.enqueue(
      { kind: "message", text: "scripted one" },
      () => ({ kind: "message", text: "scripted two" }),
    );
    const post = async (text: string) => {
      const events = await sse(
        await fetch(`${mock.baseUrl}/responses`, {
          method: "POST",
          body: JSON.stringify(body([userMessage(text)])),
        }),
      );
      return ((events.find((e) => e.type === "response.output_item.done")!.item as {
        content: { text: string }[];
      }).content[0].text);
    };
    assert.equal(await post("{{say ignored}}"), "scripted one");
    assert.equal(
      await post("Generate a concise, single-line task title of at most 36 characters"),
      "Mock task",
    );
    assert.equal(await post("{{say ignored}}"), "scripted two");
    assert.equal(await post("{{say now directives}}"), "now directives");
    await mock.waitForRequests(4, 1000);
  } finally {
    await mock.close();
  }
});

Deno.test("HTTP: a paused reply is cut cleanly when the client goes away", async () => {
  const mock = await MockModel.start();
  try {
    const ctrl = new AbortController();
    const pending = fetch(`${mock.baseUrl}/responses`, {
      method: "POST",
      body: JSON.stringify(body([userMessage("{{pause 30}} {{done}}")])),
      signal: ctrl.signal,
    })
      .then((r) => r.text());
    await mock.waitForRequests(1, 5000);
    ctrl.abort();
    await assert.rejects(pending);
  } finally {
    await mock.close();
  }
});

Deno.test("HTTP: upstream errors in the shapes Codex parses (usage limit, rate limit, context, quota, 401)", async () => {
  const mock = await MockModel.start();
  try {
    const post = (text: string) =>
      fetch(`${mock.baseUrl}/responses`, { method: "POST", body: JSON.stringify(body([userMessage(text)])) });
    const limit = await post("{{limit plus}}");
    assert.equal(limit.status, 429);
    const limitBody = await limit.json();
    assert.equal(
      limitBody.error.type,
      "usage_limit_reached",
      "what api_bridge.rs turns into UsageLimitReached",
    );
    assert.equal(limitBody.error.plan_type, "plus");
    assert.ok(limitBody.error.resets_at > Date.now() / 1000, "resets_at: a unix time in the future");
    const rate = await post("{{ratelimit}}");
    assert.equal(rate.status, 429);
    assert.notEqual((await rate.json()).error.type, "usage_limit_reached");
    const unauthorized = await post("{{unauthorized}}");
    assert.equal(unauthorized.status, 401);
    assert.equal((await unauthorized.json()).error.code, "invalid_api_key");
    for (
      const [directive, code] of [["{{context}}", "context_length_exceeded"], [
        "{{quota}}",
        "insufficient_quota",
      ]]
    ) {
      const events = await sse(await post(directive));
      const failed = events.find((e) => e.type === "response.failed") as {
        response: { error: { code: string } };
      };
      assert.equal(failed.response.error.code, code);
      assert.equal(
        events.some((e) => e.type === "response.completed"),
        false,
        "a failed response never completes",
      );
    }
  } finally {
    await mock.close();
  }
});
