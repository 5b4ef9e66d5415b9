/**
 * A loopback mock of the OpenAI Responses API (`POST {base}/responses`, SSE) that real Codex
 * binaries run against fully offline. Protocol facts: ../shared/reference/codex.md §1.
 *
 * Behaviour is scripted two ways:
 * - a queue (`enqueue`) of replies consumed one per request, for tests that need exact control;
 * - otherwise, directives written in the user's message, e.g. `{{shell echo hi}} {{done}}`.
 *   Each directive is one model step of the turn; the step index is the number of tool calls the
 *   mock already made since the last user message, so a tool round-trip advances to the next one.
 *
 * Directives: `{{say TEXT}}`, `{{done [TEXT]}}` (prints the completion marker the prompt asked
 * for), `{{question}}`, `{{shell CMD}}`, `{{escalate CMD}}`, `{{ask}}` (request_user_input),
 * `{{plan [N]}}` (a `<proposed_plan>` with N steps), `{{structured [bad]}}` (a final message matching
 * the `--output-schema` Codex sent, or one that does not), `{{goal OBJECTIVE}}` (create_goal then
 * update_goal), `{{checklist}}` (update_plan), `{{patch FILE}}` (apply_patch), `{{fail}}` (HTTP
 * 500), `{{slow N}}` (stream a message over N s), `{{pause N}}` (say nothing for N s before the
 * next step). Upstream errors in the shapes Codex parses (see {@linkcode upstreamError}):
 * `{{limit [PLAN]}}` (HTTP 429 `usage_limit_reached`: Codex says "You've hit your usage limit"),
 * `{{ratelimit}}` (HTTP 429 without that type: Codex gives up with "exceeded retry limit, last
 * status: 429"), `{{context}}` (`response.failed` with `context_length_exceeded`: "ran out of room
 * in the model's context window"), `{{quota}}` (`response.failed` with `insufficient_quota`:
 * "Quota exceeded"), `{{unauthorized}}` (HTTP 401). A message without directives gets a short default reply (with the marker when the
 * conversation asked for one).
 *
 * A review turn (`codex exec review`, Codex's review guidelines as instructions) is answered by
 * `mock_review.ts`: the review JSON Codex parses, with two findings on the diff Codex asked for.
 *
 * Every request is recorded (and optionally logged as JSONL) so tests can assert what Codex sent.
 *
 * @module
 */
import { isReviewRequest, reviewReply } from "./mock_review.ts";

/** One request Codex made, as recorded by the mock. */
export interface RecordedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Text of the last real user message in `input`. */
  userText: string;
  /** `type` of the last `input` item. */
  lastInputType: string;
  /** Names of the tools Codex offered. */
  tools: string[];
  /** What the mock answered, in words. */
  reply: string;
}

/** What the mock answers to one request. */
export type MockReply =
  | { kind: "message"; text: string; chunks?: number; streamSeconds?: number }
  | { kind: "tool"; name: string; arguments: Record<string, unknown> }
  | { kind: "shell"; command: string; escalate?: string }
  | { kind: "patch"; input: string }
  | {
    kind: "fail";
    status?: number;
    message?: string;
    /** The JSON body to answer with (default: `{error: {message, type: "server_error"}}`). */
    body?: unknown;
  }
  | { kind: "events"; events: Record<string, unknown>[] };

/** A reply plus an optional silent delay before it starts. */
export interface TimedReply {
  reply: MockReply;
  delaySeconds?: number;
}

/** A scripted reply: fixed, or computed from the request. */
export type QueuedReply = MockReply | TimedReply | ((request: ParsedRequest) => MockReply | TimedReply);

/** The parts of a Responses API request the mock decides on. */
export interface ParsedRequest {
  input: Record<string, unknown>[];
  tools: string[];
  userText: string;
  userTexts: string[];
  lastInputType: string;
  /** Tool calls made since the last real user message (the step index of the turn). */
  step: number;
  /** The request's `instructions` (0.130 puts the review guidelines there; 0.169 sends none). */
  instructions: string;
  /** The JSON Schema the final message must match (`text.format.schema`: `codex exec --output-schema`), or null. */
  schema: Record<string, unknown> | null;
}

