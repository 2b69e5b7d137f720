// bench:e2e's load model: an open Poisson schedule of exchanges per conversation, the same for every target, and
// what a run yields (latencies per direction, lost messages, the slowest second, CPU per exchange).
import { randomUUID } from 'node:crypto';
import { round } from '../support.ts';
import { FLOOD_CONCURRENCY, INTERVAL_MS, LOST_AFTER_MS, rng, SECONDS, type Stats, sleep, stats, WARMUP_SECONDS } from './config.ts';

/** What a system under test offers the load generator. Deliveries are reported through `waiter`. */
export interface Target {
  n: number;
  /** Visitor i sends message `id`; resolves with the HTTP status (201 when stored). */
  send(i: number, id: string): Promise<number>;
  /** The agent replies `id` into conversation i. */
  reply(i: number, id: string): Promise<void>;
  /** id → callback when the agent's socket / the visitor's socket receives that message. */
  toAgent: Map<string, (t: number) => void>;
  toVisitor: Map<string, (t: number) => void>;
  /** The flooder: one more visitor sending one message; resolves with its HTTP status. */
  flood(id: string): Promise<number>;
}

export interface LoadResult {
  seconds: number;
  offeredExchangesPerSecond: number;
  offeredMessagesPerSecond: number;
  exchanges: number;
  toAgent: Stats;
  toVisitor: Stats;
  lost: number;
  sendErrors: Record<string, number>;
  flood?: { concurrency: number; sent: number; created201: number; limited429: number; other: number; perSecond: number };
  cpuMsPerExchange: Record<string, number>;
  /** Runs combined into this result, and each one's p99 (the spread between runs). */
  runs?: number;
  p99ByRun?: { toAgent: number[]; toVisitor: number[] };
  /**
   * The second of the measured window (from its start) whose visitor → agent messages took longest, how long the
   * slowest took and how many took over 100 ms then: a tail from one stall looks different from a steady one.
   */
  slowestSecond?: SlowestSecond;
  slowestSecondByRun?: SlowestSecond[];
  /** The latencies themselves (not written to the report). */
  samples?: { toAgent: number[]; toVisitor: number[] };
}

export interface SlowestSecond {
  second: number;
  maxMs: number;
  over100: number;
  /** The longest the harness's own event loop was held up around then (it timestamps arrivals, so its stalls count). */
  harnessLagMs?: number;
}

export function slowestSecond(samples: { sentAt: number; ms: number }[], lag: Map<number, number>): SlowestSecond {
  const bySecond = new Map<number, SlowestSecond>();
  let worst: SlowestSecond = { second: 0, maxMs: 0, over100: 0 };
  for (const { sentAt, ms } of samples) {
    const second = Math.max(0, Math.floor(sentAt / 1000));
    const b = bySecond.get(second) ?? { second, maxMs: 0, over100: 0 };
    b.maxMs = Math.max(b.maxMs, round(ms));
    if (ms > 100) b.over100 += 1;
    bySecond.set(second, b);
    if (b.maxMs > worst.maxMs) worst = b;
  }
  const harnessLagMs = round(Math.max(0, ...[-1, 0, 1, 2].map((d) => lag.get(worst.second + d) ?? 0)));
  return { ...worst, harnessLagMs };
}

/** Several runs of one level as one result: percentiles over all their samples, counts summed, CPU averaged per exchange. */
export function combine(results: LoadResult[]): LoadResult {
  if (results.length === 1) return { ...results[0]!, samples: undefined };
  const toAgent = results.flatMap((r) => r.samples!.toAgent);
  const toVisitor = results.flatMap((r) => r.samples!.toVisitor);
  const exchanges = results.reduce((s, r) => s + r.exchanges, 0);
  const sendErrors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.sendErrors)) sendErrors[k] = (sendErrors[k] ?? 0) + v;
  const cpuMsPerExchange: Record<string, number> = {};
  for (const k of Object.keys(results[0]!.cpuMsPerExchange)) {
    cpuMsPerExchange[k] = round(results.reduce((s, r) => s + (r.cpuMsPerExchange[k] ?? 0) * r.exchanges, 0) / Math.max(1, exchanges));
  }
  return {
    ...results[0]!,
    exchanges,
    toAgent: stats(toAgent),
    toVisitor: stats(toVisitor),
    lost: results.reduce((s, r) => s + r.lost, 0),
    sendErrors,
    cpuMsPerExchange,
    runs: results.length,
    p99ByRun: { toAgent: results.map((r) => r.toAgent.p99), toVisitor: results.map((r) => r.toVisitor.p99) },
    slowestSecond: undefined,
    slowestSecondByRun: results.map((r) => r.slowestSecond!),
    samples: undefined,
  };
}

export function arrival(map: Map<string, (t: number) => void>, id: string): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      map.delete(id);
      resolve(null);
    }, LOST_AFTER_MS);
    map.set(id, (t) => {
      clearTimeout(timer);
      map.delete(id);
      resolve(t);
    });
  });
}

