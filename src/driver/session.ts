/**
 * A live session: its record, its pane, its rollout progress — observed through `src/observe/`
 * (the pane read by its substrate, the rollout followed from where the last look stopped).
 *
 * @module
 */
import { notFoundError, usageError } from "../errors.ts";
import type { Verdict } from "../envelope.ts";
import type { ThreadProgress } from "../codex/rollout/reader.ts";
import { gateSignature } from "../verdict/change.ts";
import { type Observation, observe, observeEnded } from "../observe/observe.ts";
import { readRollout, type RolloutReading } from "../observe/rollout.ts";
import { goneReading, type Handle, type Reading, type Substrate } from "../substrate/substrate.ts";
import { substrateFor } from "../substrate/select.ts";
import type { Store } from "../store/store.ts";
import {
  readSession,
  SESSION_ID,
  SESSION_KIND,
  type SessionRecord,
  SessionRecordSchema,
} from "../session/record.ts";
import { type EndedRecord, readEnded } from "../session/ended.ts";
import { findBinding } from "./bind.ts";
import type { ToolOutputTransition } from "../verdict/tool_failure.ts";

/** One observation of a session: the observation, with the substrate's reading and the rollout progress. */
export interface SessionObservation extends Observation {
  /** What the substrate read (the pane, for a session in tmux or herdr). */
  pane: Reading;
  progress: ThreadProgress | null;
  /** The rollout's new tool outputs since the previous observation (only with `toolOutputs`). */
  toolOutputs: ToolOutputTransition[];
}

/** A loaded session. */
export class Session {
  record: SessionRecord;
  readonly store: Store;
  readonly substrate: Substrate;
  readonly env: { get(key: string): string | undefined };
  /**
   * The session's ended record once it has ended (by `end`, by a watch on a verified completion, or
   * pruned) — also while this process was still working with it. From then on it is observed as
   * its final verdict, nothing is read from or sent to its pane, and its record is never written
   * again.
   */
  ended: EndedRecord | null = null;
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

