/**
 * Watching one pane's agent status. herdr has no global status subscription and a dead pane's
 * per-pane subscription just goes silent, so a watch subscribes to the pane's
 * `pane.agent_status_changed` plus the `pane.closed`/`pane.exited` lifecycle events on one
 * connection, then reads the current status (subscribe first, then look: no change is lost).
 *
 * A watch survives what herdr does to it: replayed lifecycle events of other panes (0.8), pane ids
 * that shift on herdr ≤0.6 (re-resolved by terminal id), and a subscription the server closes
 * (re-subscribed while the deadline allows; a server that is down raises `HERDR_DOWN`).
 *
 * @module
 */
import type { AgentStatus, PaneInfo } from "./protocol.ts";
import type { HerdrClient } from "./client.ts";
import type { PaneRef } from "./pane_ref.ts";
import type { HerdrSubscription } from "./subscription.ts";

/** What a watch needs of a herdr connection (the `Herdr` adapter is one). */
export interface StatusSource {
  /** herdr ≤0.6: pane ids shift, so events are matched by re-resolving the pane. */
  readonly legacy: boolean;
  readonly client: Pick<HerdrClient, "subscribe">;
  /** The pane's current record, or null when it is gone. */
  find(ref: PaneRef): Promise<PaneInfo | null>;
}

/** What a watch yields. */
export type WatchRead =
  | { kind: "status"; status: AgentStatus; agent: string | null }
  | { kind: "gone" }
  | { kind: "timeout" };

/** How a wait ended. */
export type WaitOutcome =
  | { kind: "status"; status: AgentStatus; agent: string | null }
  | { kind: "gone" }
  | { kind: "timeout"; last: AgentStatus | null };

const RESUBSCRIBE_PAUSE_MS = 200;

/** A live watch on one pane's status. Close it when done. */
export class StatusWatch {
  #herdr: StatusSource;
  #ref: PaneRef;
  #sub: HerdrSubscription | null = null;
  #pending: WatchRead | null = null;
  #last: AgentStatus | null = null;
  #gone = false;

  private constructor(herdr: StatusSource, ref: PaneRef) {
    this.#herdr = herdr;
    this.#ref = ref;
  }

  /** Subscribes, then reads the current status (the first {@linkcode next} returns it). */
  static async open(herdr: StatusSource, ref: PaneRef): Promise<StatusWatch> {
    const watch = new StatusWatch(herdr, ref);
    await watch.#subscribe();
    return watch;
  }

  /** The pane's handle (its `pane_id` is kept current on herdr ≤0.6). */
  get ref(): PaneRef {
    return this.#ref;
  }

  /** The last status seen, or null. */
  get last(): AgentStatus | null {
    return this.#last;
  }

  async #subscribe(): Promise<void> {
    const pane = await this.#herdr.find(this.#ref);
    if (!pane) return this.#markGone();
    let sub: HerdrSubscription;
    try {
      sub = await this.#herdr.client.subscribe([
        { type: "pane.agent_status_changed", pane_id: pane.pane_id },
        { type: "pane.closed" },
        { type: "pane.exited" },
      ]);
    } catch (err) {
      if ((err as { errorClass?: string }).errorClass === "not_found") return this.#markGone();
      throw err;
    }
    this.#sub = sub;
    const now = await this.#herdr.find(this.#ref);
    if (!now) return this.#markGone();
    this.#offer(now);
  }

  #markGone(): void {
    this.#gone = true;
    this.#pending = null;
    this.#sub?.close();
    this.#sub = null;
  }

  #offer(pane: PaneInfo): void {
    if (pane.agent_status !== this.#last) {
      this.#last = pane.agent_status;
      this.#pending = { kind: "status", status: pane.agent_status, agent: pane.agent ?? null };
    }
  }

  /** The next status change, `gone` once the pane no longer exists, or `timeout`. */
  async next(timeoutMs: number): Promise<WatchRead> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#pending) {
        const read = this.#pending;
        this.#pending = null;
        return read;
      }
      if (this.#gone) return { kind: "gone" };
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: "timeout" };
      if (!this.#sub) {
        await this.#subscribe();
        continue;
      }
      const read = await this.#sub.next(remaining);
      if (read.type === "timeout") return { kind: "timeout" };
      if (read.type === "closed") {
        // the server ended the subscription: look again (and re-subscribe) while time allows
        this.#sub.close();
        this.#sub = null;
        await new Promise((r) =>
          setTimeout(r, Math.min(RESUBSCRIBE_PAUSE_MS, Math.max(0, deadline - Date.now())))
        );
        continue;
      }
      const event = read.event;
      if (event.name === "pane_agent_status_changed" && event.agent_status) {
        // this connection carries one pane's status only
        if (event.agent_status !== this.#last) {
          this.#last = event.agent_status;
          const agent = typeof event.data.agent === "string" ? event.data.agent : null;
          return { kind: "status", status: event.agent_status, agent };
        }
        continue;
      }
      if (event.name === "pane_closed" || event.name === "pane_exited") {
        // stable ids: only our own id matters; positional ids: any close may have shifted ours
        if (!this.#herdr.legacy && event.pane_id !== this.#ref.pane_id) continue;
        const pane = await this.#herdr.find(this.#ref);
        if (!pane) this.#markGone();
        else this.#offer(pane);
      }
    }
  }

  /** Ends the watch. */
  close(): void {
    this.#sub?.close();
    this.#sub = null;
  }
}

/**
 * Waits until the status is one of `until` (`idle` also accepts `done`, which is idle-but-unseen
 * and gets no event of its own when it turns idle), the pane is gone, or `timeoutMs` passes.
 */
export async function waitForStatus(
  herdr: StatusSource,
  ref: PaneRef,
  until: readonly AgentStatus[],
  timeoutMs: number,
): Promise<WaitOutcome> {
  const want = new Set<AgentStatus>(until);
  if (want.has("idle")) want.add("done");
  const deadline = Date.now() + timeoutMs;
  const watch = await StatusWatch.open(herdr, ref);
  try {
    for (;;) {
      const read = await watch.next(deadline - Date.now());
      if (read.kind === "gone") return read;
      if (read.kind === "timeout") return { kind: "timeout", last: watch.last };
      if (want.has(read.status)) return read;
    }
  } finally {
    watch.close();
  }
}
