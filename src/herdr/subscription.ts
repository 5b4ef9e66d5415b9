/**
 * One `events.subscribe` connection after its ack: a read-only stream of event lines. herdr emits
 * lifecycle events with snake_case names (`pane_closed`, data carrying a matching `type`) and
 * per-pane events with dotted names (`pane.agent_status_changed`, untyped data); both are decoded
 * into one {@linkcode HerdrEvent} shape keyed by the snake_case name.
 *
 * Lines are pumped in the background, so a read that times out loses nothing and leaves the
 * connection untouched (a socket-level timeout after the ack is a known way to break idle
 * subscriptions). Nothing is ever written to the socket.
 *
 * @module
 */
import { type AgentStatus, AgentStatusSchema, EventLineSchema } from "./protocol.ts";
import type { OpenStream } from "./wire.ts";
import { WireError } from "./wire.ts";

/** One decoded event. */
export interface HerdrEvent {
  /** snake_case name, whichever style herdr used: `pane_created`, `pane_agent_status_changed` … */
  name: string;
  /** The name exactly as herdr sent it. */
  wireName: string;
  /** The pane the event is about (from `data.pane_id` or `data.pane.pane_id`), if any. */
  pane_id: string | null;
  /** The status carried by a status event, if any. */
  agent_status: AgentStatus | null;
  /** The event's data object. */
  data: Record<string, unknown>;
}

/** What {@linkcode HerdrSubscription.next} yields. */
export type SubscriptionRead =
  | { type: "event"; event: HerdrEvent }
  | { type: "timeout" }
  | { type: "closed"; reason: string };

/** Observes raw lines (for contract tests). */
export type LineObserver = (line: string, value: unknown) => void;

/** Decodes one event line's parsed JSON; null when it is not an event line. */
export function decodeEvent(value: unknown): HerdrEvent | null {
  const parsed = EventLineSchema.safeParse(value);
  if (!parsed.success) return null;
  const { event, data } = parsed.data;
  const pane = data.pane as { pane_id?: unknown } | undefined;
  const paneId = typeof data.pane_id === "string"
    ? data.pane_id
    : pane && typeof pane.pane_id === "string"
    ? pane.pane_id
    : null;
  const status = AgentStatusSchema.safeParse(data.agent_status);
  return {
    name: event.replaceAll(".", "_"),
    wireName: event,
    pane_id: paneId,
    agent_status: status.success ? status.data : null,
    data,
  };
}

/** A live subscription. Close it when done. */
export class HerdrSubscription {
  #stream: OpenStream;
  #queue: SubscriptionRead[] = [];
  #waiter: ((read: SubscriptionRead) => void) | null = null;
  #closed: string | null = null;
  #observer: LineObserver | undefined;

  constructor(stream: OpenStream, observer?: LineObserver) {
    this.#stream = stream;
    this.#observer = observer;
    this.#pump();
  }

  /** True once the stream ended (server closed it, a bad line arrived, or {@linkcode close}). */
  get closed(): boolean {
    return this.#closed !== null && (this.#queue.length === 0 || this.#queue[0].type === "closed");
  }

  async #pump(): Promise<void> {
    for (;;) {
      let line: string | null;
      try {
        line = await this.#stream.reader.next();
      } catch (err) {
        this.#end(err instanceof WireError ? err.message : String(err));
        return;
      }
      if (this.#closed !== null) return;
      if (line === null) {
        this.#end("herdr closed the subscription");
        return;
      }
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.#end("herdr sent an event line that is not JSON");
        return;
      }
      this.#observer?.(line, value);
      const event = decodeEvent(value);
      if (!event) {
        this.#end("herdr sent a line that is not an event");
        return;
      }
      this.#push({ type: "event", event });
    }
  }

  #push(read: SubscriptionRead): void {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w(read);
    } else this.#queue.push(read);
  }

  #end(reason: string): void {
    if (this.#closed !== null) return;
    this.#closed = reason;
    this.#stream.close();
    this.#push({ type: "closed", reason });
  }

  /** The next event, or `timeout` after `timeoutMs`, or `closed` once the stream has ended. */
  next(timeoutMs: number): Promise<SubscriptionRead> {
    const queued = this.#queue.shift();
    if (queued) {
      if (queued.type === "closed") this.#queue.unshift(queued); // stays closed
      return Promise.resolve(queued);
    }
    if (this.#closed !== null) return Promise.resolve({ type: "closed", reason: this.#closed });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#waiter === settle) this.#waiter = null;
        resolve({ type: "timeout" });
      }, Math.max(0, timeoutMs));
      const settle = (read: SubscriptionRead) => {
        clearTimeout(timer);
        if (read.type === "closed") this.#queue.unshift(read);
        resolve(read);
      };
      this.#waiter = settle;
    });
  }

  /** Closes the connection; later reads yield `closed`. */
  close(): void {
    this.#end("closed by codexctl");
  }
}
