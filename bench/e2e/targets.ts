// bench:e2e's systems under test, each opening N conversations for the load model: ours (widget functions,
// REST and Realtime on the local stack), the Socket.io baseline relay and the same-work relay.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Socket } from 'socket.io-client';
import { connectRelay, httpPost, sb, subscribed } from '../support.ts';
import { ACME, FLOOD_CONCURRENCY, GLOBEX, visitorAddress } from './config.ts';
import { type LoadResult, runLoad, type Target } from './load-model.ts';

/**
 * A POST from a given local address over its own keep-alive connection (what one visitor's browser does). As a
 * browser does, a request that finds its idle connection just closed by the server is sent again on a new one
 * (the message id makes the retry safe).
 */
export async function post(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  try {
    return await httpPost(agent, url, headers, body);
  } catch (err) {
    if ((err as { reused?: boolean }).reused) return httpPost(agent, url, headers, body);
    throw err;
  }
}

export interface OurVisitor {
  token: string;
  conversationId: string;
  http: http.Agent;
  client: SupabaseClient;
}

export async function openOurVisitor(apiUrl: string, i: number, onMessage: ((id: string) => void) | null, widget: { key: string; origin: string } = ACME): Promise<OurVisitor> {
  const client = sb(apiUrl);
  const s = await client.auth.signInAnonymously();
  if (s.error) throw s.error;
  const token = s.data.session!.access_token;
  const agent = new http.Agent({ keepAlive: true, maxSockets: FLOOD_CONCURRENCY, localAddress: visitorAddress(i) } as http.AgentOptions);
  const res = await post(agent, `${apiUrl}/functions/v1/widget-session?key=${widget.key}`, { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: widget.origin }, JSON.stringify({ name: `Bench ${i}` }));
  if (res.status !== 200 && res.status !== 201) throw new Error(`widget-session: ${res.status} ${res.text}`);
  const conversationId = JSON.parse(res.text).conversation.id as string;
  if (onMessage) {
    await client.realtime.setAuth(token);
    const channel = client.channel(`conversation:${conversationId}`, { config: { private: true } });
    channel.on('broadcast', { event: 'message.created' }, ({ payload }) => onMessage((payload as { id: string }).id));
    await subscribed(channel);
  }
  return { token, conversationId, http: agent, client };
}

export function sendOurs(apiUrl: string, v: OurVisitor, id: string, body: string): Promise<number> {
  return post(
    v.http,
    `${apiUrl}/functions/v1/widget-messages?key=${ACME.key}`,
    { Authorization: `Bearer ${v.token}`, 'Content-Type': 'application/json', Origin: ACME.origin },
    JSON.stringify({ conversationId: v.conversationId, id, body }),
  ).then((r) => r.status);
}

/** A system under test, connected: `run` one load on it, `close` when done. */
export interface Session {
  run(run: { seed: number; flood: boolean }, cpu: () => Record<string, number>): Promise<LoadResult>;
  close(): Promise<void>;
}

export async function ours(apiUrl: string, n: number, withFlooder: boolean): Promise<Session> {
  const agent = sb(apiUrl);
  const signIn = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
  if (signIn.error) throw signIn.error;
  const agentId = signIn.data.user!.id;
  await agent.realtime.setAuth(signIn.data.session!.access_token);
  const toAgent = new Map<string, (t: number) => void>();
  const toVisitor = new Map<string, (t: number) => void>();
  const topic = (await agent.from('companies').select('realtime_topic').eq('id', ACME.company).single()).data!.realtime_topic as string;
  const companyChannel = agent.channel(topic, { config: { private: true } });
  companyChannel.on('broadcast', { event: 'message.created' }, ({ payload }) => toAgent.get((payload as { id: string }).id)?.(performance.now()));
  await subscribed(companyChannel);

  const visitors: OurVisitor[] = [];
  for (let i = 0; i < n; i += 25) {
    visitors.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, (_, k) => openOurVisitor(apiUrl, i + k, (id) => toVisitor.get(id)?.(performance.now()))),
      )),
    );
  }
  const flooder = withFlooder ? await openOurVisitor(apiUrl, n + 1, null) : null;
  const target: Target = {
    n,
    toAgent,
    toVisitor,
    send: (i, id) => sendOurs(apiUrl, visitors[i]!, id, 'visitor message'),
    async reply(i, id) {
      const ins = await agent.from('messages').insert({ id, conversation_id: visitors[i]!.conversationId, sender_kind: 'agent', author_id: agentId, body: 'reply' });
      if (ins.error) throw ins.error;
    },
    flood: (id) => sendOurs(apiUrl, flooder!, id, 'flood'),
  };
  return {
    run: (run, cpu) => runLoad(target, { ...run, cpu }),
    async close() {
      await Promise.all(visitors.map((v) => v.client.removeAllChannels()));
      for (const v of [...visitors, ...(flooder ? [flooder] : [])]) v.http.destroy();
      await agent.removeAllChannels();
    },
  };
}