/** A parsed `{{directive args}}`. */
export interface Directive {
  name: string;
  arg: string;
}

const DIRECTIVE = /\{\{\s*([a-z_]+)(?:\s+([^}]*?))?\s*\}\}/g;

/** Parses the directives in a user message, expanding multi-step ones (`goal`). */
export function parseDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  for (const m of text.matchAll(DIRECTIVE)) {
    const name = m[1];
    const arg = (m[2] ?? "").trim();
    if (name === "goal") {
      out.push({ name: "create_goal", arg: arg || "Finish the mock task" }, {
        name: "update_goal",
        arg: "complete",
      });
    } else out.push({ name, arg });
  }
  return out;
}

/** Finds the completion marker a prompt asked Codex to print (herdr plugin wording), if any. */
export function findMarker(texts: string[]): string | null {
  for (const text of [...texts].reverse()) {
    const m = text.match(/print this token on its own line:\s*([A-Za-z0-9_\-]+)/) ??
      text.match(/print\s+([A-Z][A-Z0-9_\-]{4,})\s+on its own line/);
    if (m) return m[1];
  }
  return null;
}

function textOf(item: Record<string, unknown>): string {
  const content = item.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((
    c,
  ) => (c && typeof c === "object" && typeof (c as { text?: unknown }).text === "string"
    ? (c as { text: string }).text
    : "")
  )
    .join("");
}

function isRealUserMessage(item: Record<string, unknown>): boolean {
  if (item.type !== "message" || item.role !== "user") return false;
  const text = textOf(item).trimStart();
  return text.length > 0 && !text.startsWith("<");
}

/** Extracts what the mock decides on from a request body. */
export function parseRequest(body: unknown): ParsedRequest {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const input = (Array.isArray(b.input) ? b.input : []).filter((x): x is Record<string, unknown> =>
    !!x && typeof x === "object"
  );
  const tools = (Array.isArray(b.tools) ? b.tools : []).map((t) => {
    const tool = t as Record<string, unknown>;
    return String(tool.name ?? tool.type ?? "");
  });
  let lastUser = -1;
  const userTexts: string[] = [];
  input.forEach((item, i) => {
    if (isRealUserMessage(item)) {
      lastUser = i;
      userTexts.push(textOf(item));
    }
  });
  const after = lastUser >= 0 ? input.slice(lastUser + 1) : [];
  const step =
    after.filter((i) =>
      i.type === "function_call" || i.type === "custom_tool_call" || i.type === "local_shell_call"
    ).length;
  return {
    input,
    tools,
    userText: lastUser >= 0 ? textOf(input[lastUser]) : "",
    userTexts,
    lastInputType: String(input.at(-1)?.type ?? ""),
    step,
    instructions: typeof b.instructions === "string" ? b.instructions : "",
    schema: outputSchema(b.text),
  };
}

/** `text.format.schema` of a request (Codex sends `--output-schema` there as a `json_schema` format). */
function outputSchema(text: unknown): Record<string, unknown> | null {
  const format = (text as { format?: { type?: unknown; schema?: unknown } } | null)?.format;
  const schema = format?.type === "json_schema" ? format.schema : null;
  return schema && typeof schema === "object" && !Array.isArray(schema)
    ? schema as Record<string, unknown>
    : null;
}

/**
 * A value that matches `schema` (the first enum value or const, else one per type: objects get
 * every property, strings "mock", numbers 1, booleans true, arrays one item) — enough for the
 * schemas tests give `--output-schema`.
 */
export function sampleOf(schema: unknown): unknown {
  const s = (schema && typeof schema === "object" ? schema : {}) as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const props = (s.properties && typeof s.properties === "object" ? s.properties : {}) as Record<
        string,
        unknown
      >;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleOf(v)]));
    }
    case "array":
      return [sampleOf(s.items)];
    case "string":
      return "mock";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}

const PLAN_STEPS = [
  "Read the existing module and its tests to learn the current behaviour",
  "Write a failing test that pins the new behaviour",
  "Implement the change in the smallest number of files",
  "Run the full test suite and fix any regression",
  "Update the README and the --help text",
  "Review the diff for leftovers and dead code",
  "Commit with a message that explains why",
  "Report back with the test figures",
];

