// npm run bench:hops — where one message's time goes, with no load: each layer of the path timed on its own,
// one request at a time, next to the Socket.io baseline's whole path. It explains the ratio bench:e2e reports
// (the gap is per hop, not a queue); it sets no budget.
//
//   gateway                client → gateway → client (a 404 for an unknown function: no Deno, no database)
//   function, no database  client → gateway → Deno → gateway → client (widget-messages refusing a bad body)
//   plain insert           the same row into a trigger-less copy of messages (the floor a send is compared to)
//   SQL of a send          widget_send_message() on a plain Postgres connection (the database's share)
//   REST call of a send    the same RPC over /rest/v1 as the function makes it (gateway, JWT, one transaction)
//   send answered          visitor's POST to widget-messages until its 201
//   send → agent           visitor's POST until the agent's socket has the broadcast (the e2e figure, unloaded)
//   reply → visitor        agent's REST insert until the visitor's socket has it
//   broadcast only         realtime.send() committed on a plain connection until the agent's socket has it
//   baseline → agent       Socket.io emit until the agent's socket has it (stored in Postgres in between)
//   same-work → agent      the same-work relay (bench/same-work-relay.ts): emit, widget_send_message, agent's socket
//   same-work reply        its agent's emit, the RLS insert, until the visitor's socket has it
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { SERVICE_ROLE_KEY } from '../supabase/local/config.ts';
import { connectRelay, httpPost, percentile, report, round, sb, startRelay, startStackProcess, subscribed } from './support.ts';

const N = Number(process.env.BENCH_HOPS_SAMPLES ?? 200);
const WARMUP = 20;
const ORIGIN = 'http://127.0.0.1:3001'; // allowed by the seeded widget
const COMPANY = 'c0000000-0000-4000-8000-00000000ac3e';
const VISITORS = 30; // 20 messages a minute each: enough senders that no limit is hit

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shared = new http.Agent({ keepAlive: true });
/** Each simulated visitor sends from its own loopback address (per-address limits apply per visitor, as in bench:e2e). */
const agentFor = (i: number) => new http.Agent({ keepAlive: true, localAddress: `127.0.9.${i + 2}` } as http.AgentOptions);

function post(url: string, headers: Record<string, string>, body: string, agent = shared) {
  return httpPost(agent, url, headers, body);
}

/** id → resolver, for "the socket received this id". */
function arrivals() {
  const waiting = new Map<string, (t: number) => void>();
  return {
    expect: (id: string) => new Promise<number>((resolve) => waiting.set(id, resolve)),
    arrived: (id: string) => {
      waiting.get(id)?.(performance.now());
      waiting.delete(id);
    },
  };
}

