/**
 * A loopback mock of Anthropic's Messages API for driving a real Claude Code offline
 * (`ANTHROPIC_BASE_URL=http://127.0.0.1:PORT`). It speaks the real protocol: `POST /v1/messages`
 * answered as an SSE stream (`message_start`, `content_block_start/delta/stop`, `message_delta`,
 * `message_stop`) when the request asks for `stream: true`, else as one JSON message;
 * `POST /v1/messages/count_tokens` gets a token count. Every request is recorded, so a test can
 * read exactly what reached the model (hook context, Stop feedback, tool results).
 *
 * Replies are scripted: requests of the main agent loop (those offering the `Bash` tool) consume
 * the `script` one step each; any other request (titles, summaries, probes) gets a short text.
 *
 * @module
 */

/** One scripted reply of the main loop. */
export type MessagesStep =
  | { tool: string; input: Record<string, unknown> }
  | { text: string };

/** One request the mock received. */
export interface MessagesRequest {
  seq: number;
  /** When it arrived (ms epoch). */
  at: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
  /** True when the request was answered from the script (a main-loop request). */
  main: boolean;
  /** What the mock answered, in words. */
  reply: string;
}

/** Options of {@linkcode MessagesMock.start}. */
export interface MessagesMockOptions {
  script: MessagesStep[];
  /** Answer once the script is used up (default: a plain "Done." text that ends the turn). */
  fallback?: MessagesStep;
  /** Also append every request as one JSON line to this file, as it arrives. */
  logFile?: string;
}

const MODEL = "claude-mock-1";

/** The running mock. */
export class MessagesMock {
  /** Every request, in arrival order. */
  readonly requests: MessagesRequest[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #script: MessagesStep[];
  readonly #fallback: MessagesStep;
  readonly #logFile?: string;
  #seq = 0;
  #step = 0;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, options: MessagesMockOptions) {
    this.#server = server;
    this.#script = [...options.script];
    this.#fallback = options.fallback ?? { text: "Done." };
    this.#logFile = options.logFile;
  }

  /** Starts the mock on 127.0.0.1 (a free port). */
  static start(options: MessagesMockOptions): Promise<MessagesMock> {
    let self: MessagesMock | undefined;
    return new Promise((resolve) => {
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => queueMicrotask(() => resolve(self!)) },
        (req) => self!.#handle(req),
      );
      self = new MessagesMock(server, options);
    });
  }

  /** `ANTHROPIC_BASE_URL` for Claude Code. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** The main-loop requests, in order. */
  get mainRequests(): MessagesRequest[] {
    return this.requests.filter((r) => r.main);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    let body: unknown = null;
    const raw = await req.text();
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) {
      if (!/^(x-api-key|authorization)$/i.test(k)) headers[k] = v;
    }
    const record: MessagesRequest = {
      seq: ++this.#seq,
      at: Date.now(),
      method: req.method,
      path: url.pathname,
      query: url.search,
      headers,
      body,
      main: false,
      reply: "",
    };
    this.requests.push(record);
    const done = (response: Response) => {
      if (this.#logFile) {
        Deno.writeTextFileSync(this.#logFile, JSON.stringify(record) + "\n", { append: true });
      }
      return response;
    };
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
      record.reply = "count_tokens";
      return done(Response.json({ input_tokens: 100 }));
    }
    if (req.method !== "POST" || url.pathname !== "/v1/messages") {
      record.reply = "404";
      return done(
        Response.json({ type: "error", error: { type: "not_found_error", message: "mock: no such route" } }, {
          status: 404,
        }),
      );
    }
    const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const tools = Array.isArray(b.tools) ? b.tools.map((t) => String((t as { name?: unknown }).name)) : [];
    let step: MessagesStep;
    if (tools.includes("Bash")) {
      record.main = true;
      step = this.#script[this.#step++] ?? this.#fallback;
    } else {
      step = { text: "OK" };
    }
    record.reply = "tool" in step ? `tool ${step.tool} ${JSON.stringify(step.input)}` : `text ${step.text}`;
    const message = assistantMessage(record.seq, step);
    if (b.stream === true) {
      return done(
        new Response(sse(message), {
          headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        }),
      );
    }
    return done(Response.json(message));
  }
}

interface AssistantMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: Record<string, unknown>[];
  stop_reason: "tool_use" | "end_turn";
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

function assistantMessage(seq: number, step: MessagesStep): AssistantMessage {
  const content = "tool" in step
    ? [{ type: "tool_use", id: `toolu_mock_${seq}`, name: step.tool, input: step.input }]
    : [{ type: "text", text: step.text }];
  return {
    id: `msg_mock_${seq}`,
    type: "message",
    role: "assistant",
    model: MODEL,
    content,
    stop_reason: "tool" in step ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

/** The SSE event sequence of one streamed message, as the Messages API sends it. */
export function sseEvents(message: AssistantMessage): { event: string; data: Record<string, unknown> }[] {
  const events: { event: string; data: Record<string, unknown> }[] = [{
    event: "message_start",
    data: {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } },
    },
  }];
  message.content.forEach((block, index) => {
    if (block.type === "tool_use") {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { ...block, input: {} } },
      });
      const json = JSON.stringify(block.input);
      // split the arguments in two deltas, as the real API streams partial JSON
      const cut = Math.floor(json.length / 2);
      for (const part of [json.slice(0, cut), json.slice(cut)]) {
        events.push({
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: part },
          },
        });
      }
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      });
      events.push({
        event: "content_block_delta",
        data: { type: "content_block_delta", index, delta: { type: "text_delta", text: String(block.text) } },
      });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: 5 },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return events;
}

function sse(message: AssistantMessage): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const events = sseEvents(message);
  return new ReadableStream({
    start(controller) {
      for (const e of events) {
        controller.enqueue(enc.encode(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`));
      }
      controller.close();
    },
  });
}

/** Every text a request carries in its messages (text blocks, tool results, strings), in order. */
export function requestTexts(request: MessagesRequest): string[] {
  const b = (request.body && typeof request.body === "object" ? request.body : {}) as Record<string, unknown>;
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const v = value as Record<string, unknown>;
      if (typeof v.text === "string") out.push(v.text);
      if (v.content !== undefined) walk(v.content);
    }
  };
  if (Array.isArray(b.messages)) walk(b.messages);
  return out;
}

/** The texts of the last user message of a request (tool results and injected context included). */
export function lastUserTexts(request: MessagesRequest): string[] {
  const b = (request.body && typeof request.body === "object" ? request.body : {}) as Record<string, unknown>;
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const last = [...messages].reverse().find((m) => (m as { role?: unknown }).role === "user");
  return last ? requestTexts({ ...request, body: { messages: [last] } }) : [];
}

/** One message of a request, as the mock reads it. */
interface RequestMessage {
  role: string;
  content: string | { type: string; text?: string; content?: unknown }[];
}

/**
 * The texts a request added since the model last spoke: everything after its last assistant message
 * (the user's prompt, tool results, hook context and feedback, notifications), one level deep.
 */
export function sinceLastAssistant(request: MessagesRequest): string[] {
  const all = (request.body as { messages: RequestMessage[] }).messages;
  let i = all.length - 1;
  while (i >= 0 && all[i].role !== "assistant") i--;
  const out: string[] = [];
  for (const m of all.slice(i + 1)) {
    if (typeof m.content === "string") out.push(m.content);
    else {
      for (const block of m.content) {
        if (typeof block.text === "string") out.push(block.text);
        if (typeof block.content === "string") out.push(block.content);
      }
    }
  }
  return out;
}
