// The functions' short-lived cache of widgets by key: found widgets and unknown keys kept apart, each bounded (LRU).
// Unknown keys are remembered apart from the real widgets, so a flood of random keys neither reaches the database
// again for the same key within the TTL nor pushes a real widget out of its cache.

export interface CacheHit<T> {
  value: T | null;
  at: number;
}

export class WidgetCache<T> {
  private readonly found = new Map<string, CacheHit<T>>();
  private readonly missing = new Map<string, CacheHit<T>>();

  constructor(
    readonly ttlMs: number,
    readonly maxFound = 1_000,
    readonly maxMissing = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh entry (marked as just used) or undefined. */
  get(key: string): CacheHit<T> | undefined {
    for (const [cache, max] of [
      [this.found, this.maxFound],
      [this.missing, this.maxMissing],
    ] as const) {
      const hit = cache.get(key);
      if (!hit) continue;
      if (this.now() - hit.at > this.ttlMs) {
        cache.delete(key);
        return undefined;
      }
      remember(cache, key, hit, max);
      return hit;
    }
    return undefined;
  }

  /** Stores what the database said about `key` (null: no such widget). */
  set(key: string, value: T | null): CacheHit<T> {
    const hit = { value, at: this.now() };
    if (value !== null) {
      this.missing.delete(key);
      remember(this.found, key, hit, this.maxFound);
    } else {
      this.found.delete(key);
      remember(this.missing, key, hit, this.maxMissing);
    }
    return hit;
  }

  get size(): { found: number; missing: number } {
    return { found: this.found.size, missing: this.missing.size };
  }
}

/** Map insertion order is recency order: re-inserting marks a key as just used; the first key is the oldest. */
function remember<T>(cache: Map<string, CacheHit<T>>, key: string, hit: CacheHit<T>, max: number): void {
  cache.delete(key);
  cache.set(key, hit);
  while (cache.size > max) cache.delete(cache.keys().next().value as string);
}
