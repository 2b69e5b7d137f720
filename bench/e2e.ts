// npm run bench:e2e — message latency end to end, ours against the socket-server baseline in the same run:
//   visitor → widget-messages (Edge Function) → Postgres → Realtime → agent, and agent reply (REST, RLS) →
//   Postgres → Realtime → visitor; the baseline is a Socket.io relay that stores in Postgres, then emits.
// 1, 100 and 500 concurrent conversations; p50/p95/p99; our p99 divided by the baseline's (noise cancels).
// Also the widget's weight (gzip) and time to launcher visible / panel interactive in headless Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { ANON_KEY, ROOT, SERVICE_ROLE_KEY } from '../supabase/local/config.ts';
import { startDemoServer } from '../demo/server.ts';
import { DIST, buildWidget } from '../widget/build.ts';
import { freePort, percentile, report, round, startStackProcess } from './support.ts';

const LEVELS = (process.env.BENCH_CONVERSATIONS ?? '1,100,500').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ORIGIN_PORT = 3001; // an origin the seeded widget allows

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), p99: round(percentile(xs, 99)), n: xs.length });

function sb(apiUrl: string, key = ANON_KEY): SupabaseClient {
  return createClient(apiUrl, key, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
}

function subscribed(ch: RealtimeChannel) {
  return new Promise<void>((resolve, reject) => ch.subscribe((s, e) => (s === 'SUBSCRIBED' ? resolve() : s === 'CHANNEL_ERROR' || s === 'TIMED_OUT' ? reject(e ?? new Error(s)) : undefined)));
}

interface Visitor {
  token: string;
  conversationId: string;
  ip: string;
  client: SupabaseClient;
  channel: RealtimeChannel;
}

async function ours(apiUrl: string, n: number) {
  const origin = `http://127.0.0.1:${ORIGIN_PORT}`;
  const agent = sb(apiUrl);
  const signIn = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
  if (signIn.error) throw signIn.error;
  await agent.realtime.setAuth(signIn.data.session!.access_token);
  const inbound = new Map<string, (t: number) => void>(); // message id → resolve at agent
  const outbound = new Map<string, (t: number) => void>(); // reply id → resolve at visitor
  const companyChannel = agent.channel('company:c0000000-0000-4000-8000-00000000ac3e', { config: { private: true } });
  companyChannel.on('broadcast', { event: 'message.created' }, ({ payload }) => inbound.get((payload as { id: string }).id)?.(performance.now()));
  await subscribed(companyChannel);

  const visitors: Visitor[] = [];
  for (let i = 0; i < n; i += 25) {
    visitors.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, async (_, k) => {
          const client = sb(apiUrl);
          const s = await client.auth.signInAnonymously();
          const token = s.data.session!.access_token;
          // Each simulated visitor comes from its own address (the per-address limits are not what is measured).
          const ip = `10.${(i + k) >> 8}.${(i + k) & 255}.${Math.floor(Math.random() * 250)}`;
          const res = await fetch(`${apiUrl}/functions/v1/widget-session?key=pk_demo_acme`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: origin, 'X-Forwarded-For': ip },
            body: JSON.stringify({ name: `Bench ${i + k}` }),
          });
          const { conversation } = await res.json();
          await client.realtime.setAuth(token);
          const channel = client.channel(`conversation:${conversation.id}`, { config: { private: true } });
          channel.on('broadcast', { event: 'message.created' }, ({ payload }) => outbound.get((payload as { id: string }).id)?.(performance.now()));
          await subscribed(channel);
          return { token, conversationId: conversation.id as string, ip, client, channel };
        }),
      )),
    );
  }
  const toAgent: number[] = [];
  const toVisitor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      visitors.map(async (v) => {
        const id = randomUUID();
        const t0 = performance.now();
        const arrived = new Promise<number>((r) => inbound.set(id, r));
        const res = await fetch(`${apiUrl}/functions/v1/widget-messages?key=pk_demo_acme`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${v.token}`, 'Content-Type': 'application/json', Origin: origin, 'X-Forwarded-For': v.ip },
          body: JSON.stringify({ conversationId: v.conversationId, id, body: `visitor message ${round}` }),
        });
        if (res.status !== 201) throw new Error(`send failed: ${res.status} ${await res.text()}`);
        toAgent.push((await arrived) - t0);
        inbound.delete(id);
        const replyId = randomUUID();
        const r0 = performance.now();
        const replied = new Promise<number>((r) => outbound.set(replyId, r));
        const ins = await agent.from('messages').insert({ id: replyId, conversation_id: v.conversationId, sender_kind: 'agent', author_id: signIn.data.user!.id, author_name: 'Sam', body: 'reply' });
        if (ins.error) throw ins.error;
        toVisitor.push((await replied) - r0);
        outbound.delete(replyId);
      }),
    );
    await sleep(200);
  }
  await Promise.all(visitors.map((v) => v.client.removeAllChannels()));
  await agent.removeAllChannels();
  return { toAgent: stats(toAgent), toVisitor: stats(toVisitor) };
}

async function baseline(port: number, n: number) {
  const url = `http://127.0.0.1:${port}`;
  const agent: Socket = ioClient(url, { auth: { role: 'agent', room: 'acme' }, transports: ['websocket'] });
  const inbound = new Map<string, (t: number) => void>();
  const outbound = new Map<string, (t: number) => void>();
  agent.on('message', (m: { id: string }) => inbound.get(m.id)?.(performance.now()));
  await new Promise((r) => agent.on('connect', () => r(undefined)));
  const visitors = await Promise.all(
    Array.from({ length: n }, async () => {
      const conversationId = randomUUID();
      const s: Socket = ioClient(url, { auth: { role: 'visitor', room: conversationId }, transports: ['websocket'] });
      s.on('message', (m: { id: string }) => outbound.get(m.id)?.(performance.now()));
      await new Promise((r) => s.on('connect', () => r(undefined)));
      return { s, conversationId };
    }),
  );
  const toAgent: number[] = [];
  const toVisitor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      visitors.map(async (v) => {
        const id = randomUUID();
        const t0 = performance.now();
        const arrived = new Promise<number>((r) => inbound.set(id, r));
        v.s.emit('message', { id, conversationId: v.conversationId, body: `visitor message ${round}` });
        toAgent.push((await arrived) - t0);
        const replyId = randomUUID();
        const r0 = performance.now();
        const replied = new Promise<number>((r) => outbound.set(replyId, r));
        agent.emit('message', { id: replyId, conversationId: v.conversationId, body: 'reply' });
        toVisitor.push((await replied) - r0);
      }),
    );
    await sleep(200);
  }
  for (const v of visitors) v.s.disconnect();
  agent.disconnect();
  return { toAgent: stats(toAgent), toVisitor: stats(toVisitor) };
}

