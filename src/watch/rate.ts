/**
 * A token bucket: bursts of up to `burst` lines, then at most one line per `intervalMs` sustained.
 *
 * @module
 */

/** Decides when a line may be written. Time is passed in, so it is testable without a clock. */
export class RateLimiter {
  #tokens: number;
  #last: number;
  readonly #burst: number;
  readonly #intervalMs: number;

  constructor(intervalMs: number, burst = 3, now = 0) {
    this.#intervalMs = intervalMs;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#last = now;
  }

  #refill(now: number): void {
    if (this.#intervalMs <= 0) {
      this.#tokens = this.#burst;
      return;
    }
    const gained = (now - this.#last) / this.#intervalMs;
    if (gained > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + gained);
      this.#last = now;
    }
  }

  /** Takes a token if one is available at `now`. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  /** Whole tokens available at `now`. */
  available(now: number): number {
    this.#refill(now);
    return Math.floor(this.#tokens);
  }

  /** Milliseconds from `now` until a token is available (0 if one is). */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.#intervalMs);
  }
}
