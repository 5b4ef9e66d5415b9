/**
 * The plugin icon (`.claude-plugin/icon.png`): a square PNG of 512–2048 px under 2 MB, as the plugin
 * directory asks, and exactly the picture `scripts/icon.ts` draws (so it can be made again).
 */
import assert from "node:assert/strict";
import { encodePng, ICON_PATH, ICON_SIZE, renderIcon } from "../scripts/icon.ts";
import { readPng } from "./support/png.ts";

Deno.test("icon: the committed icon is a square 8-bit RGBA PNG of 512–2048 px, under 2 MB, with valid chunks", () => {
  const bytes = Deno.readFileSync(ICON_PATH);
  assert.ok(bytes.length < 2 * 1024 * 1024, `${bytes.length} bytes`);
  const png = readPng(bytes);
  assert.equal(png.width, png.height, "square");
  assert.ok(png.width >= 512 && png.width <= 2048, `${png.width} px`);
  assert.deepEqual([png.bitDepth, png.colourType, png.interlace], [8, 6, 0]);
});

Deno.test("icon: the committed icon is exactly what scripts/icon.ts draws (run `deno task icon` after changing it)", () => {
  const committed = readPng(Deno.readFileSync(ICON_PATH));
  assert.equal(committed.width, ICON_SIZE);
  const drawn = renderIcon(ICON_SIZE);
  assert.equal(committed.pixels.length, drawn.length);
  let differ = 0;
  for (let i = 0; i < drawn.length; i++) if (committed.pixels[i] !== drawn[i]) differ++;
  assert.equal(differ, 0, `${differ} channel values differ from the script's drawing`);
  // the picture is not blank: transparent corners, the dark square, the teal chevron
  const at = (
    x: number,
    y: number,
  ) => [...drawn.subarray((y * ICON_SIZE + x) * 4, (y * ICON_SIZE + x) * 4 + 4)];
  assert.equal(at(0, 0)[3], 0, "a transparent corner");
  assert.deepEqual(at(256, 60).slice(3), [255], "the square is opaque");
  assert.deepEqual(
    at(Math.round(0.35 * ICON_SIZE), Math.round(0.41 * ICON_SIZE)),
    [45, 212, 191, 255],
    "the chevron is teal",
  );
});

Deno.test("icon: the encoder's PNG decodes back to the pixels it was given (any size)", () => {
  const pixels = renderIcon(37);
  const png = readPng(encodePng(37, 37, pixels));
  assert.deepEqual([png.width, png.height], [37, 37]);
  assert.deepEqual(png.pixels, pixels);
});