/** The plan text `{{plan N}}` proposes (exported so tests can compare it whole). */
export function mockPlan(steps = 6): string {
  const n = Math.max(1, Math.min(steps, 40));
  const lines = [
    "# Mock implementation plan",
    "",
    "## Summary",
    "Make the requested change safely, test first.",
    "",
    "## Steps",
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `${i + 1}. ${PLAN_STEPS[i % PLAN_STEPS.length]}${
        i >= PLAN_STEPS.length ? ` (pass ${Math.floor(i / PLAN_STEPS.length) + 1})` : ""
      }`,
    );
  }
  lines.push("", "## Risks", "None beyond the usual.");
  return lines.join("\n");
}

/** The question `{{ask}}` asks through request_user_input. */
export const ASK_QUESTION = {
  id: "color",
  header: "Color",
  question: "Which color should the widget be?",
  options: [
    { label: "Red (Recommended)", description: "Warm and visible" },
    { label: "Blue", description: "Calm and cool" },
  ],
};

/** The free-text question `{{question}}` ends its turn with. */
export const FREE_TEXT_QUESTION = "Which database should I use for the cache: SQLite or Postgres?";

/** The upstream errors the mock can answer with, by directive name. */
export type UpstreamError = "limit" | "ratelimit" | "context" | "quota" | "unauthorized";

/**
 * An upstream error in the shape Codex parses (openai/codex `codex-api/src/api_bridge.rs` for HTTP
 * statuses, `codex-api/src/sse/responses.rs` for `response.failed`):
 * - `limit`: HTTP 429 with `{error: {type: "usage_limit_reached", plan_type, resets_at}}` — Codex's
 *   `UsageLimitReached` ("You've hit your usage limit. …"); `plan` defaults to `pro`;
 * - `ratelimit`: HTTP 429 with an ordinary error body — Codex's `RetryLimit` ("exceeded retry
 *   limit, last status: 429 Too Many Requests") once its retries are spent (0 in the rig);
 * - `context`: a `response.failed` event with code `context_length_exceeded` —
 *   `ContextWindowExceeded`;
 * - `quota`: a `response.failed` event with code `insufficient_quota` — `QuotaExceeded`;
 * - `unauthorized`: HTTP 401 with an OpenAI-style error body.
 */
