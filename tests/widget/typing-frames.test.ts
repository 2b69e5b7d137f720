// A visitor typing without a pause for 30 s, counted on the real socket (realtime-js, as the widget uses it,
// against the stand-in): at most 15 typing events and no presence update beyond the join's. The 30 s are driven
// (an injected clock), not waited. The agent on the other side receives them, and a forged server event sent
// into the typing topic is never taken for a typing event.
import type { RealtimeChannel } from '@supabase/realtime-js';
import { RealtimeClient } from '@supabase/realtime-js';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode } from '../../local-supabase/realtime-server/frames.ts';
import { TYPING_EVENT, TypingSender, TypingWatch, typingTopic } from '../../widget/src/typing.ts';
import { client, stack } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';
const sent: { topic: string; event: string; binaryEvent?: string }[] = [];

/** The visitor's WebSocket: every frame the client sends is decoded and recorded before it leaves. */
class CountingSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]) {
    const isBinary = typeof data !== 'string';
    const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as ArrayBuffer);
    const frame = decode('2.0.0', buf, isBinary);
    if (frame) sent.push({ topic: frame.topic, event: frame.event, binaryEvent: frame.binary?.event });
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}

const realtimes: RealtimeClient[] = [];
afterAll(() => {
  for (const r of realtimes) r.disconnect();
});

function joined(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

async function visitorWithConversation() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  const token = data.session!.access_token;
  const res = await fetch(`${stack().apiUrl}/functions/v1/widget-session?key=${KEY}`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: ORIGIN },
    body: JSON.stringify({ name: 'Nora', firstMessage: { id: crypto.randomUUID(), body: 'Hello?' } }),
  });
  const body = await res.json();
  return { token, conversationId: body.conversation.id as string, visitorId: body.visitor.id as string };
}

describe('typing over the real socket', () => {
  it('sends ≤ 15 typing events and no presence beyond the join in 30 s of continuous typing', async () => {
    const visitor = await visitorWithConversation();
    const agent = client();
    const signedIn = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
    expect(signedIn.error).toBeNull();
    await agent.realtime.setAuth(signedIn.data.session!.access_token);
    const received: unknown[] = [];
    const agentSide = agent.channel(typingTopic(visitor.conversationId), { config: { private: true } });
    agentSide.on('broadcast', { event: TYPING_EVENT }, ({ payload }) => received.push(payload));
    const forged: unknown[] = [];
    agentSide.on('broadcast', { event: 'message.created' }, ({ payload }) => forged.push(payload));
    await joined(agentSide);

    // The visitor's side as the widget has it: the conversation channel (presence tracked once at join) and the typing channel.
    const rt = new RealtimeClient(`${stack().apiUrl}/realtime/v1`, { params: { apikey: stack().anonKey }, transport: CountingSocket as never });
    realtimes.push(rt);
    await rt.setAuth(visitor.token);
    const conversation = rt.channel(`conversation:${visitor.conversationId}`, { config: { private: true, presence: { key: visitor.visitorId } } });
    await joined(conversation);
    expect(await conversation.track({ kind: 'visitor', visitor_id: visitor.visitorId })).toBe('ok');
    const typing = rt.channel(typingTopic(visitor.conversationId), { config: { private: true, broadcast: { ack: true } } });
    await joined(typing);
    const framesBefore = sent.length;

    let now = 0;
    const pending: Promise<unknown>[] = [];
    const sender = new TypingSender(
      (on) => {
        pending.push(typing.send({ type: 'broadcast', event: TYPING_EVENT, payload: { from: 'visitor', typing: on } }));
        return true;
      },
      () => now,
    );
    for (now = 0; now < 30_000; now += 120) sender.input(`draft ${now}`); // a keystroke every 120 ms for 30 s
    await Promise.all(pending);
    const duringTyping = sent.slice(framesBefore);
    sender.stop(); // sent
    await Promise.all(pending);
    // A client may broadcast on the typing topic, so it can name any event there: the agent side never reads it as typing.
    await typing.send({ type: 'broadcast', event: 'message.created', payload: { id: 'forged', body: 'not from the database' } });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (!received.some((p) => (p as { typing: boolean }).typing === false) || forged.length !== 1) return;
        clearInterval(t);
        resolve();
      }, 20);
    });

    const typingFrames = duringTyping.filter((f) => f.topic.endsWith(':typing') && f.event === 'broadcast' && (f.binaryEvent ?? TYPING_EVENT) === TYPING_EVENT);
    expect(typingFrames.length).toBeLessThanOrEqual(15);
    expect(typingFrames.length).toBeGreaterThan(0);
    expect(sent.filter((f) => f.event === 'presence')).toHaveLength(1); // the join's track, nothing after
    expect(received.filter((p) => (p as { typing: boolean }).typing)).toHaveLength(typingFrames.length);
    // What a receiver makes of it: the forged event is not a typing event, and the stop clears the typist at once.
    let t = 0;
    const watch = new TypingWatch(() => undefined, () => t);
    for (const p of [...received, ...forged]) watch.receive(p, 'visitor');
    expect(watch.typing).toBe(false);
    watch.receive({ from: 'visitor', typing: true }, 'visitor');
    t = 4_999;
    expect(watch.typing).toBe(true);
    t = 5_000;
    expect(watch.typing).toBe(false);
    watch.clear();
    await agent.removeAllChannels();
  });
});