async function widgetTimings(apiUrl: string) {
  await buildWidget();
  const gz = (f: string) => gzipSync(readFileSync(path.join(DIST, f)), { level: 9 }).length;
  const demo = await startDemoServer({ port: ORIGIN_PORT, supabaseUrl: apiUrl, anonKey: ANON_KEY, widgetKey: 'pk_demo_acme' }).catch(() => null);
  if (!demo) return { launcherGzipBytes: gz('widget.js'), panelGzipBytes: gz('panel.js'), note: `port ${ORIGIN_PORT} busy: browser timings skipped` };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const visible: number[] = [];
  const interactive: number[] = [];
  for (let i = 0; i < 7; i++) {
    const page = await browser.newPage();
    await page.goto(demo.url, { waitUntil: 'commit' });
    const launcher = page.getByRole('button', { name: 'Chat with Acme' });
    await launcher.waitFor();
    visible.push(await page.evaluate(() => performance.now()));
    const t0 = await page.evaluate(() => performance.now());
    await launcher.click();
    await page.getByLabel('Your name').waitFor();
    interactive.push((await page.evaluate(() => performance.now())) - t0);
    await page.close();
  }
  await browser.close();
  await demo.stop();
  return {
    launcherGzipBytes: gz('widget.js'),
    panelGzipBytes: gz('panel.js'),
    launcherVisibleMs: round(percentile(visible, 50)),
    panelInteractiveAfterClickMs: round(percentile(interactive, 50)),
  };
}

async function main() {
  const stack = await startStackProcess();
  const basePort = await freePort();
  const base: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/baseline-server.ts'), String(basePort), stack.dbUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => base.stdout!.on('data', (d) => String(d).includes('BASELINE_READY') && resolve()));
  // Warm up (Deno workers start on first use).
  await ours(stack.apiUrl, 1).catch(() => undefined);
  const levels: Record<string, unknown> = {};
  const rows: [string, string | number, string][] = [];
  for (const n of LEVELS) {
    const o = await ours(stack.apiUrl, n);
    const b = await baseline(basePort, n);
    const ratio = round(o.toAgent.p99 / Math.max(b.toAgent.p99, 0.01));
    levels[n] = { ours: o, baseline: b, p99RatioToAgent: ratio, p99RatioToVisitor: round(o.toVisitor.p99 / Math.max(b.toVisitor.p99, 0.01)) };
    rows.push([`${n} conv: visitor→agent p50/p99 (ms)`, `${o.toAgent.p50} / ${o.toAgent.p99}`, `baseline ${b.toAgent.p50} / ${b.toAgent.p99}; ratio p99 ${ratio}`]);
    rows.push([`${n} conv: agent→visitor p50/p99 (ms)`, `${o.toVisitor.p50} / ${o.toVisitor.p99}`, `baseline ${b.toVisitor.p50} / ${b.toVisitor.p99}`]);
  }
  const widget = await widgetTimings(stack.apiUrl);
  rows.push(['widget launcher / panel (gzip bytes)', `${widget.launcherGzipBytes} / ${widget.panelGzipBytes}`, 'budget 4096 / 30720']);
  if ('launcherVisibleMs' in widget) rows.push(['launcher visible / panel interactive (ms)', `${widget.launcherVisibleMs} / ${widget.panelInteractiveAfterClickMs}`, 'headless Chromium, median of 7']);
  report('e2e', { rounds: ROUNDS, levels, widget, budgets: { p99MsAt500: 100, ratioToBaseline: 2 } }, rows);
  base.kill('SIGTERM');
  await stack.stop();
  process.exit(0);
}

await main();