export function upstreamError(kind: UpstreamError, plan = "pro"): MockReply {
  const failed = (code: string, message: string): MockReply => ({
    kind: "events",
    events: [
      { type: "response.created", response: { id: "resp_failed" } },
      { type: "response.failed", response: { id: "resp_failed", error: { code, message } } },
    ],
  });
  switch (kind) {
    case "limit":
      return {
        kind: "fail",
        status: 429,
        body: {
          error: {
            type: "usage_limit_reached",
            message: "The usage limit has been reached",
            plan_type: plan,
            resets_at: Math.floor(Date.now() / 1000) + 3600,
          },
        },
      };
    case "ratelimit":
      return {
        kind: "fail",
        status: 429,
        body: { error: { type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached" } },
      };
    case "context":
      return failed("context_length_exceeded", "Your input exceeds the context window of this model.");
    case "quota":
      return failed("insufficient_quota", "You exceeded your current quota.");
    case "unauthorized":
      return {
        kind: "fail",
        status: 401,
        body: {
          error: {
            message:
              "Incorrect API key provided: sk-mock. You can find your API key at https://platform.openai.com/account/api-keys.",
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        },
      };
  }
}

function lastToolOutput(input: Record<string, unknown>[]): string {
  const last = input.at(-1);
  if (!last) return "";
  const out = last.output;
  if (typeof out === "string") return out;
  if (Array.isArray(out)) return out.map((o) => (o as { text?: string }).text ?? "").join("");
  return JSON.stringify(out ?? "");
}

/** Decides the reply from the directives (used when the queue is empty). */
export function directiveReply(req: ParsedRequest): TimedReply {
  const directives = parseDirectives(req.userText);
  const marker = findMarker(req.userTexts);
  let delaySeconds = 0;
  // walk the directive list: pauses delay the step they precede and consume no step
  const steps: { directive: Directive; delay: number }[] = [];
  for (const d of directives) {
    if (d.name === "pause") delaySeconds += Number(d.arg) || 5;
    else {
      steps.push({ directive: d, delay: delaySeconds });
      delaySeconds = 0;
    }
  }
  const current = steps[req.step];
  const withMarker = (text: string) => (marker ? `${text}\n\n${marker}` : text);
  if (!current) {
    if (req.lastInputType.endsWith("_output")) {
      const out = lastToolOutput(req.input).trim().split("\n").filter(Boolean).at(-1) ?? "";
      return {
        reply: { kind: "message", text: withMarker(`Done. The tool said: ${out.slice(-120)}`) },
        delaySeconds,
      };
    }
    if (directives.length === 0) {
      // answer the words of the message, not codexctl's marker contract around them
      const words = req.userText.replace(/\(When the task is FULLY complete[^)]*\)/g, "").replace(
        /When the task is FULLY complete.*$/s,
        "",
      );
      const text = words.trim().replace(/\s+/g, " ").slice(0, 80).replace(/[.!?]+$/, "");
      return { reply: { kind: "message", text: withMarker(`Understood: ${text}. Finished the task.`) } };
    }
    return { reply: { kind: "message", text: withMarker("Finished the task.") }, delaySeconds };
  }
  const { directive, delay } = current;
  const reply = ((): MockReply => {
    switch (directive.name) {
      case "say":
        return { kind: "message", text: directive.arg || "hi from mock" };
      case "structured":
        // the output the schema Codex sent asks for; `{{structured bad}}`: one it refuses
        if (!req.schema) return { kind: "message", text: "No output schema was sent." };
        return {
          kind: "message",
          text: JSON.stringify(
            directive.arg === "bad" ? { unexpected: "not in the schema" } : sampleOf(req.schema),
          ),
        };
      case "done":
        return {
          kind: "message",
          text: withMarker(directive.arg || "Finished the task: all steps are complete."),
        };
      case "question":
        return { kind: "message", text: `Before I continue I need a decision. ${FREE_TEXT_QUESTION}` };
      case "shell":
        return { kind: "shell", command: directive.arg || "echo hi from mock shell" };
      case "escalate":
        return {
          kind: "shell",
          command: directive.arg || "touch /tmp/codexctl-mock-escalated",
          escalate: "The mock model needs to write outside the sandbox",
        };
      case "ask":
        return { kind: "tool", name: "request_user_input", arguments: { questions: [ASK_QUESTION] } };
      case "plan":
        return {
          kind: "message",
          text: `Here is my plan.\n\n<proposed_plan>\n${
            mockPlan(Number(directive.arg) || 6)
          }\n</proposed_plan>`,
        };
      case "create_goal":
        return { kind: "tool", name: "create_goal", arguments: { objective: directive.arg } };
      case "update_goal":
        return { kind: "tool", name: "update_goal", arguments: { status: directive.arg || "complete" } };
      case "checklist":
        return {
          kind: "tool",
          name: "update_plan",
          arguments: {
            explanation: "Mock checklist",
            plan: [
              { step: "Inspect the code", status: "completed" },
              { step: "Make the change", status: "in_progress" },
              { step: "Run the tests", status: "pending" },
            ],
          },
        };
      case "patch": {
        const file = directive.arg || "patched.txt";
        return {
          kind: "patch",
          input: `*** Begin Patch\n*** Add File: ${file}\n+patched by the mock model\n*** End Patch\n`,
        };
      }
      case "fail":
        return { kind: "fail" };
      case "limit":
      case "ratelimit":
      case "context":
      case "quota":
      case "unauthorized":
        return upstreamError(directive.name as UpstreamError, directive.arg || undefined);
      case "slow":
        return {
          kind: "message",
          text: withMarker("Streaming this answer slowly, word by word, so the TUI shows it arriving."),
          chunks: 12,
          streamSeconds: Number(directive.arg) || 4,
        };
      default:
        return { kind: "message", text: `The mock model does not know the directive {{${directive.name}}}.` };
    }
  })();
  return { reply, delaySeconds: delay };
}

/** Options of {@linkcode MockModel.start}. */
export interface MockModelOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Also append every request to this JSONL file. */
  logFile?: string;
}

/** The running mock. */
export class MockModel {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  readonly #queue: QueuedReply[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #logFile?: string;
  readonly #abort = new AbortController();
  #seq = 0;
  #waiters: (() => void)[] = [];

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, logFile?: string) {
    this.#server = server;
    this.#logFile = logFile;
  }

  /** Starts the mock on 127.0.0.1. */
  static start(options: MockModelOptions = {}): Promise<MockModel> {
    let self: MockModel | undefined;
    return new Promise((resolve) => {
      const server = Deno.serve(
        {
          hostname: "127.0.0.1",
          port: options.port ?? 0,
          onListen: () => queueMicrotask(() => resolve(self!)),
        },
        (req) => self!.#handle(req),
      );
      self = new MockModel(server, options.logFile);
    });
  }

  /** The port the mock listens on. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** The provider `base_url` to give Codex (Codex POSTs to `{base_url}/responses`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Queues replies consumed one per request, before directives apply. */
  enqueue(...replies: QueuedReply[]): void {
    this.#queue.push(...replies);
  }

  /** Resolves once at least `count` requests were received (or rejects after `timeoutMs`). */
  async waitForRequests(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`mock model: expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops the server; streams still open are cut. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#server.shutdown();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method !== "POST" || !url.pathname.endsWith("/responses")) {
      return new Response(
        JSON.stringify({ error: { message: `mock model: no route ${req.method} ${url.pathname}` } }),
        {
          status: 404,
          headers: { "content-type": "application/json" },
        },
      );
    }
    let body: unknown = null;
    try {
      body = await req.json();
    } catch {
      body = null;
    }
    const parsed = parseRequest(body);
    // The TUI asks for a thread title on the side; answer it without touching the script.
    const queued = isTitleRequest(parsed) ? undefined : this.#queue.shift();
    const chosen = isTitleRequest(parsed)
      ? { reply: { kind: "message", text: "Mock task" } as MockReply }
      : queued === undefined
      ? (isReviewRequest(parsed)
        ? normalise(reviewReply(parsed) ?? directiveReply(parsed))
        : directiveReply(parsed))
      : typeof queued === "function"
      ? normalise(queued(parsed))
      : normalise(queued);
    const seq = ++this.#seq;
    const record: RecordedRequest = {
      seq,
      time: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      headers: Object.fromEntries(req.headers.entries()),
      body,
      userText: parsed.userText,
      lastInputType: parsed.lastInputType,
      tools: parsed.tools,
      reply: describe(chosen),
    };
    this.requests.push(record);
    if (this.#logFile) {
      try {
        Deno.writeTextFileSync(this.#logFile, JSON.stringify(record) + "\n", { append: true });
      } catch {
        // logging is best effort
      }
    }
    for (const wake of this.#waiters.splice(0)) wake();
    return await this.#respond(chosen, parsed, seq);
  }

  async #respond(chosen: TimedReply, req: ParsedRequest, seq: number): Promise<Response> {
    const { reply } = chosen;
    // cancelled when the client goes away (Esc / interrupt) or the mock closes
    const gone = new AbortController();
    const stopped = AbortSignal.any([gone.signal, this.#abort.signal]);
    if (reply.kind === "fail") {
      if (chosen.delaySeconds) await sleep(chosen.delaySeconds * 1000, stopped).catch(() => {});
      const body = JSON.stringify(
        reply.body ?? { error: { message: reply.message ?? "mock upstream failure", type: "server_error" } },
      );
      return new Response(body, {
        status: reply.status ?? 500,
        headers: { "content-type": "application/json" },
      });
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start: async (controller) => {
        try {
          if (chosen.delaySeconds) await sleep(chosen.delaySeconds * 1000, stopped);
          for (const { data, delayMs } of sseEvents(reply, req, seq)) {
            if (delayMs) await sleep(delayMs, stopped);
            if (stopped.aborted) break;
            controller.enqueue(encoder.encode(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`));
          }
        } catch {
          // the client went away (Esc / interrupt) or the mock is closing
        }
        try {
          controller.close();
        } catch {
          // already closed
        }
      },
      cancel: () => gone.abort(),
    });
    return new Response(stream, {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }
}

