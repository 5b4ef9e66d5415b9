import { okEnvelope } from "../../src/envelope.ts";
import { formatEnvelope } from "../../src/output.ts";

const verdict = {
  state: "completed",
  reason: "marker_verified",
  summary: "Codex finished and printed the marker",
  plan: null,
  questions: [],
  options: [],
  marker_found: true,
  artifacts: [],
  transcript_tail: "• Done.",
  next_action: { intent: "nothing", command: null, why: "verified" },
};

Deno.bench("build + validate a verdict envelope", () => {
  okEnvelope("status", "cdx-1a2b", verdict);
});

Deno.bench("serialise a verdict envelope as a watch line", () => {
  formatEnvelope(okEnvelope("watch", "cdx-1a2b", verdict), { json: true, color: false }, true);
});
