// npm run bench:e2e — message latency end to end, ours against the socket-server baseline in the same run:
//   visitor → widget-messages (Edge Function) → Postgres → Realtime → agent, and agent reply (REST, RLS) →
//   Postgres → Realtime → visitor; the baseline is a Socket.io relay that stores in Postgres, then emits.
//   A second relay, the same-work relay (bench/same-work-relay.ts), runs the very SQL ours runs (ownership, rate
//   limits, idempotency, conversation bookkeeping, RLS) in one process: ours divided by it is what the hops cost.
//
// Load model (the same for ours and the baseline, with the same random schedule): N conversations are opened
// first (every visitor signed in, its conversation started, its socket subscribed; the agent subscribed to the
// company). Then each conversation starts message exchanges as a Poisson process: the gaps
// between one visitor's exchanges are exponential with mean BENCH_INTERVAL_MS (default 5,000 ms: a chatty
// visitor). The load is open: an exchange starts on schedule even if the previous one has not finished, so a
// slow system is not rewarded with less load. An exchange is one visitor message (timed until the agent's
// socket has it) and then the agent's reply (timed until the visitor's socket has it). Offered load at N
// conversations: 2 · N / (BENCH_INTERVAL_MS / 1000) messages per second. The load runs BENCH_WARMUP_SECONDS
// (default 5) unreported, so what is measured is the steady state (pool connections open, database backends'
// caches and the JIT warm: at 500 conversations the first 2-3 s after a quiet period run cold, for the baseline
// too), then BENCH_SECONDS (default 20) measured. Exchanges started in the measured window are reported.
// Each plain level runs BENCH_REPEATS times (default 3), ours and the baseline alternated with both connected,
// each repeat with a new schedule (the same for both); percentiles are over all the repeats' samples, and each
// run's p99 is listed too (this shared machine's minute-to-minute noise shows there).
// Each simulated visitor talks from its own loopback address (127.x.y.z), as real visitors come from their own
// addresses, so the per-address limits apply per visitor as they would in production.
//
// Flood (at BENCH_FLOOD_CONVERSATIONS, default 100; after all plain levels): the same run again while one extra visitor sends as fast as
// it can (FLOOD_CONCURRENCY requests in flight, back to back); we count its 201s and 429s and report the other
// visitors' latency. The baseline gets the same flooder (it has no limit, so it stores and relays everything).
//
// Levels: BENCH_CONVERSATIONS (default 1,100,500). Reports p50/p95/p99/n per direction, the offered rate, lost
// messages, CPU per exchange by process kind, and our p99 divided by the baseline's (noise cancels).
// Also the widget's weight (gzip) and time to launcher visible / panel interactive in headless Chromium, and what it
// costs a page nobody clicks: widget.js's main-thread script time (goal ≤ 5 ms) and the bytes of a first and a
// returning page view, and an idle open widget's socket bytes per hour (BENCH_IDLE_SECONDS watched, default 120).
// `BENCH_CONVERSATIONS=none BENCH_FLOOD_CONVERSATIONS=0` runs only that widget section.
// The budget is p99 < 100 ms at 500 conversations; the relays' rows are information, not a budget.
import { report, round, startRelay, startStackProcess } from '../support.ts';
import { FLOOD_AT, FLOOD_CONCURRENCY, fmt, INTERVAL_MS, LEVELS, LOST_AFTER_MS, REPEATS, SECONDS, WARMUP_SECONDS } from './config.ts';
import { cpuMeter } from './cpu-meter.ts';
import { combine, type LoadResult, type SlowestSecond } from './load-model.ts';
import { baseline, ours, sameWork } from './targets.ts';
import { widgetTimings } from './widget-in-browser.ts';

const ratio = (a: number, b: number) => round(a / Math.max(b, 0.01));
const cpuText = (c: Record<string, number>, keys: string[]) => keys.map((k) => `${k} ${c[k]}`).join(', ');

