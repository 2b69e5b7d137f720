// npm run bench:realtime — 1,000 sockets, each joined to its own private channel with presence, one agent
// socket on 50 of them. Measures broadcast round-trip latency (visitor → agent → visitor), presence-leave
// detection time, and the stack process' memory per idle socket. Raw Phoenix 2.0.0 frames as realtime-js sends.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import { ANON_KEY, JWT_SECRET } from '../local-supabase/config.ts';
import { signJwt } from '../local-supabase/jwt.ts';
import { percentile, report, round, rssBytes, startStackProcess } from './support.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const AGENT_CHANNELS = 50;
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 1000);
const LEAVES = 20;

function push3(joinRef: string, ref: string, topic: string, event: string, payload: unknown): Buffer {
  const b = (s: string) => Buffer.from(s);
  const [j, r, t, e] = [b(joinRef), b(ref), b(topic), b(event)];
  return Buffer.concat([Buffer.from([3, j.length, r.length, t.length, e.length, 0, 1]), j, r, t, e, b(JSON.stringify(payload))]);
}

function parse4(data: Buffer): { topic: string; event: string; payload: any } | null {
  if (data[0] !== 4) return null;
  const [, tl, el, ml] = data;
  let o = 5;
  const topic = data.subarray(o, (o += tl!)).toString();
  const event = data.subarray(o, (o += el!)).toString();
  o += ml!;
  return { topic, event, payload: JSON.parse(data.subarray(o).toString()) };
}

class Peer {
  ws: WebSocket;
  ref = 0;
  pending = new Map<string, (p: any) => void>();
  onBroadcast: (topic: string, event: string, payload: any) => void = () => undefined;
  onDiff: (topic: string, diff: any) => void = () => undefined;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        const m = parse4(data);
        if (m) this.onBroadcast(m.topic, m.event, m.payload);
        return;
      }
      const [, ref, topic, event, payload] = JSON.parse(data.toString());
      if (event === 'phx_reply' && ref && this.pending.has(ref)) {
        this.pending.get(ref)!(payload);
        this.pending.delete(ref);
      } else if (event === 'presence_diff') this.onDiff(topic, payload);
    });
    this.ws.on('error', () => undefined);
  }
  open() {
    return new Promise<void>((r, j) => {
      this.ws.once('open', () => r());
      this.ws.once('error', j);
    });
  }
  request(topic: string, event: string, payload: unknown, joinRef?: string): Promise<any> {
    const ref = String(++this.ref);
    return new Promise((resolve) => {
      this.pending.set(ref, resolve);
      this.ws.send(JSON.stringify([joinRef ?? ref, ref, topic, event, payload]));
    });
  }
  async join(topic: string, token: string): Promise<string> {
    const ref = String(this.ref + 1);
    const reply = await this.request(topic, 'phx_join', {
      config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: true }, postgres_changes: [], private: true },
      access_token: token,
    });
    if (reply.status !== 'ok') throw new Error(`join ${topic} failed: ${JSON.stringify(reply)}`);
    return ref;
  }
}

async function main() {
  const stack = await startStackProcess({ LOCAL_SUPABASE_REALTIME_IDLE_MS: '60000' });
  const admin = new pg.Client({ connectionString: stack.dbUrl });
  await admin.connect();
  await admin.query(`create policy "bench members" on realtime.messages for all to authenticated
    using (realtime.topic() like 'bench:%') with check (realtime.topic() like 'bench:%')`);
  const wsUrl = `${stack.apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${ANON_KEY}&vsn=2.0.0`;
  const now = Math.floor(Date.now() / 1000);
  const tokenFor = (sub: string) => signJwt(JWT_SECRET, { sub, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 });

  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = rssBytes(stack.pid);
  const visitors: { peer: Peer; topic: string; joinRef: string }[] = [];
  const started = Date.now();
  for (let i = 0; i < SOCKETS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, SOCKETS - i) }, async (_, k) => {
        const peer = new Peer(wsUrl);
        await peer.open();
        const topic = `realtime:bench:${i + k}`;
        const joinRef = await peer.join(topic, await tokenFor(randomUUID()));
        await peer.request(topic, 'presence', { type: 'presence', event: 'track', payload: { kind: 'visitor', online_at: new Date().toISOString() } }, joinRef);
        visitors[i + k] = { peer, topic, joinRef };
      }),
    );
  }
  const joinSeconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  global.gc?.();
  const rssAfter = rssBytes(stack.pid);
  const perSocketKB = (rssAfter - rssBefore) / SOCKETS / 1024;

  const agent = new Peer(wsUrl);
  await agent.open();
  const agentJoin = new Map<string, string>();
  const agentToken = await tokenFor(randomUUID());
  for (let i = 0; i < AGENT_CHANNELS; i++) agentJoin.set(visitors[i]!.topic, await agent.join(visitors[i]!.topic, agentToken));
  // The agent answers every visitor message on the same channel.
  agent.onBroadcast = (topic, event, payload) => {
    if (event === 'visitor') agent.ws.send(push3(agentJoin.get(topic)!, String(++agent.ref), topic, 'agent', payload));
  };

  const latencies: number[] = [];
  for (let n = 0; n < ROUND_TRIPS; n++) {
    const v = visitors[n % AGENT_CHANNELS]!;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      v.peer.onBroadcast = (_t, event, payload) => {
        if (event === 'agent' && payload.n === n) resolve();
      };
      v.peer.ws.send(push3(v.joinRef, String(++v.peer.ref), v.topic, 'visitor', { n, text: 'hello there' }));
    });
    latencies.push(performance.now() - t0);
  }

  const leaveTimes: number[] = [];
  for (let i = 0; i < LEAVES; i++) {
    const v = visitors[i]!;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      agent.onDiff = (topic, diff) => {
        if (topic === v.topic && Object.keys(diff.leaves ?? {}).length) resolve();
      };
      v.peer.ws.terminate();
    });
    leaveTimes.push(performance.now() - t0);
  }

  const result = {
    sockets: SOCKETS,
    agentChannels: AGENT_CHANNELS,
    roundTrips: ROUND_TRIPS,
    joinSeconds: round(joinSeconds),
    roundTripMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)) },
    presenceLeaveMs: { p50: round(percentile(leaveTimes, 50)), max: round(Math.max(...leaveTimes)) },
    memory: { rssBeforeMB: round(rssBefore / 2 ** 20), rssAfterMB: round(rssAfter / 2 ** 20), perIdleSocketKB: round(perSocketKB) },
    budgets: { roundTripP99Ms: 50, perIdleSocketKB: 50 },
  };
  report('realtime', result, [
    ['sockets joined (private + presence)', SOCKETS, `${round(joinSeconds)} s to join all`],
    ['round trip p50 (ms)', result.roundTripMs.p50, 'visitor → agent → visitor'],
    ['round trip p99 (ms)', result.roundTripMs.p99, `budget < 50: ${result.roundTripMs.p99 < 50 ? 'met' : 'MISSED'}`],
    ['presence leave detection p50 (ms)', result.presenceLeaveMs.p50, 'socket closed → agent gets leave'],
    ['server memory per idle socket (KB)', result.memory.perIdleSocketKB, `budget < 50: ${perSocketKB < 50 ? 'met' : 'MISSED'}`],
  ]);

  agent.ws.terminate();
  for (const v of visitors) v.peer.ws.terminate();
  await admin.end();
  await stack.stop();
}

await main();