export async function baseline(port: number, n: number, withFlooder: boolean): Promise<Session> {
  const connect = (auth: Record<string, string>, i?: number) => connectRelay(port, auth, i === undefined ? undefined : visitorAddress(i));
  const toAgent = new Map<string, (t: number) => void>();
  const toVisitor = new Map<string, (t: number) => void>();
  const agent = await connect({ role: 'agent', room: 'acme' });
  agent.on('message', (m: { id: string }) => toAgent.get(m.id)?.(performance.now()));
  const visitors: { s: Socket; conversationId: string }[] = [];
  for (let i = 0; i < n; i += 25) {
    visitors.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, async (_, k) => {
          const conversationId = randomUUID();
          const s = await connect({ role: 'visitor', room: conversationId }, i + k);
          s.on('message', (m: { id: string }) => toVisitor.get(m.id)?.(performance.now()));
          return { s, conversationId };
        }),
      )),
    );
  }
  const flooderRoom = randomUUID();
  const flooder = withFlooder ? await connect({ role: 'visitor', room: flooderRoom }, n + 1) : null;
  const emit = (s: Socket, m: Record<string, string>) => new Promise<number>((resolve) => s.emit('message', m, () => resolve(201)));
  const target: Target = {
    n,
    toAgent,
    toVisitor,
    send: (i, id) => emit(visitors[i]!.s, { id, conversationId: visitors[i]!.conversationId, body: 'visitor message' }),
    reply: async (i, id) => void (await emit(agent, { id, conversationId: visitors[i]!.conversationId, body: 'reply' })),
    flood: (id) => emit(flooder!, { id, conversationId: flooderRoom, body: 'flood' }),
  };
  return {
    run: (run, cpu) => runLoad(target, { ...run, cpu }),
    async close() {
      for (const v of visitors) v.s.disconnect();
      flooder?.disconnect();
      agent.disconnect();
    },
  };
}

/**
 * The same-work relay (bench/same-work-relay.ts): visitors and their conversations are made by our
 * widget-session function (setup, not timed), then talk to the relay with their Supabase token; the agent too.
 */
export async function sameWork(port: number, apiUrl: string, n: number, withFlooder: boolean): Promise<Session> {
  const signIn = await sb(apiUrl).auth.signInWithPassword({ email: 'agent@globex.test', password: 'porchlight-agent' });
  if (signIn.error) throw signIn.error;
  const toAgent = new Map<string, (t: number) => void>();
  const toVisitor = new Map<string, (t: number) => void>();
  const agent = await connectRelay(port, { token: signIn.data.session!.access_token });
  agent.on('message', (m: { id: string }) => toAgent.get(m.id)?.(performance.now()));
  const open = async (i: number) => {
    const v = await openOurVisitor(apiUrl, i, null, GLOBEX);
    v.http.destroy();
    const s = await connectRelay(port, { token: v.token, conversationId: v.conversationId }, visitorAddress(i));
    s.on('message', (m: { id: string }) => toVisitor.get(m.id)?.(performance.now()));
    return { s, conversationId: v.conversationId };
  };
  const visitors: { s: Socket; conversationId: string }[] = [];
  for (let i = 0; i < n; i += 25) visitors.push(...(await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, k) => open(i + k)))));
  const flooder = withFlooder ? await open(n + 1) : null;
  const emit = (s: Socket, m: Record<string, string>) => new Promise<number>((resolve) => s.emit('message', m, (status: number) => resolve(status)));
  const target: Target = {
    n,
    toAgent,
    toVisitor,
    send: (i, id) => emit(visitors[i]!.s, { id, conversationId: visitors[i]!.conversationId, body: 'visitor message' }),
    async reply(i, id) {
      const status = await emit(agent, { id, conversationId: visitors[i]!.conversationId, body: 'reply' });
      if (status !== 201) throw new Error(`reply: ${status}`);
    },
    flood: (id) => emit(flooder!.s, { id, conversationId: flooder!.conversationId, body: 'flood' }),
  };
  return {
    run: (run, cpu) => runLoad(target, { ...run, cpu }),
    async close() {
      for (const v of visitors) v.s.disconnect();
      flooder?.s.disconnect();
      agent.disconnect();
    },
  };
}
