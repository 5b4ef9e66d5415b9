/**
 * The Deno cache directory this test process uses. Child processes that get a private `HOME`
 * (Claude Code runs, launcher runs) must keep using it, or they would try to download the npm
 * packages again — and tests are loopback only.
 *
 * @module
 */

let cached: Promise<string> | undefined;

/** `DENO_DIR` as `deno info` reports it (honours an explicit `DENO_DIR`). */
export function denoDir(): Promise<string> {
  cached ??= (async () => {
    const own = Deno.env.get("DENO_DIR");
    if (own) return own;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  })();
  return cached;
}