async function main() {
  const stack = await startStackProcess();
  const api = stack.apiUrl;
  const db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();

  // The agent, listening on the company topic as the dashboard does.
  const agent = sb(api);
  const signIn = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
  if (signIn.error) throw signIn.error;
  await agent.realtime.setAuth(signIn.data.session!.access_token);
  const toAgent = arrivals();
  const topic = (await agent.from('companies').select('realtime_topic').eq('id', COMPANY).single()).data!.realtime_topic as string;
  const company = agent.channel(topic, { config: { private: true } });
  company.on('broadcast', { event: 'message.created' }, ({ payload }) => toAgent.arrived((payload as { id: string }).id));
  company.on('broadcast', { event: 'hops.probe' }, ({ payload }) => toAgent.arrived((payload as { id: string }).id));
  await subscribed(company);

  /** An anonymous visitor with a conversation, started through widget-session as the widget does. */
  async function openVisitor(i: number, widgetKey: string, origin: string) {
    const client = sb(api);
    const s = await client.auth.signInAnonymously();
    if (s.error) throw s.error;
    const token = s.data.session!.access_token;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: origin };
    const agentHttp = agentFor(i);
    const res = await post(`${api}/functions/v1/widget-session?key=${widgetKey}`, headers, JSON.stringify({ name: `Hops ${i}` }), agentHttp);
    if (res.status !== 200 && res.status !== 201) throw new Error(`widget-session: ${res.status} ${res.text}`);
    return { client, token, headers, conversationId: JSON.parse(res.text).conversation.id as string, userId: s.data.user!.id, http: agentHttp };
  }

  // Visitors with a conversation each; the first one also listens on its conversation topic (agent replies).
  const toVisitor = arrivals();
  const visitors: { headers: Record<string, string>; conversationId: string; userId: string; http: http.Agent }[] = [];
  for (let i = 0; i < VISITORS + 1; i++) {
    const { client, token, headers, conversationId, userId, http: agentHttp } = await openVisitor(i, 'pk_demo_acme', ORIGIN);
    if (i === 0) {
      await client.realtime.setAuth(token);
      const ch = client.channel(`conversation:${conversationId}`, { config: { private: true } });
      ch.on('broadcast', { event: 'message.created' }, ({ payload }) => toVisitor.arrived((payload as { id: string }).id));
      await subscribed(ch);
    }
    visitors.push({ headers, conversationId, userId, http: agentHttp });
  }
  const direct = visitors[VISITORS]!; // for the RPC and SQL rows: its own rate-limit buckets, limits raised
  const serviceHeaders = { apikey: SERVICE_ROLE_KEY, Authorization: `Bearer ${SERVICE_ROLE_KEY}`, 'Content-Type': 'application/json' };
  const rpcArgs = (id: string) => ({
    p_widget_key: 'pk_demo_acme',
    p_origin: ORIGIN,
    p_user_id: direct.userId,
    p_conversation_id: direct.conversationId,
    p_message_id: id,
    p_body: 'hops',
    p_page_url: null,
    p_ip: '192.0.2.1',
    p_messages_per_minute: 1_000_000,
    p_ip_messages_per_minute: 1_000_000,
  });

  await db.query('create temp table plain_messages (like public.messages including defaults)');

  // The two relays, as bench:e2e runs them.
  const { port: basePort, child: base } = await startRelay('baseline-server.ts', stack.dbUrl);
  const baseArrivals = arrivals();
  const baseAgent = await connectRelay(basePort, { role: 'agent', room: 'acme' });
  baseAgent.on('message', (m: { id: string }) => baseArrivals.arrived(m.id));
  const baseVisitor = await connectRelay(basePort, { role: 'visitor', room: 'hops' });
  // The same-work relay talks as Globex (its own company topic), with Globex visitors made by widget-session.
  const { port: samePort, child: same } = await startRelay('same-work-relay.ts', stack.dbUrl);
  const globexAgent = await sb(api).auth.signInWithPassword({ email: 'agent@globex.test', password: 'porchlight-agent' });
  if (globexAgent.error) throw globexAgent.error;
  const sameArrivals = arrivals();
  const sameAgent = await connectRelay(samePort, { token: globexAgent.data.session!.access_token });
  sameAgent.on('message', (m: { id: string }) => sameArrivals.arrived(m.id));
  const sameVisitors: { s: Socket; conversationId: string }[] = [];
  for (let i = 0; i < VISITORS; i++) {
    const { token, conversationId, http: unused } = await openVisitor(i, 'pk_demo_globex', 'http://127.0.0.1:3002');
    unused.destroy(); // it talks to the relay from here on
    const socket = await connectRelay(samePort, { token, conversationId });
    socket.on('message', (m: { id: string }) => sameArrivals.arrived(m.id));
    sameVisitors.push({ s: socket, conversationId });
  }

  const agentId = signIn.data.user!.id;
  const steps: [string, (i: number) => Promise<number>][] = [
    ['gateway', async () => {
      const t0 = performance.now();
      await post(`${api}/functions/v1/no-such-function`, visitors[0]!.headers, '{}');
      return performance.now() - t0;
    }],
    ['function, no database', async (i) => {
      const t0 = performance.now();
      const v = visitors[i % VISITORS]!;
      const res = await post(`${api}/functions/v1/widget-messages?key=pk_demo_acme`, v.headers, '{', v.http);
      if (res.status !== 400) throw new Error(`expected 400, got ${res.status}`);
      return performance.now() - t0;
    }],
    // The floor a send is measured against: the same row into a copy of messages with no triggers, no RLS, no
    // broadcasts (issue 15's budget: a send ≤ 4× this).
    ['plain insert of the row', async () => {
      const t0 = performance.now();
      await db.query(`insert into plain_messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
                      values ($1, $2, $3, 'visitor', $4, 'Hops', 'hops')`, [randomUUID(), direct.conversationId, COMPANY, direct.userId]);
      return performance.now() - t0;
    }],
    ['SQL of a send', async () => {
      const a = rpcArgs(randomUUID());
      const t0 = performance.now();
      await db.query('select public.widget_send_message($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', Object.values(a));
      return performance.now() - t0;
    }],
    ['REST call of a send', async () => {
      const t0 = performance.now();
      const res = await post(`${api}/rest/v1/rpc/widget_send_message`, serviceHeaders, JSON.stringify(rpcArgs(randomUUID())));
      if (res.status !== 200) throw new Error(`rpc: ${res.status} ${res.text}`);
      return performance.now() - t0;
    }],
    ['send answered', async (i) => {
      const v = visitors[i % VISITORS]!;
      const t0 = performance.now();
      const res = await post(`${api}/functions/v1/widget-messages?key=pk_demo_acme`, v.headers, JSON.stringify({ conversationId: v.conversationId, id: randomUUID(), body: 'hops' }), v.http);
      if (res.status !== 201) throw new Error(`send: ${res.status} ${res.text}`);
      return performance.now() - t0;
    }],
    ['send → agent', async (i) => {
      const v = visitors[i % VISITORS]!;
      const id = randomUUID();
      const got = toAgent.expect(id);
      const t0 = performance.now();
      const res = await post(`${api}/functions/v1/widget-messages?key=pk_demo_acme`, v.headers, JSON.stringify({ conversationId: v.conversationId, id, body: 'hops' }), v.http);
      if (res.status !== 201) throw new Error(`send: ${res.status} ${res.text}`);
      return (await got) - t0;
    }],
    ['reply → visitor', async () => {
      const id = randomUUID();
      const got = toVisitor.expect(id);
      const t0 = performance.now();
      const ins = await agent.from('messages').insert({ id, conversation_id: visitors[0]!.conversationId, sender_kind: 'agent', author_id: agentId, body: 'hops' });
      if (ins.error) throw ins.error;
      return (await got) - t0;
    }],
    ['broadcast only', async () => {
      const id = randomUUID();
      const got = toAgent.expect(id);
      const t0 = performance.now();
      await db.query(`select realtime.send(jsonb_build_object('id', $1::text), 'hops.probe', $2, true)`, [id, topic]);
      return (await got) - t0;
    }],
    ['baseline → agent', async () => {
      const id = randomUUID();
      const got = baseArrivals.expect(id);
      const t0 = performance.now();
      baseVisitor.emit('message', { id, conversationId: 'hops', body: 'hops' });
      return (await got) - t0;
    }],
    ['same-work → agent', async (i) => {
      const v = sameVisitors[i % VISITORS]!;
      const id = randomUUID();
      const got = sameArrivals.expect(id);
      const t0 = performance.now();
      v.s.emit('message', { id, conversationId: v.conversationId, body: 'hops' });
      return (await got) - t0;
    }],
    ['same-work reply', async () => {
      const id = randomUUID();
      const got = sameArrivals.expect(id);
      const t0 = performance.now();
      sameAgent.emit('message', { id, conversationId: sameVisitors[0]!.conversationId, body: 'hops' });
      return (await got) - t0;
    }],
  ];

  const results: Record<string, { p50: number; p95: number; n: number }> = {};
  for (const [name, step] of steps) {
    const xs: number[] = [];
    for (let i = 0; i < N + WARMUP; i++) {
      const ms = await step(i);
      if (i >= WARMUP) xs.push(ms);
      await sleep(5); // one at a time, with the machine otherwise idle
    }
    results[name] = { p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), n: xs.length };
  }

  baseAgent.disconnect();
  baseVisitor.disconnect();
  base.kill('SIGTERM');
  for (const v of sameVisitors) v.s.disconnect();
  sameAgent.disconnect();
  same.kill('SIGTERM');
  await agent.removeAllChannels();
  await db.end();
  await stack.stop();

  const rows: [string, string, string][] = Object.entries(results).map(([name, r]) => [`${name} p50 / p95 (ms)`, `${r.p50} / ${r.p95}`, `n ${r.n}, one at a time, unloaded`]);
  const ratio = round(results['SQL of a send']!.p50 / results['plain insert of the row']!.p50);
  rows.push(['SQL of a send ÷ plain insert (p50)', `${ratio}×`, 'budget ≤ 4× (issue 15)']);
  report('hops', { samplesPerRow: N, results, sendToPlainInsertRatio: ratio }, rows);
  process.exit(0);
}

await main();
