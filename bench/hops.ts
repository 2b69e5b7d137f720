// npm run bench:hops — where one message's time goes, with no load: each layer of the path timed on its own,
// one request at a time, next to the Socket.io baseline's whole path. It explains the ratio bench:e2e reports
// (the gap is per hop, not a queue); it sets no budget.
//
//   gateway                client → gateway → client (a 404 for an unknown function: no Deno, no database)
//   function, no database  client → gateway → Deno → gateway → client (widget-messages refusing a bad body)
//   plain insert           the same row inserted on a plain connection into a table shaped like messages (same
//                          columns, checks, indexes and foreign keys, no triggers): the floor a send is held to
//   SQL of a send          widget_send_message() on a plain Postgres connection (the database's share; ≤ 4× the
//                          plain insert, issue 15), rotating over visitors that stay under real limits' counts
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
import { SERVICE_ROLE_KEY } from '../local-supabase/config.ts';
import { connectRelay, httpPost, percentile, report, round, sb, startRelay, startStackProcess, subscribed } from './support.ts';

const N = Number(process.env.BENCH_HOPS_SAMPLES ?? 200);
const WARMUP = 20;
const ORIGIN = 'http://127.0.0.1:3001'; // allowed by the seeded widget
const COMPANY = 'c0000000-0000-4000-8000-00000000ac3e';
const VISITORS = 30; // 20 messages a minute each: enough senders that no limit is hit
const SEND_BUDGET = 4; // SQL of a send ÷ plain insert, p50 (issue 15)

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
  // The SQL and REST rows send as their own visitors (not the function rows' ones), each from its own address:
  // about as many hits per bucket and minute as a real visitor's limit allows, so the limit count reads what it
  // would in production. Limits are raised so that no sample is refused.
  const direct: { conversationId: string; userId: string; ip: string }[] = [visitors[VISITORS]!].map((v) => ({ ...v, ip: '192.0.2.1' }));
  for (let i = 1; i < VISITORS; i++) {
    const v = await openVisitor(VISITORS + i, 'pk_demo_acme', ORIGIN);
    v.http.destroy();
    direct.push({ conversationId: v.conversationId, userId: v.userId, ip: `192.0.2.${i + 1}` });
  }
  const serviceHeaders = { apikey: SERVICE_ROLE_KEY, Authorization: `Bearer ${SERVICE_ROLE_KEY}`, 'Content-Type': 'application/json' };
  const rpcArgs = (id: string, i: number) => {
    const d = direct[i % direct.length]!;
    return {
      p_widget_key: 'pk_demo_acme',
      p_origin: ORIGIN,
      p_user_id: d.userId,
      p_conversation_id: d.conversationId,
      p_message_id: id,
      p_body: 'hops',
      p_page_url: null,
      p_ip: d.ip,
      p_messages_per_minute: 1_000_000,
      p_ip_messages_per_minute: 1_000_000,
    };
  };
  // The plain insert's table: the messages row's shape, checks, indexes and foreign keys, without its triggers.
  await db.query(`create table public.bench_plain_messages (like public.messages including all,
    foreign key (conversation_id) references public.conversations (id) on delete cascade,
    foreign key (company_id) references public.companies (id) on delete cascade,
    foreign key (author_id) references auth.users (id) on delete set null)`);

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
    ['plain insert', async (i) => {
      const d = direct[i % direct.length]!;
      const t0 = performance.now();
      await db.query(
        `insert into public.bench_plain_messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
         values ($1, $2, $3, 'visitor', $4, $5, $6)`,
        [randomUUID(), d.conversationId, COMPANY, d.userId, 'Hops', 'hops'],
      );
      return performance.now() - t0;
    }],
    ['SQL of a send', async (i) => {
      const a = rpcArgs(randomUUID(), i);
      const t0 = performance.now();
      await db.query('select public.widget_send_message($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', Object.values(a));
      return performance.now() - t0;
    }],
    ['REST call of a send', async (i) => {
      const t0 = performance.now();
      const res = await post(`${api}/rest/v1/rpc/widget_send_message`, serviceHeaders, JSON.stringify(rpcArgs(randomUUID(), i)));
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

  // Rows measured side by side run interleaved (alternating which goes first), so that a busy machine slows
  // both alike and their ratio stays meaningful.
  const SIDE_BY_SIDE = [['plain insert', 'SQL of a send']];
  const rounds = [...SIDE_BY_SIDE, ...steps.map(([name]) => [name]).filter(([name]) => !SIDE_BY_SIDE.flat().includes(name!))];
  const byName = new Map(steps);
  const results: Record<string, { p50: number; p95: number; n: number }> = {};
  for (const names of rounds) {
    const xs = new Map(names.map((name) => [name!, [] as number[]]));
    for (let i = 0; i < N + WARMUP; i++) {
      const order = i % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const ms = await byName.get(name!)!(i);
        if (i >= WARMUP) xs.get(name!)!.push(ms);
        await sleep(5); // one at a time, with the machine otherwise idle
      }
    }
    for (const [name, v] of xs) results[name] = { p50: round(percentile(v, 50)), p95: round(percentile(v, 95)), n: v.length };
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

  const sendRatio = round(results['SQL of a send']!.p50 / results['plain insert']!.p50);
  report(
    'hops',
    { samplesPerRow: N, results, sendToPlainInsert: { p50Ratio: sendRatio, budget: SEND_BUDGET, withinBudget: sendRatio <= SEND_BUDGET } },
    [
      ...steps.map(([name]): [string, string, string] => {
        const r = results[name]!;
        return [`${name} p50 / p95 (ms)`, `${r.p50} / ${r.p95}`, `n ${r.n}, one at a time, unloaded`];
      }),
      ['SQL of a send ÷ plain insert (p50)', `${sendRatio}×`, `budget ≤ ${SEND_BUDGET}× (issue 15)${sendRatio <= SEND_BUDGET ? '' : ' — OVER'}`],
    ],
  );
  process.exit(0);
}

await main();