/** One SSE event and how long to wait before sending it. */
interface TimedEvent {
  data: Record<string, unknown>;
  delayMs?: number;
}

/** The SSE events that carry `reply` (exported shape facts: codex.md §1.3–1.4). */
function sseEvents(
  reply: Exclude<MockReply, { kind: "fail" }>,
  req: ParsedRequest,
  seq: number,
): TimedEvent[] {
  const rid = `resp_${seq}`;
  const inputTokens = 1000 + req.input.length * 120;
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + 40,
  };
  const created = { data: { type: "response.created", response: { id: rid } } };
  const completed = { data: { type: "response.completed", response: { id: rid, usage } } };
  const done = (item: Record<string, unknown>) => ({ data: { type: "response.output_item.done", item } });
  switch (reply.kind) {
    case "events":
      return reply.events.map((data) => ({ data }));
    case "message": {
      const id = `msg_${seq}`;
      const parts = chunk(reply.text, reply.chunks ?? 4);
      const gap = reply.streamSeconds ? Math.round((reply.streamSeconds * 1000) / parts.length) : 0;
      return [
        created,
        {
          data: {
            type: "response.output_item.added",
            item: { type: "message", role: "assistant", id, content: [] },
          },
        },
        ...parts.map((delta) => ({
          data: { type: "response.output_text.delta", item_id: id, delta },
          delayMs: gap,
        })),
        done(assistantMessage(id, reply.text)),
        completed,
      ];
    }
    case "shell": {
      const escalate = reply.escalate
        ? { sandbox_permissions: "require_escalated", justification: reply.escalate }
        : {};
      const item = req.tools.includes("exec_command")
        ? functionCall(seq, "exec_command", { cmd: reply.command, ...escalate })
        : functionCall(seq, "shell", { command: ["bash", "-lc", reply.command], ...escalate });
      return [created, done(item), completed];
    }
    case "tool":
      return [created, done(functionCall(seq, reply.name, reply.arguments)), completed];
    case "patch":
      return [
        created,
        done({
          type: "custom_tool_call",
          id: `ctc_${seq}`,
          call_id: `call_${seq}`,
          name: "apply_patch",
          input: reply.input,
          status: "completed",
        }),
        completed,
      ];
  }
}