export interface ExchangeLog {
  toAgent: number[];
  toVisitor: number[];
  /** visitor → agent latencies with when they were sent (ms from the start of the measured window) */
  sent: { sentAt: number; ms: number }[];
  sendErrors: Record<string, number>;
  lost: number;
  exchanges: number;
}
export const newRecord = (): ExchangeLog => ({ toAgent: [], toVisitor: [], sent: [], sendErrors: {}, lost: 0, exchanges: 0 });

export async function runLoad(t: Target, opts: { seed: number; flood: boolean; cpu: () => Record<string, number> }): Promise<LoadResult> {
  const warmup = newRecord(); // exchanges started during the warm-up: run, not reported
  const rec = newRecord();
  const inflight: Promise<void>[] = [];

  async function exchange(i: number, r: ExchangeLog) {
    r.exchanges += 1;
    const id = randomUUID();
    const arrived = arrival(t.toAgent, id);
    const t0 = performance.now();
    const status = await t.send(i, id).catch(() => 0);
    if (status !== 201) {
      r.sendErrors[status] = (r.sendErrors[status] ?? 0) + 1;
      t.toAgent.get(id)?.(0);
      return;
    }
    const at = await arrived;
    if (at === null) {
      r.lost += 1;
      return;
    }
    r.toAgent.push(at - t0);
    r.sent.push({ sentAt: t0 - measureFrom, ms: at - t0 });
    const replyId = randomUUID();
    const replied = arrival(t.toVisitor, replyId);
    const r0 = performance.now();
    try {
      await t.reply(i, replyId);
    } catch {
      r.sendErrors.reply = (r.sendErrors.reply ?? 0) + 1;
      t.toVisitor.get(replyId)?.(0);
      return;
    }
    const rt = await replied;
    if (rt === null) r.lost += 1;
    else r.toVisitor.push(rt - r0);
  }

  const floodCounts = { sent: 0, created201: 0, limited429: 0, other: 0 };
  const start = performance.now();
  const measureFrom = start + WARMUP_SECONDS * 1000;
  const end = measureFrom + SECONDS * 1000;
  // The harness's event-loop lag per second of the window: a 50 ms timer that fires late.
  const lag = new Map<number, number>();
  let tick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    const second = Math.floor((now - measureFrom) / 1000);
    lag.set(second, Math.max(lag.get(second) ?? 0, now - tick - 50));
    tick = now;
  }, 50);
  let cpu0 = opts.cpu();
  const cpuTimer = setTimeout(() => (cpu0 = opts.cpu()), measureFrom - start);
  const floodWorkers = opts.flood
    ? Array.from({ length: FLOOD_CONCURRENCY }, async () => {
        // Counted from its first request (the warm-up included): its first 20 a minute are allowed.
        while (performance.now() < end) {
          const status = await t.flood(randomUUID()).catch(() => 0);
          floodCounts.sent += 1;
          if (status === 201) floodCounts.created201 += 1;
          else if (status === 429) floodCounts.limited429 += 1;
          else floodCounts.other += 1;
        }
      })
    : [];
  await Promise.all(
    Array.from({ length: t.n }, async (_, i) => {
      const random = rng(opts.seed * 1_000_003 + i);
      // The first exchange too comes after an exponential gap, so the conversations do not start in step.
      let next = start - INTERVAL_MS * Math.log(1 - random());
      while (next < end) {
        await sleep(next - performance.now());
        inflight.push(exchange(i, next < measureFrom ? warmup : rec));
        next += -INTERVAL_MS * Math.log(1 - random());
      }
    }),
  );
  await Promise.all(floodWorkers);
  await Promise.all(inflight);
  clearTimeout(cpuTimer);
  clearInterval(lagTimer);
  const cpu1 = opts.cpu();
  const cpuMsPerExchange: Record<string, number> = {};
  for (const k of Object.keys(cpu1)) cpuMsPerExchange[k] = round((cpu1[k]! - (cpu0[k] ?? 0)) / Math.max(1, rec.exchanges), 2);
  const { toAgent, toVisitor, sendErrors, lost, exchanges } = rec;
  return {
    seconds: SECONDS,
    offeredExchangesPerSecond: round(t.n / (INTERVAL_MS / 1000)),
    offeredMessagesPerSecond: round((2 * t.n) / (INTERVAL_MS / 1000)),
    exchanges,
    toAgent: stats(toAgent),
    toVisitor: stats(toVisitor),
    lost,
    sendErrors,
    ...(opts.flood ? { flood: { concurrency: FLOOD_CONCURRENCY, ...floodCounts, perSecond: round(floodCounts.sent / (WARMUP_SECONDS + SECONDS)) } } : {}),
    cpuMsPerExchange,
    slowestSecond: slowestSecond(rec.sent, lag),
    samples: { toAgent, toVisitor },
  };
}
