// GoTrue's per-address limit on anonymous sign-ins (RATE_LIMIT_ANONYMOUS_USERS, by the RATE_LIMIT_HEADER address).
import type { IncomingMessage } from 'node:http';

interface Bucket {
  tokens: number;
  /** When tokens was last brought up to date (ms). */
  at: number;
  /** When the bucket was made: GoTrue's limiter forgets an address an hour after first seeing it. */
  born: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * A token bucket per address, as GoTrue configures it for anonymous sign-ins: `perHour` tokens at once (the burst),
 * refilled at perHour/3600 per second, and a bucket dropped an hour after it was made (a fresh, full one follows).
 * So the 31st sign-in within a minute from one address is refused at the default of 30.
 */
export class HourlyLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perHour: number) {}

  /** Takes one token for `key`; false when none is left (the caller answers 429). */
  take(key: string, now = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (!b || now - b.born >= HOUR_MS) {
      this.sweep(now);
      b = { tokens: Math.max(0, Math.floor(this.perHour)), at: now, born: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(Math.max(0, Math.floor(this.perHour)), b.tokens + ((now - b.at) / 1000) * (this.perHour / 3600));
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private sweep(now: number) {
    if (this.buckets.size < 10_000) return;
    for (const [k, b] of this.buckets) if (now - b.born >= HOUR_MS) this.buckets.delete(k);
  }
}

/**
 * The address GoTrue limits by: the first value of its RATE_LIMIT_HEADER (X-Forwarded-For) as the gateway passes it
 * on. The gateway, like Kong without trusted proxies, appends the socket address to any X-Forwarded-For the caller
 * sent, so the first value is the caller's own when it sent one, else the socket address.
 */
export function clientAddress(req: IncomingMessage, header: string): string {
  const raw = req.headers[header.toLowerCase()];
  const first = (Array.isArray(raw) ? raw.join(', ') : (raw ?? '')).split(',')[0]?.trim();
  return first || req.socket.remoteAddress || 'unknown';
}
