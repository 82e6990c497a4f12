/** An in-memory token bucket per isolate: a cheap first line against floods on hot public endpoints. */

export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** `rate` tokens per second refill a bucket holding at most `burst`. */
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) / this.rate);
    b.tokens -= 1;
    return 0;
  }
}

export const clientIp = (req: Request) => req.headers.get("cf-connecting-ip") ?? "local";