async function main() {
  const stack = await startStackProcess();
  const { port: basePort, child: base } = await startRelay('baseline-server.ts', stack.dbUrl);
  const { port: sameWorkPort, child: same } = await startRelay('same-work-relay.ts', stack.dbUrl);
  const cpu = cpuMeter(stack.pid, base.pid!, same.pid!);
  // Warm up all three (Deno workers start on first use; JIT, pools, prepared plans).
  const warm = { seed: 0, flood: false };
  const warmUps = LEVELS.length || FLOOD_AT > 0 ? [() => ours(stack.apiUrl, 5, false), () => baseline(basePort, 5, false), () => sameWork(sameWorkPort, stack.apiUrl, 5, false)] : [];
  for (const open of warmUps) {
    try {
      const session = await open();
      await session.run(warm, cpu);
      await session.close();
    } catch (err) {
      console.error('warm-up:', err);
    }
  }

  const levels: Record<string, unknown> = {};
  const rows: [string, string | number, string][] = [];
  const ourCpu = ['gateway', 'functions', 'postgres', 'clients'];
  const baseCpu = ['baselineServer', 'postgres', 'clients'];
  const sameCpu = ['sameWorkServer', 'postgres', 'clients'];
  // The flood runs after every plain level: the rows it leaves (a flood stores ~100,000 baseline messages and
  // ~10,000 rate-limit hits) bring autovacuum and checkpoints into whatever is measured next.
  const schedule = LEVELS.map((n) => ({ n, runs: [{ seed: n, flood: false }] }));
  if (FLOOD_AT > 0) schedule.push({ n: FLOOD_AT, runs: [{ seed: FLOOD_AT + 7, flood: true }] });
  for (const { n, runs } of schedule) {
    // Both systems connected at once, their runs alternated (ours, baseline, ours, ...): a slow minute on this
    // shared machine falls on both. Plain levels run REPEATS times (a new schedule each time, the same for both)
    // and report percentiles of all their samples together; the flood runs once (its visitor stays limited).
    const flood = runs.some((r) => r.flood);
    const oursSession = await ours(stack.apiUrl, n, flood);
    const baseSession = await baseline(basePort, n, flood);
    const sameSession = await sameWork(sameWorkPort, stack.apiUrl, n, flood);
    const o: LoadResult[] = [];
    const b: LoadResult[] = [];
    const w: LoadResult[] = [];
    for (const run of runs) {
      const oRuns: LoadResult[] = [];
      const bRuns: LoadResult[] = [];
      const wRuns: LoadResult[] = [];
      for (let k = 0; k < (run.flood ? 1 : REPEATS); k++) {
        const r = { seed: run.seed + 1_000 * k, flood: run.flood };
        oRuns.push(await oursSession.run(r, cpu));
        bRuns.push(await baseSession.run(r, cpu));
        wRuns.push(await sameSession.run(r, cpu));
      }
      o.push(combine(oRuns));
      b.push(combine(bRuns));
      w.push(combine(wRuns));
    }
    await oursSession.close();
    await baseSession.close();
    await sameSession.close();
    runs.forEach((run, k) => {
      const oo = o[k]!;
      const bb = b[k]!;
      const ww = w[k]!;
      const label = run.flood ? `${n} conv + flood` : `${n} conv`;
      const entry = {
        ours: oo,
        baseline: bb,
        sameWorkRelay: ww,
        p99RatioToAgent: ratio(oo.toAgent.p99, bb.toAgent.p99),
        p99RatioToVisitor: ratio(oo.toVisitor.p99, bb.toVisitor.p99),
        p50RatioToAgent: ratio(oo.toAgent.p50, bb.toAgent.p50),
        p50RatioToVisitor: ratio(oo.toVisitor.p50, bb.toVisitor.p50),
        sameWorkP99RatioToAgent: ratio(oo.toAgent.p99, ww.toAgent.p99),
        sameWorkP99RatioToVisitor: ratio(oo.toVisitor.p99, ww.toVisitor.p99),
      };
      levels[run.flood ? `${n}+flood` : String(n)] = entry;
      const errors = (r: LoadResult) => `lost ${r.lost}${Object.keys(r.sendErrors).length ? `, send errors ${JSON.stringify(r.sendErrors)}` : ''}`;
      const runsNote = oo.runs ? `${oo.runs} runs of ${SECONDS} s, alternated with the baseline's` : `${SECONDS} s`;
      rows.push([`${label}: offered (msg/s)`, oo.offeredMessagesPerSecond, `${oo.exchanges} exchanges in ${runsNote} (baseline ${bb.exchanges}); ours ${errors(oo)}; baseline ${errors(bb)}`]);
      if (oo.p99ByRun && bb.p99ByRun) {
        rows.push([`${label}: p99 of each run, ours`, `${oo.p99ByRun.toAgent.join(', ')} | ${oo.p99ByRun.toVisitor.join(', ')}`, `→ agent | → visitor; baseline ${bb.p99ByRun.toAgent.join(', ')} | ${bb.p99ByRun.toVisitor.join(', ')}`]);
      }
      if (oo.slowestSecondByRun && bb.slowestSecondByRun) {
        const show = (list: SlowestSecond[]) => list.map((x) => `${x.maxMs} at ${x.second} s (${x.over100} > 100 ms, harness lag ${x.harnessLagMs})`).join(', ');
        rows.push([`${label}: slowest second of each run, ours`, show(oo.slowestSecondByRun), `visitor → agent, max; baseline ${show(bb.slowestSecondByRun)}`]);
      }
      rows.push([`${label}: visitor→agent p50/p95/p99`, fmt(oo.toAgent), `baseline ${fmt(bb.toAgent)}; ratio p50 ${entry.p50RatioToAgent}, p99 ${entry.p99RatioToAgent}`]);
      rows.push([`${label}: agent→visitor p50/p95/p99`, fmt(oo.toVisitor), `baseline ${fmt(bb.toVisitor)}; ratio p50 ${entry.p50RatioToVisitor}, p99 ${entry.p99RatioToVisitor}`]);
      if (n === 500 && !run.flood) {
        const worst = Math.max(oo.toAgent.p99, oo.toVisitor.p99);
        rows.push(['budget: p99 < 100 ms at 500 conversations', worst, `${worst < 100 ? 'met' : 'MISSED'} (worse of the two directions; the relays below and above are information)`]);
      }
      rows.push([`${label}: same-work relay →agent | →visitor`, `${fmt(ww.toAgent)} | ${fmt(ww.toVisitor)}`, `ours / it, p99: ${entry.sameWorkP99RatioToAgent} | ${entry.sameWorkP99RatioToVisitor}; ${errors(ww)}${ww.p99ByRun ? `; p99 of each run ${ww.p99ByRun.toAgent.join(', ')} | ${ww.p99ByRun.toVisitor.join(', ')}` : ''}`]);
      if (oo.flood && bb.flood) {
        rows.push([`${label}: flooder 201 / 429 / other`, `${oo.flood.created201} / ${oo.flood.limited429} / ${oo.flood.other}`, `${WARMUP_SECONDS + SECONDS} s from its first request, ${oo.flood.perSecond} req/s, ${FLOOD_CONCURRENCY} in flight; baseline stored all ${bb.flood.created201} (${bb.flood.perSecond}/s, no limit); same-work relay ${ww.flood?.created201} / ${ww.flood?.limited429} / ${ww.flood?.other} (${ww.flood?.perSecond}/s)`]);
      }
      rows.push([`${label}: CPU ms / exchange`, round(ourCpu.reduce((s, k) => s + (oo.cpuMsPerExchange[k] ?? 0), 0)), `ours: ${cpuText(oo.cpuMsPerExchange, ourCpu)}; baseline: ${cpuText(bb.cpuMsPerExchange, baseCpu)}; same-work relay: ${cpuText(ww.cpuMsPerExchange, sameCpu)}`]);
    });
  }
  // BENCH_WIDGET=0 skips the widget's weight and browser timings (quicker runs while working on latency).
  const widget = process.env.BENCH_WIDGET === '0' ? null : await widgetTimings(stack.apiUrl);
  if (widget) rows.push(['widget launcher / panel (gzip bytes)', `${widget.launcherGzipBytes} / ${widget.panelGzipBytes}`, 'budget 4096 / 30720']);
  if (widget && 'launcherVisibleMs' in widget) rows.push(['launcher visible / panel interactive (ms)', `${widget.launcherVisibleMs} / ${widget.panelInteractiveAfterClickMs}`, 'headless Chromium, median of 7']);
  const u = widget && 'untouched' in widget ? widget.untouched : undefined;
  if (u) {
    const o = u.otherWidgetsScriptMs;
    rows.push(['widget.js script time before interaction (ms)', u.scriptMsBeforeInteraction, `goal ≤ ${u.scriptGoalMs}; CDP ScriptDuration, page with widget ${u.scriptMsPageWithWidget} − without ${u.scriptMsPageWithoutWidget}, median of ${u.loads} new visitors (their next page view ${u.scriptMsReturningView}); Crisp ${o.crisp}, Chatwoot ${o.chatwoot}, Intercom ${o.intercom} (HTTP Archive 2026)`]);
    const v = (x: typeof u.firstView) => `${x.widgetBytes} B in ${x.widgetRequests} requests (page ${x.bytes} B)`;
    rows.push(['widget bytes: first / returning page view', `${u.firstView.widgetBytes} / ${u.returningView.widgetBytes}`, `on the wire, chat never opened; first ${v(u.firstView)}; returning ${v(u.returningView)}`]);
  }
  const idle = widget && 'idleOpenSocket' in widget ? widget.idleOpenSocket : null;
  if (idle) rows.push(['idle open widget socket (bytes/hour)', idle.bytesPerHour, `${idle.frames} WebSocket frames (${idle.bytes} B) in ${idle.seconds} s of silence, scaled: ${idle.framesPerHour} frames/hour`]);
  const load = {
    model: 'open Poisson: per conversation, exponential gaps between exchanges (visitor message, then agent reply), after all are connected',
    intervalMs: INTERVAL_MS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
    floodConversations: FLOOD_AT,
    floodConcurrency: FLOOD_CONCURRENCY,
    lostAfterMs: LOST_AFTER_MS,
  };
  console.log(`\nload: ${load.model}; mean gap ${INTERVAL_MS} ms, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured per level; latencies in ms`);
  // The budget is p99 < 100 ms at 500 conversations; the relays' figures are information (issue 15 retired ≤ 2×).
  report('e2e', { load, levels, widget, budgets: { p99MsAt500: 100 } }, rows);
  base.kill('SIGTERM');
  same.kill('SIGTERM');
  await stack.stop();
  process.exit(0);
}

await main();
