/**
 * A live session: its record, its pane, its rollout progress — and the evidence snapshot the
 * verdict machine decides on. All the IO of observing a session lives here.
 *
 * @module
 */
import { notFoundError, usageError } from "../errors.ts";
import type { Verdict } from "../envelope.ts";
import { checkArtifacts, daemonReading } from "../codex/rollout/observe.ts";
import type { DaemonReading } from "../codex/daemon/evidence.ts";
import { compatibility } from "../codex/rollout/compat.ts";
import { freshProgress, readThread, type ThreadProgress } from "../codex/rollout/reader.ts";
import type { Evidence } from "../verdict/evidence.ts";
import { decide } from "../verdict/machine.ts";
import type { PaneRead, Substrate } from "../panes/substrate.ts";
import { substrateByName } from "../panes/select.ts";
import type { Store } from "../store/store.ts";
import {
  readSession,
  SESSION_ID,
  SESSION_KIND,
  type SessionRecord,
  SessionRecordSchema,
} from "../session/record.ts";
import { findBinding } from "./bind.ts";

/** One observation of a session. */
export interface Observation {
  pane: PaneRead;
  evidence: Evidence;
  verdict: Verdict;
  rule: string;
  progress: ThreadProgress | null;
  daemon: DaemonReading | null;
}

/** A loaded session. */
export class Session {
  record: SessionRecord;
  readonly store: Store;
  readonly substrate: Substrate;
  readonly env: { get(key: string): string | undefined };
  #progress: ThreadProgress | null = null;

  constructor(
    store: Store,
    record: SessionRecord,
    substrate: Substrate,
    env: { get(key: string): string | undefined },
  ) {
    this.store = store;
    this.record = record;
    this.substrate = substrate;
    this.env = env;
  }

  /** Loads session `id`; `not_found/NO_SESSION` (exit 4) when there is none. */
  static async load(
    store: Store,
    id: string,
    env: { get(key: string): string | undefined },
  ): Promise<Session> {
    if (!SESSION_ID.test(id)) {
      throw usageError(
        "BAD_SESSION",
        `"${id.slice(0, 40)}" is not a session id (cdx-<hex>)`,
        "list sessions with: codexctl sessions",
      );
    }
    const record = await readSession(store, id);
    if (!record) {
      throw notFoundError("NO_SESSION", `no session ${id}`, "list live sessions with: codexctl sessions");
    }
    if (record.substrate === "exec") {
      throw usageError("BAD_SESSION", `${id} is a headless session; this verb drives panes`);
    }
    return new Session(store, record, substrateByName(record.substrate, { env, stateDir: store.root }), env);
  }

  get id(): string {
    return this.record.session;
  }

  /** Saves changes to the record (read-modify-write under the record's lock). */
  async save(patch: Partial<SessionRecord>): Promise<void> {
    const updated = await this.store.update(SESSION_KIND, this.id, SessionRecordSchema, (cur) => ({
      ...(cur ?? this.record),
      ...patch,
      updated: new Date().toISOString(),
    }));
    if (updated) this.record = updated;
  }

  /** Binds the Codex thread when it is not yet known; true once bound. */
  async bind(): Promise<boolean> {
    if (this.record.thread_id && this.record.rollout_path) return true;
    const found = await findBinding(
      this.record.codex_home,
      this.record.cwd,
      this.record.marker,
      Date.parse(this.record.created),
    );
    if (!found) return false;
    await this.save({ thread_id: found.thread_id, rollout_path: found.rollout_path });
    return true;
  }

  /** The rollout fold, read incrementally (re-located if the file moved). */
  async progress(): Promise<ThreadProgress | null> {
    if (!(await this.bind())) return null;
    try {
      const read = await readThread(this.record.rollout_path!, this.#progress ?? freshProgress(), {
        keepEvents: false,
      });
      this.#progress = read.progress;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      // the rollout moved (archived): forget the path and bind again next time
      await this.save({ rollout_path: null, thread_id: null });
      this.#progress = null;
    }
    return this.#progress;
  } /** Reads the pane and the rollout (and, when asked, the Codex daemon) and decides the verdict. */
  async observe(
    options: { recent?: boolean; expect?: string[]; daemon?: boolean } = {},
  ): Promise<Observation> {
    const pane = await this.substrate.read(this.record.pane ?? {}, { recent: options.recent ?? true });
    const progress = await this.progress();
    const expect = [...new Set([...this.record.expect, ...(options.expect ?? [])])];
    const compat = progress ? compatibility(progress.stats, progress.state) : null;
    const evidence: Evidence = {
      target: { session: this.id, thread: this.record.thread_id },
      now: Date.now(),
      thread: progress && compat
        ? {
          state: progress.state,
          rollout_path: this.record.rollout_path,
          confidence: compat.confidence,
          warnings: compat.warnings,
        }
        : null,
      pane: { alive: pane.alive, status: pane.status, screen: pane.screen, recent: pane.recent },
      process: null,
      marker: this.record.marker,
      artifacts: await checkArtifacts(expect, this.record.cwd),
    };
    const daemon = options.daemon && this.record.thread_id
      ? await daemonReading(this.record.codex_home, this.record.thread_id)
      : null;
    if (daemon?.available) evidence.daemon = daemon;
    const { verdict, rule } = decide(evidence);
    return { pane, evidence, verdict, rule, progress, daemon };
  }

  /** Records the verdict the caller was given (state, plan, and the gate it answers). */
  async remember(verdict: Verdict): Promise<void> {
    await this.save({
      last_state: verdict.state,
      last_reason: verdict.reason,
      plan: verdict.plan ?? this.record.plan,
      gate: gateSignature(verdict),
    });
  }
}

/** What a pending gate looks like, to refuse answering one that changed since it was read. */
export function gateSignature(verdict: Verdict): string | null {
  if (!["awaiting_clarification", "awaiting_approval", "permission_gate"].includes(verdict.state)) {
    return null;
  }
  // the same gate read off the screen or from the daemon must give the same signature
  return JSON.stringify([verdict.state, verdict.reason, verdict.questions, verdict.summary]);
}
