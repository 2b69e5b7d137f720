// The Edge Functions' widget cache (functions/_shared/widget-cache.ts): random keys cannot push real widgets out,
// both halves stay bounded, entries expire. A clock of the test's own makes expiry exact.
import { describe, expect, it } from 'vitest';
import { WidgetCache } from '../../functions/_shared/widget-cache.ts';

describe('widget cache', () => {
  it('keeps every real widget while 10,000 random unknown keys are looked up', () => {
    const cache = new WidgetCache<{ key: string }>(5_000, 100, 100, () => 0);
    for (let i = 0; i < 100; i++) cache.set(`pk_real_${i}`, { key: `pk_real_${i}` });
    for (let i = 0; i < 10_000; i++) if (!cache.get(`pk_random_${i}`)) cache.set(`pk_random_${i}`, null);
    for (let i = 0; i < 100; i++) expect(cache.get(`pk_real_${i}`)?.value).toEqual({ key: `pk_real_${i}` });
    expect(cache.size).toEqual({ found: 100, missing: 100 });
  });

  it('remembers an unknown key, so a repeated random key is not looked up again within the TTL', () => {
    const cache = new WidgetCache<string>(5_000, 10, 10, () => 0);
    cache.set('pk_nope_1', null);
    expect(cache.get('pk_nope_1')).toEqual({ value: null, at: 0 });
  });

  it('evicts the least recently used widget, not the oldest stored', () => {
    const cache = new WidgetCache<string>(5_000, 2, 2, () => 0);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a');
    cache.set('c', 'C');
    expect(cache.get('a')?.value).toBe('A');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.value).toBe('C');
  });

  it('forgets entries older than the TTL and moves a key between halves when the database changes its mind', () => {
    let now = 0;
    const cache = new WidgetCache<string>(5_000, 10, 10, () => now);
    cache.set('k', null);
    cache.set('k', 'found');
    expect(cache.size).toEqual({ found: 1, missing: 0 });
    now = 5_001;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toEqual({ found: 0, missing: 0 });
  });
});