/** True for the side request the TUI makes to name a new thread. */
export function isTitleRequest(req: ParsedRequest): boolean {
  return /^Generate a concise, single-line task title/.test(req.userText.trimStart());
}

function normalise(reply: MockReply | TimedReply): TimedReply {
  return "reply" in reply ? reply : { reply };
}

function describe(chosen: TimedReply): string {
  const r = chosen.reply;
  const delay = chosen.delaySeconds ? ` after ${chosen.delaySeconds}s` : "";
  switch (r.kind) {
    case "message":
      return `message${delay}: ${r.text.slice(0, 80)}`;
    case "shell":
      return `shell${r.escalate ? " (escalated)" : ""}${delay}: ${r.command}`;
    case "tool":
      return `tool ${r.name}${delay}`;
    case "patch":
      return `apply_patch${delay}`;
    case "fail":
      return `HTTP ${r.status ?? 500}${delay}`;
    case "events":
      return `raw events${delay}`;
  }
}

function functionCall(seq: number, name: string, args: Record<string, unknown>) {
  return {
    type: "function_call",
    id: `fc_${seq}`,
    call_id: `call_${seq}`,
    name,
    arguments: JSON.stringify(args),
  };
}

function assistantMessage(id: string, text: string) {
  return {
    type: "message",
    role: "assistant",
    id,
    status: "completed",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function chunk(text: string, n: number): string[] {
  if (n <= 1 || text.length < n) return [text];
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("aborted"));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

if (import.meta.main) {
  const args = Deno.args;
  const portArg = args.indexOf("--port");
  const logArg = args.indexOf("--log");
  const mock = await MockModel.start({
    port: portArg >= 0 ? Number(args[portArg + 1]) : 0,
    logFile: logArg >= 0 ? args[logArg + 1] : undefined,
  });
  console.log(JSON.stringify({ base_url: mock.baseUrl, port: mock.port }));
  const stop = () => mock.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
