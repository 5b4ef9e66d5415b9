/**
 * The transcript tail read off the screen when no rollout is bound (the herdr plugin's cleaning,
 * seeds-behaviour §1.8): TUI chrome, noise, banners, tool gutters, the injected marker contract and
 * prompt echoes are dropped; the tail is anchored on Codex's last `•` message and bounded.
 *
 * @module
 */
import { transcriptTail } from "./text.ts";

const CHROME = [
  /^[\s─━═│┃╭╮╰╯┌┐└┘├┤┬┴┼▔▁]*$/,
  /esc to interrupt|\? for shortcuts|← for agents|f2 to view|tab to queue message/i,
  /^\s*Worked for |view transcript|ctrl \+ t/i,
  /MCP server|Starting MCP|handshaking|StreamableHttp|\brmcp\b|reqwest|Bad Gateway|proxy rejected|HTTP request failed|Unexpected status \d+|localhost:\d+|\/mcp\b/i,
  /^\s*(Tip:|⚠ |Learn more:)|codex app|chatgpt\.com\/codex/i,
  /^\s*│.*│\s*$/,
  />_ OpenAI Codex|\/model to change|permissions: YOLO|^\s*(model|directory):\s/,
  /^\s*│|^\s*… \+\d+ lines/,
  /superpowers:|using-superpowers|executing-plans|verification-before-completion/,
  /print this token|end your turn by asking|instead of guessing|FULLY complete|on its own line/,
  /^\s*(Working|Esc to|Press enter|tab to|ctrl\+|enter select|enter continue)/i,
  /^\s+\S+(?: \S+)? · (?:~|\/)/,
];

/** Cleans a recent-screen transcript into the final message Codex showed. */
export function screenTranscript(recent: string, marker: string | null): string {
  const kept: string[] = [];
  let inEcho = false;
  for (const raw of recent.split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (/^\s*›/.test(line) && !/^\s*›\s*\d+[.)]\s/.test(line)) {
      inEcho = true; // a prompt echo, the composer or a placeholder, and its wrapped continuation
      continue;
    }
    if (inEcho) {
      if (/^\s{2}\S/.test(line) && !/^\s*[•└]/.test(line)) continue;
      inEcho = false;
    }
    if (CHROME.some((re) => re.test(line))) continue;
    kept.push(line);
  }
  const lastBullet = kept.findLastIndex((l) => /^\s*[•■]/.test(l));
  const tail = (lastBullet >= 0 ? kept.slice(lastBullet) : kept).map((
    l,
    i,
  ) => (i === 0 ? l.replace(/^\s*[•■]\s?/, "") : l.replace(/^\s{2}/, "")));
  return transcriptTail(tail.join("\n"), marker);
}
