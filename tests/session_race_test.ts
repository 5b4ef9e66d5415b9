/**
 * `reply` racing an armed `watch --session` (issue 16, item 3) — real tmux, real Codex 0.169 against
 * the mock model. The watch verifies the completion the reply caused and ends the session while the
 * reply still waits: the reply reports the session's final verdict from its ended record (never
 * exited/pane_gone, never "start again") and the session record stays gone. Then every verb that
 * reads and writes a session record (status, reply, send, await, watch, end) is aimed at the ended
 * session: each reports how it ended, sends nothing, and brings nothing back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { result, startRig } from "./support/session_rig.ts";
import { spawnCli } from "./support/cli_stream.ts";
import { tmux } from "./support/tmux.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test({
  name:
    "reply racing an armed watch that ends the session: the final verdict from the ended record, nothing re-created, for every verb",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startRig();
    try {
      const repo = await rig.repo();
      const started = await rig.cli([
        "start",
        "--task",
        "{{question}} Which database?",
        "--via",
        "tmux",
        "--cwd",
        repo,
        "--timeout",
        "90",
      ]);
      assert.equal(result(started).state, "awaiting_clarification", started.stdout);
      const id = String(started.json!.session);
      const recordPath = join(rig.state, "sessions", `${id}.json`);
      const endedPath = join(rig.state, "ended", `${id}.json`);
      const pane = JSON.parse(await Deno.readTextFile(recordPath)).pane;

      // the flow SKILL.md recommends: a watch armed on the session, then the answer
      const watch = spawnCli(["watch", "--session", id, "--timeout", "240", "--json"], rig.env);
      await watch.lines.until((l) => l.includes('"awaiting_clarification"'), 90_000);
      const reply = await rig.cli([
        "reply",
        "--session",
        id,
        "--text",
        "{{shell sleep 2}} {{done Chose SQLite.}} SQLite",
        "--timeout",
        "150",
      ]);
      assert.equal(await watch.exit(120_000), 0);
      await watch.lines.rest();
      const watched = watch.lines.seen.map((l) => JSON.parse(l).result);
      const closed = watched.at(-1);
      assert.equal(closed.event, "ended", JSON.stringify(watched));
      assert.equal(closed.reason, "auto_closed", "the watch verified the completion and closed the session");

      // the reply: the session's final verdict, however the race went
      assert.equal(reply.code, 0, reply.stdout + reply.stderr);
      const replied = result(reply);
      assert.notEqual(replied.state, "exited", JSON.stringify(replied));
      assert.equal(replied.state, "completed", JSON.stringify(replied));
      assert.equal(replied.reason, "marker_verified");
      assert.equal((replied.delivery as Record<string, unknown>).delivered, true, "the answer went in");
      const next = replied.next_action as Record<string, unknown>;
      assert.doesNotMatch(String(next.why), /start/i, "never 'start again'");
      if (replied.ended) {
        // the watch closed the session while the reply waited: how it ended, from the ended record
        assert.equal((replied.ended as Record<string, unknown>).by, "watch");
        assert.match(String(replied.summary), new RegExp(`^Session ${id} ended by the watch`));
        assert.equal(next.intent, "nothing");
      }
      assert.equal(await exists(recordPath), false, "the ended session's record is not re-created");
      const ended = JSON.parse(await Deno.readTextFile(endedPath));
      assert.equal(ended.by, "watch");
      assert.equal(ended.final.state, "completed");
      assert.equal(ended.final.reason, "marker_verified");
      const panes = await tmux(String(pane.socket), ["list-panes", "-a", "-F", "#{pane_id}"]);
      assert.ok(!panes.stdout.split("\n").includes(pane.pane_id), "the watch closed Codex's pane");

      // every verb aimed at the ended session: how it ended, nothing sent, nothing brought back
      const requests = rig.mock.requests.length;
      const endedVerdict = (r: Awaited<ReturnType<typeof rig.cli>>, verb: string) => {
        assert.equal(r.code, 0, `${verb}: ${r.stdout}${r.stderr}`);
        const v = result(r);
        assert.equal(v.state, "completed", `${verb}: ${JSON.stringify(v)}`);
        assert.equal(v.reason, "marker_verified", verb);
        assert.deepEqual(v.ended, { at: ended.ended, by: "watch" }, verb);
        assert.match(
          String(v.summary),
          new RegExp(`^Session ${id} ended by the watch, on a verified completion`),
        );
        assert.equal((v.next_action as Record<string, unknown>).intent, "nothing", verb);
        return v;
      };
      const status = endedVerdict(await rig.cli(["status", "--session", id]), "status");
      assert.equal((status.pane as Record<string, unknown>).alive, false);
      const again = endedVerdict(
        await rig.cli([
          "reply",
          "--session",
          id,
          "--text",
          "{{done Again.}} and Postgres?",
          "--timeout",
          "20",
        ]),
        "reply",
      );
      assert.deepEqual(again.answered, { action: "text", gate: null, keys: [] });
      assert.equal(again.delivery, null);
      const sent = endedVerdict(
        await rig.cli([
          "send",
          "--session",
          id,
          "--message",
          "{{done More.}} one more thing",
          "--timeout",
          "20",
        ]),
        "send",
      );
      assert.equal((sent.delivery as Record<string, unknown>).delivered, false);
      endedVerdict(await rig.cli(["await", "--session", id, "--timeout", "20"]), "await");
      const rewatch = await rig.cli(["watch", "--session", id, "--timeout", "20", "--json"]);
      assert.equal(rewatch.code, 0, rewatch.stdout + rewatch.stderr);
      assert.deepEqual(
        rewatch.lines.map((
          l,
        ) => [(l.result as Record<string, unknown>).event, (l.result as Record<string, unknown>).state]),
        [["ended", "completed"]],
        "a watch on an ended session says how it ended, once, and stops",
      );
      const end = result(await rig.cli(["end", "--session", id]));
      assert.match(String(end.summary), /already ended/);
      assert.equal(rig.mock.requests.length, requests, "nothing reached Codex");
      assert.equal(await exists(recordPath), false, "no verb re-created the record");
      const listed = result(await rig.cli(["sessions"]));
      assert.deepEqual([listed.live, listed.pruned], [[], []]);
    } finally {
      await rig.close();
    }
  },
});

Deno.test({
  name:
    "reply and send still waiting when `end` closes the session: how it ended (by end), delivered, nothing re-created",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startRig();
    try {
      const repo = await rig.repo();
      const start = async (task: string, state: string) => {
        const r = await rig.cli(["start", "--task", task, "--via", "tmux", "--cwd", repo, "--timeout", "90"]);
        assert.equal(result(r).state, state, r.stdout);
        return String(r.json!.session);
      };
      // the verb delivers, Codex runs a slow command, and `end` closes the session meanwhile: the
      // ended branch is taken every time, not only when the race goes that way
      const raceEnd = async (id: string, argv: string[]) => {
        const before = rig.mock.requests.length;
        const waiting = rig.cli([...argv, "--timeout", "120"]);
        await rig.mock.waitForRequests(before + 1, 60_000);
        await new Promise((r) => setTimeout(r, 2000)); // the verb has seen its words arrive; Codex sleeps
        const end = await rig.cli(["end", "--session", id]);
        assert.equal(end.code, 0, end.stdout + end.stderr);
        const r = await waiting;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const v = result(r);
        assert.deepEqual((v.ended as Record<string, unknown>)?.by, "end", JSON.stringify(v));
        assert.match(String(v.summary), new RegExp(`^Session ${id} ended by codexctl end at `));
        assert.notEqual(v.state, "exited", "never pane_gone");
        const next = v.next_action as Record<string, unknown>;
        assert.equal(next.intent, "nothing");
        assert.doesNotMatch(String(next.why), /start/i);
        assert.equal(
          (v.delivery as Record<string, unknown>).delivered,
          true,
          "the words went in before the end",
        );
        assert.equal(await exists(join(rig.state, "sessions", `${id}.json`)), false, "not re-created");
        const ended = JSON.parse(await Deno.readTextFile(join(rig.state, "ended", `${id}.json`)));
        assert.equal(ended.by, "end");
        return v;
      };
      const asked = await start("{{question}} Which database?", "awaiting_clarification");
      await raceEnd(asked, [
        "reply",
        "--session",
        asked,
        "--text",
        "{{shell sleep 8}} {{done Chose.}} SQLite",
      ]);
      const done = await start("{{done First.}} write nothing", "completed");
      await raceEnd(done, [
        "send",
        "--session",
        done,
        "--message",
        "{{shell sleep 8}} {{done Second.}} more",
      ]);
      const listed = result(await rig.cli(["sessions"]));
      assert.deepEqual([listed.live, listed.pruned], [[], []]);
    } finally {
      await rig.close();
    }
  },
});
