// npm run bench:typing — how fast "Sam is typing…" reaches the visitor next to how fast the reply itself does:
// agent → visitor latency of a typing broadcast (client → Realtime → client, conversation:<id>:typing) and of
// a message (agent's REST insert → trigger → realtime.send → visitor's conversation:<id>), p50/p95, on a local
// stack of its own. The visitor side is realtime-js as the widget uses it.
import { RealtimeClient } from '@supabase/realtime-js';
import WebSocket from 'ws';
import { ANON_KEY } from '../local-supabase/config.ts';
import { TYPING_EVENT, typingTopic } from '../widget/src/typing.ts';
import { percentile, report, round, sb, startStackProcess, subscribed } from './support.ts';

const ROUNDS = Number(process.env.BENCH_TYPING_ROUNDS ?? 200);
const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';

// Its own mail port too: another stack (a test run, npm start) may hold 54324.
const stack = await startStackProcess();
try {
  const visitorAuth = await sb(stack.apiUrl).auth.signInAnonymously();
  const token = visitorAuth.data.session!.access_token;
  const started = await fetch(`${stack.apiUrl}/functions/v1/widget-session?key=${KEY}`, {
    method: 'POST',
    headers: { apikey: ANON_KEY, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: ORIGIN },
    body: JSON.stringify({ name: 'Bench', firstMessage: { id: crypto.randomUUID(), body: 'Hi' } }),
  }).then((r) => r.json());
  const conversationId = started.conversation.id as string;

  const agent = sb(stack.apiUrl);
  const signedIn = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
  if (signedIn.error) throw signedIn.error;
  await agent.realtime.setAuth(signedIn.data.session!.access_token);
  const agentTyping = agent.channel(typingTopic(conversationId), { config: { private: true } });
  await subscribed(agentTyping);

  const rt = new RealtimeClient(`${stack.apiUrl}/realtime/v1`, { params: { apikey: ANON_KEY }, transport: WebSocket as never });
  await rt.setAuth(token);
  let arrived: (id: string) => void = () => undefined;
  const conversation = rt.channel(`conversation:${conversationId}`, { config: { private: true } });
  conversation.on('broadcast', { event: 'message.created' }, ({ payload }) => arrived(String(payload.id)));
  const typing = rt.channel(typingTopic(conversationId), { config: { private: true } });
  typing.on('broadcast', { event: TYPING_EVENT }, ({ payload }) => arrived(String(payload.n)));
  await Promise.all([subscribed(conversation), subscribed(typing)]);

  const waitFor = (id: string) => new Promise<number>((resolve) => {
    arrived = (got) => got === id && resolve(performance.now());
  });
  const typingMs: number[] = [];
  const messageMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const n = `t${i}`;
    const t0 = performance.now();
    const got = waitFor(n);
    await agentTyping.send({ type: 'broadcast', event: TYPING_EVENT, payload: { from: 'agent', typing: true, name: 'Agent', n } });
    typingMs.push((await got) - t0);

    const id = crypto.randomUUID();
    const t1 = performance.now();
    const gotMessage = waitFor(id);
    const { error } = await agent.from('messages').insert({ id, conversation_id: conversationId, sender_kind: 'agent', author_id: signedIn.data.user!.id, body: `reply ${i}` });
    if (error) throw error;
    messageMs.push((await gotMessage) - t1);
  }
  const s = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), n: xs.length });
  const t = s(typingMs);
  const m = s(messageMs);
  report('typing', { rounds: ROUNDS, typingMs: t, messageMs: m }, [
    ['typing agent → visitor p50 (ms)', t.p50, 'client broadcast on conversation:<id>:typing'],
    ['typing agent → visitor p95 (ms)', t.p95, ''],
    ['message agent → visitor p50 (ms)', m.p50, 'REST insert → trigger → realtime.send'],
    ['message agent → visitor p95 (ms)', m.p95, ''],
  ]);
  rt.disconnect();
  await agent.removeAllChannels();
} finally {
  await stack.stop();
}
