// bench:e2e's settings (the BENCH_* knobs, see index.ts), the widgets it talks as, and small shared helpers.
import { percentile, round } from '../support.ts';

/** `none` (with BENCH_FLOOD_CONVERSATIONS=0): only the widget's section. */
export const LEVELS = (process.env.BENCH_CONVERSATIONS ?? '1,100,500').split(',').map(Number).filter((n) => n > 0);
export const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 5000);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** Load at the same rate before the measured window (pools filled, backends' caches and JIT warm), not reported. */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
export const FLOOD_AT = Number(process.env.BENCH_FLOOD_CONVERSATIONS ?? 100); // 0: no flood scenario
/** Runs per plain level, alternating ours and the baseline; percentiles are over all their samples. */
export const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
export const FLOOD_CONCURRENCY = 4;
/** How long an exchange may take before its message counts as lost. */
export const LOST_AFTER_MS = 10_000;
export const ORIGIN_PORT = 3001; // an origin the seeded widget allows
/** Ours talks as Acme; the same-work relay as Globex, so neither sees the other's company broadcasts. */
export const ACME = { key: 'pk_demo_acme', origin: `http://127.0.0.1:${ORIGIN_PORT}`, company: 'c0000000-0000-4000-8000-00000000ac3e' };
export const GLOBEX = { key: 'pk_demo_globex', origin: 'http://127.0.0.1:3002' };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export type Stats = { p50: number; p95: number; p99: number; n: number };
export const stats = (xs: number[]): Stats => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), p99: round(percentile(xs, 99)), n: xs.length });
export const fmt = (s: Stats) => `${s.p50} / ${s.p95} / ${s.p99} (n ${s.n})`;

/** Seeded PRNG (mulberry32), so ours and the baseline run the very same schedule. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Visitor i's own loopback address (the whole 127/8 is local on Linux). */
export const visitorAddress = (i: number) => `127.${1 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250 + 2}.${(i % 250) + 2}`;
