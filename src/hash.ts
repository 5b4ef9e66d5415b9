/**
 * A short stable hash for names and signatures (file names for owner ids that are not safe as
 * names, fingerprints of verdicts). Not cryptographic. No imports, so the hook's hot path can use it.
 *
 * @module
 */

/** A 64-bit hash (two 32-bit FNV-1a lanes) of a string's UTF-16 code units, as 16 hex digits. Stable, not cryptographic. */
export function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