  /**
   * Loads session `id`. A session that has ended loads from its ended record (see
   * {@linkcode Session.ended}); `not_found/NO_SESSION` (exit 4) when there is neither.
   */
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
      const ended = await readEnded(store, id);
      if (ended?.record) {
        const s = new Session(
          store,
          ended.record,
          substrateFor(ended.record.substrate, { env, stateDir: store.root }, id),
          env,
        );
        s.ended = ended;
        return s;
      }
      if (ended) {
        throw notFoundError(
          "NO_SESSION",
          `session ${id} ended at ${ended.ended}`,
          "list live sessions with: codexctl sessions",
        );
      }
      throw notFoundError("NO_SESSION", `no session ${id}`, "list live sessions with: codexctl sessions");
    }
    return new Session(store, record, substrateFor(record.substrate, { env, stateDir: store.root }, id), env);
  }

  get id(): string {
    return this.record.session;
  }

  /**
   * The completion marker Codex is asked to print, or null for a headless run bound to
   * `--output-schema` (its final message must be the structured output, so no marker is asked for:
   * the output, checked against the schema, is the answer).
   */
  get marker(): string | null {
    return this.record.exec?.output_schema ? null : this.record.marker;
  }

  /** Where the substrate finds this session's Codex (the record's `pane` field). */
  get handle(): Handle {
    return this.record.pane ?? {};
  }

  /**
   * Saves changes to the record (read-modify-write under the record's lock). A record that is gone
   * stays gone: the session ended meanwhile (its ended record says how), and writing would bring an
   * ended session back.
   */
  async save(patch: Partial<SessionRecord>): Promise<void> {
    if (this.ended) return;
    const updated = await this.store.update(
      SESSION_KIND,
      this.id,
      SessionRecordSchema,
      (cur) =>
        cur === null ? null : {
          ...cur,
          ...patch,
          updated: new Date().toISOString(),
        },
    );
    if (updated) this.record = updated;
  }

  /**
   * The session's ended record when it has ended since it was created (null: it has not). Once
   * found it is kept: this session is ended for the rest of this process.
   */
  async endedRecord(): Promise<EndedRecord | null> {
    if (this.ended) return this.ended;
    const e = await readEnded(this.store, this.id);
    if (!e || Date.parse(e.ended) < Date.parse(this.record.created)) return null;
    this.ended = e;
    return e;
  }

  /**
   * Binds the Codex thread when it is not yet known; true once bound. A thread known by id alone (a
   * headless run names it in its stream) is enough: its rollout is then found by that id.
   */
  async bind(): Promise<boolean> {
    if (this.record.thread_id) return true;
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

  /** The rollout fold, read incrementally (found again by thread id if the file moved). */
  async progress(): Promise<ThreadProgress | null> {
    return (await this.#readRollout())?.progress ?? null;
  }

  async #readRollout(toolOutputs = false): Promise<RolloutReading | null> {
    if (!(await this.bind())) return null;
    const reading = await readRollout({
      path: this.record.rollout_path,
      thread: this.record.thread_id,
      codexHome: this.record.codex_home,
      from: this.#progress,
      toolOutputs,
    });
    if (!reading) {
      // the rollout is gone and cannot be found by its thread: forget it and bind again next time
      await this.save({ rollout_path: null, thread_id: null });
      this.#progress = null;
      return null;
    }
    if (reading.located) await this.save({ rollout_path: reading.path });
    this.#progress = reading.progress;
    return reading;
  }

  /**
   * Reads the pane and the rollout (and, when asked, the Codex daemon) and observes the session.
   * With `toolOutputs`, the rollout's tool outputs since the previous observation of this object
   * come with it (the first observation is the baseline: none).
   */
  async observe(
    options: { recent?: boolean; expect?: string[]; daemon?: boolean; toolOutputs?: boolean } = {},
  ): Promise<SessionObservation> {
    // the ended record is written before the pane is closed (driver/end.ts): a pane found gone is
    // looked at again in its light, so a session closed meanwhile reads as how it ended
    if (await this.endedRecord()) return this.#observeEnded();
    const pane = await this.substrate.read(this.handle, { recent: options.recent ?? true });
    if (!pane.alive && pane.unreachable === undefined && await this.endedRecord()) {
      return this.#observeEnded();
    }
    const named = pane.exec?.thread_id ?? null;
    if (named && named !== this.record.thread_id) {
      // a headless run says which thread it runs on: bind to it (its rollout is found by id)
      await this.save({ thread_id: named, rollout_path: null });
      this.#progress = null;
    }
    const run = pane.exec?.run ?? null;
    if (run !== null && this.record.exec && this.record.exec.run !== run) {
      // a headless session's current run (one more per send)
      await this.save({ exec: { ...this.record.exec, run } });
    }
    const rollout = await this.#readRollout(options.toolOutputs ?? false);
    // a multiplexer that cannot be asked says nothing about the pane: only the rollout (and Codex's
    // process, when the substrate knows it) decide then — never "the pane is gone"
    const reachable = pane.unreachable === undefined;
    const obs = await observe({
      target: { session: this.id, thread: this.record.thread_id },
      rollout,
      pane: this.substrate.can.screen && reachable
        ? { alive: pane.alive, status: pane.status, screen: pane.screen, recent: pane.recent }
        : null,
      process: pane.process ?? null,
      exec: pane.exec ?? null,
      // the run `codexctl review` started: read its review once it ends
      review: this.record.review && pane.exec && pane.exec.run === this.record.review.run
        ? {
          codexHome: this.record.codex_home,
          repoRoot: this.record.review.repo_root,
          minPriority: this.record.review.min_priority,
        }
        : null,
      // the daemon knows TUI threads; a headless run never runs there
      daemon: options.daemon && this.substrate.can.screen ? { codexHome: this.record.codex_home } : null,
      marker: this.marker,
      expect: [...new Set([...this.record.expect, ...(options.expect ?? [])])],
      cwd: this.record.cwd,
    });
    const toolOutputs = rollout?.read.tool_outputs ?? [];
    return { ...obs, pane, progress: rollout?.progress ?? null, toolOutputs };
  }

  /**
   * The one reading of a session that `status` and `sessions` both give (so they never disagree on
   * the same record): the pane with its recent history, the rollout, the Codex daemon when its
   * socket exists, and the record's expected files plus `expect`.
   */
  async reading(expect: string[] = []): Promise<SessionObservation> {
    return await this.observe({ expect, daemon: true });
  }

  #observeEnded(): SessionObservation {
    const ended = this.ended!;
    const facts = { ...ended, last: { state: this.record.last_state, reason: this.record.last_reason } };
    const obs = observeEnded(facts, { session: this.id, thread: this.record.thread_id });
    return { ...obs, pane: goneReading(), progress: this.#progress, toolOutputs: [] };
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
