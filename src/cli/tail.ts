/**
 * `codexctl tail --thread <id|url> [--since-offset N]`: the raw rollout events after a byte offset.
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { compatibility } from "../codex/rollout/compat.ts";
import { newStats } from "../codex/rollout/events.ts";
import { parseLine } from "../codex/rollout/parse.ts";
import { fold, initialState } from "../codex/rollout/fold.ts";
import { scanLines } from "../codex/rollout/tail.ts";
import { locateOrThrow } from "../codex/rollout/locate.ts";
import { openRollout } from "../codex/rollout/open.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `tail` verb. */
export const tailVerb = defineVerb({
  name: "tail",
  summary: "Print a thread's rollout events after a byte offset, and the offset to continue from",
  usage: "tail --thread <uuid|codex://threads/uuid> [--since-offset N] [--max-bytes N]",
  description: `
Reads complete lines only: next_offset always points just after the last newline read, so a line
Codex is still writing is left for the next call. Pass next_offset back as --since-offset to
continue. If the file shrank or was replaced the read restarts from 0 and says so. Output is
bounded by --max-bytes (default 1 MiB of rollout; at least 1): a read stops at the first line
end past it, but always returns at least one whole line, so calling again with next_offset while
"more" is true always reaches the end.`,
  flags: {
    thread: {
      type: "string",
      placeholder: "ID|URL",
      description: "The Codex thread: a uuid or codex://threads/<uuid>",
    },
    "since-offset": {
      type: "string",
      placeholder: "N",
      description: "Byte offset to start at (a line start; default 0)",
    },
    "max-bytes": {
      type: "string",
      placeholder: "N",
      description:
        "Read at most about this many bytes (default 1048576, at least 1; one whole line at the least)",
    },
  },
  examples: ["codexctl tail --thread 01a1fee2-5631-7ac1-80da-2f586c6afc12 --since-offset 40321"],
  args: z.object({
    thread: z.string({ error: "is required: give --thread <uuid|codex://threads/uuid>" }),
    "since-offset": flag.count().optional(),
    "max-bytes": flag.count().refine((n) => n >= 1, {
      error: "must be at least 1 (a read returns at least one whole line anyway)",
    }).optional(),
  }),
  async run(args, ctx) {
    const located = await locateOrThrow(ctx.env, args.thread);
    const since = args["since-offset"] ?? 0;
    checkLineStart(located.path, since);
    const events: Record<string, unknown>[] = [];
    const stats = newStats();
    const normalised: Parameters<typeof fold>[1][number][] = [];
    const decoder = new TextDecoder();
    const scan = await scanLines(
      located.path,
      { offset: since, ino: null, skipping: false },
      (bytes, offset) => {
        const event = parseLine(bytes, offset, stats);
        if (event) normalised.push(event);
        let raw: unknown;
        try {
          raw = JSON.parse(decoder.decode(bytes));
        } catch {
          raw = { invalid_json: true, bytes: bytes.length };
        }
        events.push({
          offset,
          ...(raw && typeof raw === "object" && !Array.isArray(raw)
            ? raw as Record<string, unknown>
            : { value: raw }),
        });
      },
      { maxBytes: args["max-bytes"] ?? 1024 * 1024 },
    );
    stats.oversized = scan.skipped.length;
    return {
      kind: "result",
      session: null,
      result: {
        thread: located.id,
        rollout_path: located.path,
        offset: scan.truncated ? 0 : since,
        next_offset: scan.cursor.offset,
        size: scan.size,
        more: scan.more,
        restarted: scan.truncated ? "truncated" : null,
        skipped: scan.skipped,
        events,
        compatibility: compatibility(stats, fold(initialState(), normalised)),
      },
    };
  },
});

function checkLineStart(path: string, offset: number): void {
  if (offset === 0) return;
  const file = openRollout(path);
  try {
    const size = file.stat().size;
    if (offset >= size) return; // at the end, or the file shrank (the read restarts and says so)
    const one = new Uint8Array(1);
    file.readAt(one, offset - 1);
    if (one[0] !== 10) {
      throw usageError(
        "BAD_OFFSET",
        `--since-offset ${offset} is not the start of a line in ${path}`,
        "pass a next_offset printed by an earlier tail, watch or status call (or 0)",
      );
    }
  } finally {
    file.close();
  }
}
