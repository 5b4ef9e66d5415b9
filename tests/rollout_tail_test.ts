import assert from "node:assert/strict";
import { join } from "node:path";
import { readLines, START } from "../src/codex/rollout/tail.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function temp(content: string | Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-tail-" });
  const path = join(dir, "rollout.jsonl");
  await Deno.writeFile(path, typeof content === "string" ? enc.encode(content) : content);
  return path;
}

const texts = (r: { lines: { bytes: Uint8Array }[] }) => r.lines.map((l) => dec.decode(l.bytes));

Deno.test("only complete lines are returned and the cursor ends just after the last newline", async () => {
  const path = await temp('{"a":1}\n{"b":2}\n{"c":');
  const first = await readLines(path);
  assert.deepEqual(texts(first), ['{"a":1}', '{"b":2}']);
  assert.equal(first.cursor.offset, 16);
  assert.deepEqual(first.lines.map((l) => l.offset), [0, 8]);
  await Deno.writeTextFile(path, "3}\n", { append: true });
  const second = await readLines(path, first.cursor);
  assert.deepEqual(texts(second), ['{"c":3}']);
  assert.equal(second.cursor.offset, 24);
  const third = await readLines(path, second.cursor);
  assert.deepEqual(third.lines, []);
  assert.equal(third.cursor.offset, 24);
});

Deno.test("UTF-8 split across reads is reassembled (tiny read buffer)", async () => {
  const line = '{"text":"Wir’re … naïve — 東京 🎉"}';
  const path = await temp(`${line}\n${line}\n`);
  for (const chunkBytes of [64, 65, 67, 70, 97]) {
    const r = await readLines(path, START, { chunkBytes });
    assert.deepEqual(texts(r), [line, line], `chunk ${chunkBytes}`);
  }
});

Deno.test("appends that split a multi-byte character are never decoded half", async () => {
  const bytes = enc.encode('{"t":"東京"}\n');
  const path = await temp(bytes.subarray(0, 8)); // ends inside 東
  const first = await readLines(path);
  assert.deepEqual(first.lines, []);
  assert.equal(first.cursor.offset, 0);
  const f = await Deno.open(path, { append: true });
  await f.write(bytes.subarray(8));
  f.close();
  assert.deepEqual(texts(await readLines(path, first.cursor)), ['{"t":"東京"}']);
});

Deno.test("truncation (size below the cursor) is reported and reading restarts from 0", async () => {
  const path = await temp("one\ntwo\nthree\n");
  const first = await readLines(path);
  await Deno.writeTextFile(path, "new\n");
  const again = await readLines(path, first.cursor);
  assert.equal(again.truncated, true);
  assert.deepEqual(texts(again), ["new"]);
  assert.equal(again.cursor.offset, 4);
});

Deno.test("replacement (another inode at the path) is reported and reading restarts from 0", async () => {
  const path = await temp("one\ntwo\n");
  const first = await readLines(path);
  const other = path + ".new";
  await Deno.writeTextFile(other, "one\ntwo\nthree\n");
  await Deno.rename(other, path);
  const again = await readLines(path, first.cursor);
  assert.equal(again.replaced, true);
  assert.deepEqual(texts(again), ["one", "two", "three"]);
});

Deno.test("a 20 MB line is skipped with a report while memory held for it stays bounded", async () => {
  const huge = "x".repeat(20 * 1024 * 1024);
  const path = await temp(`{"a":1}\n${huge}\n{"b":2}\n`);
  const r = await readLines(path, START, { maxLineBytes: 1024 * 1024 });
  assert.deepEqual(texts(r), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(r.skipped, [{ offset: 8, length: huge.length }]);
  assert.ok(r.peak_line_bytes <= 1024 * 1024, `held ${r.peak_line_bytes} bytes of the huge line`);
  // the default bound is 16 MiB
  const d = await readLines(path);
  assert.equal(d.skipped.length, 1);
  assert.ok(d.peak_line_bytes <= 16 * 1024 * 1024);
});

Deno.test("an over-long line still being written: skipped now, finished later, never parsed", async () => {
  const path = await temp(`{"a":1}\n${"y".repeat(5000)}`);
  const first = await readLines(path, START, { maxLineBytes: 1000 });
  assert.deepEqual(texts(first), ['{"a":1}']);
  assert.equal(first.cursor.skipping, true);
  await Deno.writeTextFile(path, `${"y".repeat(100)}\n{"b":2}\n`, { append: true });
  const second = await readLines(path, first.cursor, { maxLineBytes: 1000 });
  assert.deepEqual(texts(second), ['{"b":2}']);
  assert.equal(second.cursor.skipping, false);
});

Deno.test("maxBytes bounds one read and says more is available", async () => {
  const path = await temp(Array.from({ length: 100 }, (_, i) => `{"i":${i}}`).join("\n") + "\n");
  const r = await readLines(path, START, { maxBytes: 50, chunkBytes: 64 });
  assert.equal(r.more, true);
  assert.ok(r.lines.length >= 5 && r.lines.length < 100);
  const rest = await readLines(path, r.cursor);
  assert.equal(r.lines.length + rest.lines.length, 100);
  assert.equal(rest.more, false);
});

Deno.test("a binary file does not crash the tailer", async () => {
  const junk = new Uint8Array(256 * 1024);
  for (let i = 0; i < junk.length; i += 65536) crypto.getRandomValues(junk.subarray(i, i + 65536));
  const path = await temp(junk);
  const r = await readLines(path, START, { maxLineBytes: 4096 });
  const total = r.lines.reduce((n, l) => n + l.bytes.length + 1, 0) +
    r.skipped.reduce((n, s) => n + s.length + 1, 0);
  assert.ok(total <= junk.length);
  assert.ok(r.cursor.offset <= junk.length);
});
